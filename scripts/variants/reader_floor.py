"""Session 41: a statement joins the answer's first only when the answer reader rates it no more than FLOOR logits
below the first (read against the whole question, in one pass). SCOPE=near (default): the floor applies to the
statements of the first one's passage (the snippet's continuation) and to the statements answering a later part of
the question; SCOPE=parts: to the latter alone; SCOPE=all: to every statement that joined. Measured, not kept
(docs/answer-selection.md, session 41)."""

import os

from programme_assistant.answering import extractive as ex
from programme_assistant.answering.citations import resolve
from programme_assistant.models import Answer

FLOOR = float(os.environ.get("FLOOR", "6"))
SCOPE = os.environ.get("SCOPE", "near")
A = ex.ExtractiveAnswerer


def _scoped(s, best, parts):
    if SCOPE == "all":
        return True
    return id(s) in parts or (SCOPE == "near" and s.passage == best.passage)


def apply(assistant):
    quote = A._quote

    def quoting(self, question, scoring, passages, evidence):
        scoring = self.reordered(question, scoring)
        first, languages, language = self.composition(question, passages)
        chosen = self._select(scoring.sentences, first, languages, self.gate(scoring))
        if self.reordering is not None and len(chosen) > 1:
            logits = self.reordering.reader.logits(question, [ex.read_in_context(s.context, s.text) for s in chosen])
            parts = {id(s) for s in first}
            chosen = [chosen[0], *(s for s, logit in zip(chosen[1:], logits[1:], strict=True)
                                   if logit >= logits[0] - FLOOR
                                   or not _scoped(s, chosen[0], parts))]
        text, sources = self.compose(chosen, passages, language)
        resolved = resolve(text, passages, sources)
        return Answer(question=question, text=resolved.text, citations=resolved.citations,
                      unsupported=resolved.unsupported, evidence=evidence, answerer=self.name)

    A._quote = quoting
    return lambda: setattr(A, "_quote", quote)
