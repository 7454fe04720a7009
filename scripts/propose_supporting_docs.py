"""Propose ``supporting_doc_ids`` for golden cases: documents, other than the expected (primary) sources, with a
sentence that states a required fact and shares words with the question (or with one part of a two-part
question). A restatement of the answer in a reference document (the who's who, the timeline, the glossary) is
a correct source to cite, so citation precision counts it; retrieval metrics still use ``expected_doc_ids`` alone.

    python scripts/propose_supporting_docs.py [evals/golden.jsonl]

Prints each proposal with its evidence sentence, for a person to review before adding it to the case: the
script finds candidates, it does not decide.
"""

import sys
from pathlib import Path

from programme_assistant.evaluation.cases import load_golden, normalise
from programme_assistant.ingest.sync import read_documents
from programme_assistant.text.parts import question_parts
from programme_assistant.text.sentences import content_words, sentence_spans

root = Path(__file__).resolve().parents[1]
path = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "evals" / "golden.jsonl"


def document_sentences(corpus_dir: Path) -> dict[str, list[str]]:
    """doc_id -> the normalised sentences of each line of the document's text."""
    return {doc.doc_id: [normalise(line[a:b]) for line in doc.text.splitlines() for a, b in sentence_spans(line)]
            for doc in read_documents(corpus_dir)}


texts = document_sentences(root / "corpus")
for case in load_golden(path):
    if not case.answerable:
        continue
    context = normalise(" ".join(case.history))
    # each part of a two-part question on its own: a document may state the answer to one part
    parts = [set(content_words(f"{context} {normalise(p)}")) for p in question_parts(case.question)]
    for doc_id, sentences in texts.items():
        if doc_id in case.expected_doc_ids or doc_id in case.supporting_doc_ids:
            continue
        for sentence in sentences:
            facts = [f for f in case.required_facts if normalise(f) in sentence]
            if not facts:
                continue
            words = set(content_words(sentence)) - {w for f in facts for w in content_words(normalise(f))}
            shared = next((asked & words for asked in parts if len(asked & words) >= max(3, 0.4 * len(asked))), None)
            if shared is not None:
                print(f"{case.id}\t{doc_id}\t{facts}\t{sorted(shared)}")
                print(f"    Q: {case.question}\n    S: {sentence[:300]}")
                break
