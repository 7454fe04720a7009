"""Multi-part questions: each part retrieved too; passages = whole question's, plus each part's best P not already
there (MODE=union), or RRF-merged to k (MODE=rrf)."""

import os

from programme_assistant.answering import extractive as ex
from programme_assistant.text.parts import question_parts

P = int(os.environ.get("P", "2"))
MODE = os.environ.get("MODE", "union")
orig = ex.ExtractiveAnswerer.answer


def apply(a):
    search = a.search

    def answer(self, question, passages, reserve=()):
        parts = question_parts(question)
        if len(parts) > 1:
            lists = [passages] + [search.search(p) for p in parts]
            if MODE == "union":
                seen = {p.chunk.chunk_id for p in passages}
                extra = []
                for ranked in lists[1:]:
                    for p in ranked[:P]:
                        if p.chunk.chunk_id not in seen:
                            seen.add(p.chunk.chunk_id)
                            extra.append(p)
                passages = list(passages) + extra
            else:
                score = {}
                byid = {}
                for ranked in lists:
                    for r, p in enumerate(ranked):
                        score[p.chunk.chunk_id] = score.get(p.chunk.chunk_id, 0) + 1 / (60 + r)
                        byid[p.chunk.chunk_id] = p
                passages = [byid[i] for i in sorted(score, key=lambda i: -score[i])][: len(passages)]
        return orig(self, question, passages, reserve)

    ex.ExtractiveAnswerer.answer = answer
    return lambda: setattr(ex.ExtractiveAnswerer, "answer", orig)
