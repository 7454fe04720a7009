"""Check a golden-set file against the corpus: python scripts/check_golden.py [evals/golden.jsonl]."""

import sys
from collections import Counter
from pathlib import Path

from programme_assistant.evaluation.cases import corpus_texts, load_golden, problems_against_corpus

root = Path(__file__).resolve().parents[1]
path = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "evals" / "golden.jsonl"
cases = load_golden(path)
problems = problems_against_corpus(cases, corpus_texts(root / "corpus"))
print("\n".join(problems) or "no problems")
print(dict(Counter(c.category for c in cases)), len(cases), "cases")
sys.exit(1 if problems else 0)
