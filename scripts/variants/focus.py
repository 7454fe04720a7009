"""Second semantic query: the question without its names, numbers and dates (the 'focus');
score += 0.6*L*(sim_focus - sim). ``own_question``, ``NAME`` and ``focus`` serve flex.py and focus_retrieval.py."""

import os
import re

import numpy as np
from answer_variants import patch_scoring

from programme_assistant.answering.extractive import read_in_context

L = float(os.environ.get("L", "0.5"))
NAME = re.compile(r"(?<!^)(?<![.?!]\s)\b(?:[A-Z][\w'’-]*|[\w-]*\d[\w-]*)\b")
MONTHS = r"January|February|March|April|May|June|July|August|September|October|November|December"


def own_question(question):
    """The question without the words the rewriter carried from the conversation (its trailing "(...)")."""
    return re.sub(r"\s*\([^()]*\)\s*$", "", question)


def focus(q):
    f = re.sub(rf"\b(?:\d{{1,2}}\s+)?(?:{MONTHS})(?:\s+\d{{4}})?\b", " ", q, flags=re.I)
    f = NAME.sub(" ", f.strip())
    f = re.sub(r"\s+", " ", f).strip()
    return f


def rescore(answerer, question, passages, scoring):
    if scoring.english:
        return None
    fq = focus(own_question(question))
    if len(fq.split()) < 3 or fq == question:
        return None
    q = np.asarray(answerer.embedder.embed_query(fq), dtype=np.float32)
    plain = answerer._vectors([s.text for s in scoring.sentences]) @ q
    ctx = answerer._vectors([read_in_context(s.context, s.text) for s in scoring.sentences]) @ q
    fs = np.maximum(plain, ctx)
    return [s.score + 0.6 * L * (float(v) - s.features["sim"]) for s, v in zip(scoring.sentences, fs, strict=True)]


def apply(a):
    return patch_scoring(rescore)


if __name__ == "__main__":
    for q in [
        "What was the main message of the DG ENER opening at the hydrogen webinar on 27 April 2023?",
        "Which fields did the IURC2 launch at KICK single out for pilot actions in Japan?",
        "Was R2R planning an extra study visit focused on advanced air mobility?",
        "is there a fee to attend the april 2023 webinar on smart specialisation for start-ups and open innovation?",
    ]:
        print(focus(q))
