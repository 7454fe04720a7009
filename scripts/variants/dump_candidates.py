"""Every case's scored candidates, with the required facts each holds, from answer_variants.py's cache and index
(run it first): python scripts/variants/dump_candidates.py [OUT] (default: the temp folder's pa-candidates.pkl).
reorder.py reads the file."""

import pickle
import sys
import tempfile
from pathlib import Path

from programme_assistant.assistant import Assistant
from programme_assistant.config import Settings
from programme_assistant.evaluation.cases import load_golden, normalise

TMP = Path(tempfile.gettempdir())
OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else TMP / "pa-candidates.pkl"
settings = Settings(index_dir=TMP / "pa-answer-variants.index")
assistant = Assistant.from_settings(settings)
cache = pickle.loads((TMP / "pa-answer-variants.pkl").read_bytes())
EVALS = Path(__file__).resolve().parents[2] / "evals"
cases = {(s, c.id): c for s in dict.fromkeys(s for s, _ in cache) for c in load_golden(EVALS / f"{s}.jsonl")}
out = []
for (s, cid), (standalone, passages) in cache.items():
    case = cases[(s, cid)]
    sc = assistant.answerer.scoring(standalone, passages)
    ans = assistant.answerer.answer(standalone, passages)
    facts = [normalise(f) for f in case.required_facts]
    cands = [
        dict(
            text=x.text,
            score=x.score,
            passage=x.passage,
            doc=x.doc_id,
            kind=x.kind,
            block=x.block,
            order=x.order,
            context=x.context,
            feats=dict(x.features),
            gold=[f for f in facts if f in normalise(x.text)],
        )
        for x in sc.sentences
    ]
    out.append(
        dict(
            set=s,
            id=cid,
            cat=case.category,
            q=case.question,
            standalone=standalone,
            answerable=case.answerable,
            facts=facts,
            exp=list(case.expected_doc_ids) + list(case.supporting_doc_ids),
            cands=cands,
            refused=ans.refused,
            answer=ans.text,
            passages=[p.chunk.text for p in passages],
        )
    )
OUT.write_bytes(pickle.dumps(out))
print(len(out))
