"""Write ``evals/topic-switch.jsonl``: conversations that change the subject.

Each case is an opening question of a held-out set (no history of its own: single-fact, onboarding, multi-document,
disagreement, unanswerable), asked after an unrelated opening question of another set (its ``history``). A
follow-up rewriter that carries the earlier question's words into it searches for the wrong thing; one that sees
the question stands alone answers it as if asked first. So the set measures what rewriting costs when the user
changes the subject, which the follow-up cases (every one leaning on its history) cannot show. Compare its figures
with those of the same questions asked alone (the source sets).

The cases come from held-out 6-13 (the learned follow-up judge was fitted on golden and held-out 1-5); the earlier
question is drawn with a fixed seed, so the file is the same on every run.

    python scripts/make_topic_switch_set.py [--sets heldout6,...] [--out evals/topic-switch.jsonl] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETS = ",".join(f"heldout{n}" for n in range(6, 14))


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT / "src"))
    from programme_assistant.evaluation.cases import load_golden

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default=SETS, help="the held-out sets the questions come from (comma-separated)")
    parser.add_argument("--out", type=Path, default=ROOT / "evals" / "topic-switch.jsonl")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    opening = [(name, case) for name in args.sets.split(",") if name
               for case in load_golden(ROOT / "evals" / f"{name}.jsonl") if not case.history]
    rng = random.Random(args.seed)
    lines = []
    for name, case in opening:
        earlier_set, earlier = rng.choice([(n, c) for n, c in opening if n != name])
        data = case.model_dump(exclude={"history_answers"})  # the earlier turn is another case's question alone
        data.update(id=f"sw-{name}-{case.id}".lower(), history=[earlier.question],
                    notes=f"{name} {case.id}, asked after {earlier_set} {earlier.id} (another subject)")
        lines.append(json.dumps(data, ensure_ascii=False))
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} cases -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
