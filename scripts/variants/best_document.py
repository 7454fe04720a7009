"""More of the best document: its other chunks among the top K search results (up to M) join the passages,
at the end."""

import os

from programme_assistant.answering import extractive as ex

K = int(os.environ.get("K", "30"))
M = int(os.environ.get("M", "2"))
TOPD = int(os.environ.get("TOPD", "1"))
orig = ex.ExtractiveAnswerer.answer


def apply(a):
    search = a.search

    def answer(self, question, passages, reserve=()):
        if passages:
            docs = list(dict.fromkeys(p.chunk.doc_id for p in passages))[:TOPD]
            have = {p.chunk.chunk_id for p in passages}
            extra = [
                r for r in search.search(question, k=K) if r.chunk.doc_id in docs and r.chunk.chunk_id not in have
            ][:M]
            passages = list(passages) + extra
        return orig(self, question, passages, reserve)

    ex.ExtractiveAnswerer.answer = answer
    return lambda: setattr(ex.ExtractiveAnswerer, "answer", orig)
