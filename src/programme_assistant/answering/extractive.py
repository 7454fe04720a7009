"""The default answerer: no LLM. Picks the sentences of the retrieved passages that best answer the question
and composes a short answer of one to four of them, each followed by the [n] of its passage.

A sentence's score mixes semantic similarity to the question (the embedding model), lexical coverage of the
question's content words, and the rank of its passage. When the best score is under the refusal threshold
the answer is an honest refusal listing the nearest documents. When the chosen sentences come from different
documents and state different numbers or dates about the same thing, the answer says the sources differ and
gives both, each with its citation.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from programme_assistant.answering.base import refusal_answer
from programme_assistant.citations import resolve
from programme_assistant.models import Answer, RetrievedChunk
from programme_assistant.sentences import content_words, sentence_spans

_NUMBERISH = re.compile(r"\b\d[\d,.\-–]*\b")
_DATE = re.compile(r"\b(1[89]|20)\d\d\b|\b\d{1,2}\s+(January|February|March|April|May|June|July|August|September|"
                   r"October|November|December)\b", re.IGNORECASE)
_PLACE = re.compile(r"\b(at|in|to|from)\s+(the\s+)?[A-Z][\w'’-]+")
_NAME = re.compile(r"\b[A-Z][\w'’-]+")
_LEANS_BACK = re.compile(r"^(It|Its|They|Their|Them|He|She|His|Her|Both|Each|Such)\b")
_MARKUP = re.compile(r"^\s*(?:#{1,6}\s+|[-*•]\s+|\d+[.)]\s+|>\s*)|\*\*|__|`")


@dataclass(frozen=True)
class ScoredSentence:
    passage: int  # 1-based passage number
    doc_id: str
    text: str  # display text (markup stripped)
    semantic: float
    lexical: float
    score: float


@dataclass
class ExtractiveConfig:
    # Weights of the sentence score. Semantic similarity carries most of the signal; lexical coverage rewards
    # sentences that contain the question's names and numbers; rank prefers the retriever's best passages.
    semantic_weight: float = 0.6
    lexical_weight: float = 0.3
    rank_weight: float = 0.1
    # Bonus for a sentence holding the kind of thing the question asks for (a date for "when", a number for
    # "how many", a place for "where", a name for "who/which").
    answer_type_weight: float = 0.1
    max_sentences: int = 4
    # Extra sentences must score at least this share of the best one, so the answer stays on the question.
    keep_ratio: float = 0.9
    # Refuse when the best sentence scores below this (see Settings.refusal_threshold for its calibration).
    refusal_threshold: float = 0.45
    min_sentence_chars: int = 25
    min_sentence_words: int = 6
    max_sentence_chars: int = 600


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, embedder: Embeddings, config: ExtractiveConfig | None = None, cache_size: int = 20000) -> None:
        self.embedder = embedder
        self.config = config or ExtractiveConfig()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size

    # --- scoring --------------------------------------------------------------------------------
    def _vectors(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            for text, vec in zip(missing, self.embedder.embed_documents(missing), strict=True):
                self._cache[text] = np.asarray(vec, dtype=np.float32)
                if len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        for t in texts:
            self._cache.move_to_end(t)
        return np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, 1), dtype=np.float32)

    def candidates(self, passages: list[RetrievedChunk]) -> list[tuple[int, str]]:
        """(passage number, sentence) pairs worth answering with: statements, not headings or labels. A sentence
        leaning on the one before ("It was ...") carries that one along; one that introduces a list ("...:")
        carries the list."""
        out = []
        for number, passage in enumerate(passages, start=1):
            text = passage.chunk.text
            spans = sentence_spans(text)
            previous = ""
            for i, (s, e) in enumerate(spans):
                raw = text[s:e]
                if raw.lstrip().startswith("#"):
                    previous = ""
                    continue  # headings are context, not answers
                own = _MARKUP.sub("", raw).strip()
                clean = own
                if _LEANS_BACK.match(own) and previous:
                    clean = f"{previous} {own}"
                if own.endswith(":"):
                    items = []
                    for s2, e2 in spans[i + 1:i + 9]:
                        line = text[s2:e2]
                        if not re.match(r"\s*(?:[-*•]|\d+[.)])\s+", line) and "|" not in line:
                            break
                        items.append(_MARKUP.sub("", line).strip().rstrip(".;") )
                    if items:
                        clean = f"{own} " + "; ".join(items) + "."
                previous = own
                if len(clean.split()) < self.config.min_sentence_words or not re.search(r"[.!?:;…]$|\d$", clean):
                    continue  # a title or label line, not a statement
                if "|" in clean and not re.search(r"\d", clean) and all(
                        len(cell.split()) <= 5 for cell in clean.split("|")):
                    continue  # a table header or a row of labels
                if self.config.min_sentence_chars <= len(clean) <= self.config.max_sentence_chars:
                    out.append((number, clean))
        return out

    def score(self, question: str, passages: list[RetrievedChunk]) -> list[ScoredSentence]:
        cands = self.candidates(passages)
        if not cands:
            return []
        q = np.asarray(self.embedder.embed_query(question), dtype=np.float32)
        sims = self._vectors([c[1] for c in cands]) @ q
        q_words = set(content_words(question))
        cand_words = [set(content_words(text)) for _, text in cands]
        # Local IDF: a question word found in every candidate (the subject everyone mentions) tells the
        # sentences apart less than one found in few of them.
        n = len(cands)
        idf = {w: math.log(1 + n / (1 + sum(w in cw for cw in cand_words))) for w in q_words}
        idf_total = sum(idf.values()) or 1.0
        cfg = self.config
        scored = []
        for (number, text), sim, words in zip(cands, sims, cand_words, strict=True):
            lexical = sum(idf[w] for w in q_words & words) / idf_total if q_words else 0.0
            rank = 1.0 / number
            total = (cfg.semantic_weight * float(sim) + cfg.lexical_weight * lexical + cfg.rank_weight * rank
                     + cfg.answer_type_weight * _answer_type_match(question, text, q_words))
            doc_id = passages[number - 1].chunk.doc_id
            scored.append(ScoredSentence(number, doc_id, text, float(sim), lexical, total))
        scored.sort(key=lambda s: -s.score)
        return scored

    # --- composing ------------------------------------------------------------------------------
    def _select(self, scored: list[ScoredSentence]) -> list[ScoredSentence]:
        best = scored[0]
        chosen = [best]
        for s in scored[1:]:
            if len(chosen) == self.config.max_sentences or s.score < self.config.keep_ratio * best.score:
                break
            words = set(content_words(s.text))
            if any(_overlap(words, set(content_words(c.text))) > 0.6 and not _differ(s, c, chosen)
                   for c in chosen):
                continue  # says nothing new
            chosen.append(s)
        return chosen

    def compose(self, scored: list[ScoredSentence], passages: list[RetrievedChunk]) -> str:
        chosen = self._select(scored)
        parts = [_cite(s.text, s.passage) for s in chosen]
        conflict = any(_differ(a, b, chosen) for i, a in enumerate(chosen) for b in chosen[i + 1:])
        text = " ".join(parts)
        return ("The sources differ on this. " + text) if conflict else text

    def answer(self, question: str, passages: list[RetrievedChunk]) -> Answer:
        scored = self.score(question, passages)
        best = scored[0] if scored else None
        evidence = {"best_sentence_score": round(best.score, 4) if best else 0.0,
                    "best_semantic": round(best.semantic, 4) if best else 0.0,
                    "best_lexical": round(best.lexical, 4) if best else 0.0,
                    "top_passage_dense": round(max((p.dense_score or 0.0) for p in passages), 4) if passages else 0.0}
        if best is None or best.score < self.config.refusal_threshold:
            return refusal_answer(question, passages, self.name, evidence)
        resolved = resolve(self.compose(scored, passages), passages)
        return Answer(question=question, text=resolved.text, citations=resolved.citations,
                      unsupported=resolved.unsupported, evidence=evidence, answerer=self.name)

    def stream(self, question: str, passages: list[RetrievedChunk]) -> Iterator[str | Answer]:
        answer = self.answer(question, passages)
        for piece in re.split(r"(?<=[.!?\]])\s+", answer.text):
            yield piece + " "
        yield answer


def _cite(sentence: str, number: int) -> str:
    """``Sentence [n].``: the marker inside the sentence it supports."""
    m = re.search(r"[.!?…]+[\"'”’)\]]*$", sentence)
    if m:
        return f"{sentence[:m.start()]} [{number}]{sentence[m.start():]}"
    return f"{sentence} [{number}]"


def _answer_type_match(question: str, sentence: str, q_words: set[str]) -> float:
    """1.0 when the sentence holds what the question word asks for, else 0 (unknown question type: 0.5)."""
    q = question.lower()
    new_names = [n for n in _NAME.findall(sentence) if n.lower() not in q_words and n.lower() not in q]
    if re.search(r"\b(when|what date|which date|what year|cu[aá]ndo|quando|quan|depuis quand)\b", q):
        return 1.0 if _DATE.search(sentence) else 0.0
    if re.search(r"\bhow (many|much|long)\b|\bcu[aá]nt|\bquant|\bcombien", q):
        return 1.0 if re.search(r"\d", sentence) else 0.0
    if re.search(r"\b(where|d[oó]nde|dove|o[uù]|on)\b", q):
        return 1.0 if _PLACE.search(sentence) and new_names else 0.0
    if re.search(r"\b(who|which|whom|qui[eé]n|chi|quel|quin)\b", q):
        return 1.0 if new_names else 0.0
    return 0.5


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))


def _differ(a: ScoredSentence, b: ScoredSentence, chosen: list[ScoredSentence]) -> bool:
    """Two sentences about the same thing (shared content words) that state different numbers or dates."""
    if a.doc_id == b.doc_id:
        return False
    na, nb = set(_NUMBERISH.findall(a.text)), set(_NUMBERISH.findall(b.text))
    if not na or not nb or na <= nb or nb <= na:
        return False
    return _overlap(set(content_words(a.text)), set(content_words(b.text))) >= 0.3
