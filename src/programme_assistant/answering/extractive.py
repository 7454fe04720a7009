"""The default answerer: no LLM. Picks the statements of the retrieved passages that best answer the question
and composes a short answer of one to four of them, each followed by the [n] of its passage.

Candidates are sentences, list items, key-value lines and table rows (``candidates.py``). A candidate's score
mixes semantic similarity to the question (the embedding model), lexical coverage of the question's words
weighted by how rare they are in the corpus (words of its heading count at half weight), whether it holds the
kind of thing the question asks for (``question.py``: a date for "when", a name for "who"), and the rank of
its passage; a candidate that only restates the question is marked down. When the learned refusal
(``answerability.py``) judges that the passages do not answer the question (or, without it, the best score is under
the refusal threshold), the answer is an honest refusal listing the nearest documents. When the chosen sentences
come from different documents and state different numbers or dates about the same thing, the answer says the
sources differ and gives both, each with its citation.
"""

from __future__ import annotations

import logging
import math
import os
import re
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
from langchain_core.embeddings import Embeddings

from programme_assistant.answering.answerability import (
    OPEN_TOP,
    READER_FEATURES,
    TOP,
    LearnedRefusal,
    clip_reader,
    probability_bounds,
    question_features,
    read_reader_features,
    uses_reader,
)
from programme_assistant.answering.base import nearest_documents, refusal_answer
from programme_assistant.answering.candidates import Candidate, CandidateLimits, passage_candidates, read_in_context
from programme_assistant.answering.citations import QuotedSource, resolve
from programme_assistant.answering.composer import WINDOW, Gate, learned_gate
from programme_assistant.answering.prompts import (
    ABSENCE_LEAD,
    OFFICE_NOT_NAMED,
    REFUSAL_TEXT,
    document_kind,
    other_language_lead,
    sources_differ,
)
from programme_assistant.answering.question import QuestionFocus, analyse, answer_signal
from programme_assistant.answering.ranker import LinearRanker, add_relative_features, candidate_features
from programme_assistant.answering.reader import PairScorer, Reordering
from programme_assistant.answering.refusal import (
    Requirement,
    documented_absence,
    left_open,
    states_absence,
    stating_office,
    unmet_requirement,
)
from programme_assistant.answering.rewrite import asked_part, leaning_on, names_in, points_back
from programme_assistant.models import Answer, RetrievedChunk, source_label
from programme_assistant.retrieval.vector_cache import VectorStore, fetch_vectors
from programme_assistant.text.dates import MONTH_ABBREVIATIONS, MONTHS, month_of
from programme_assistant.text.language import detect_language, english_gloss, reads_as_english, to_english
from programme_assistant.text.parts import names_item, question_parts, series_items
from programme_assistant.text.sentences import (
    content_words,
    label_head,
    question_words,
    same_question,
    sentence_spans,
)
from programme_assistant.text.tokens import Tokenizer

_NUMBERISH = re.compile(r"\b\d[\d,.\-–]*(?:st|nd|rd|th)?\b")
# A number that names an item rather than counting or dating something: "No.: 5", "no. 3", "#2", "item 4"
_IDENTIFIER_BEFORE = re.compile(r"(?:\bno\.?|\bnos\.?|\bnr\.?|\bnumber|\bitem|\bnº|#)\s*[:.]?\s*$", re.IGNORECASE)
# A sentence about the document itself ("This report summarises ...", "It lists what the strand did ..."): it
# says what the document covers, which answers a question about the document but rarely one about the programme.
_SELF_REFERENCE = re.compile(
    r"^(?:This|The present) (?:report|note|guide|glossary|pack|overview|item|document|summary|page|article|paper|"
    r"archive|section|chapter|brief|briefing|newsletter|press (?:note|release)|minutes)\b"
    r"|^It (?:lists|covers|records|sets out|summarises|summarizes|describes|explains|collects|profiles|"
    r"is meant|is intended)\b")
# ... unless the question asks what a document covers or is for. ("This overview does not give a budget" is
# not penalised: it is the documents' word that something is absent.)
_ASKS_ABOUT_DOCUMENT = re.compile(r"\b(?:cover|covers|covered|contain|contains|about|purpose|summari[sz]e|scope|"
                                  r"meant|intended|aimed)\b", re.IGNORECASE)


log = logging.getLogger(__name__)

@dataclass(frozen=True)
class ScoredSentence:
    passage: int  # 1-based passage number
    doc_id: str
    text: str  # display text (markup stripped)
    semantic: float
    lexical: float
    score: float
    kind: str = "sentence"
    block: int = 0
    answer_type: float = 0.5
    context: str = ""
    order: int = 0  # position of the candidate in its passage
    features: dict[str, float] = field(default_factory=dict, compare=False, repr=False)
    # the question's words this candidate holds (in its text or its gloss): what the learned refusal reads
    matched: frozenset[str] = field(default_factory=frozenset, compare=False, repr=False)
    # where in its passage's text the line(s) it was made from are (``Candidate.span``): what its citation quotes
    span: tuple[int, int] = field(default=(0, 0), compare=False, repr=False)

    def source(self) -> QuotedSource:
        return QuotedSource(self.passage, self.text, self.span, whole=self.kind != "sentence")


@dataclass(frozen=True)
class Scoring:
    """Every candidate of the passages scored for one question, best first, with what the question weighs."""

    sentences: list[ScoredSentence]
    weights: dict[str, float]  # each word of the question -> its weight (how rare it is in the corpus)
    focus: QuestionFocus
    english: str | None = None  # the question's English gloss, when it is in another language
    # the question names the kind of thing it asks for ("Which room ...?") and none of the best candidates (text or
    # heading) holds that word: what the learned refusal reads as ``attribute_missing``
    attribute_missing: bool = False
    # the order is not the hand-set score's: the learned correction moved the scores, or the answer reader reordered
    # the best (each candidate's hand-set score stays in its features["hand"])
    corrected: bool = False

    def judged(self) -> Scoring:
        """The scoring the refusal reads: the same candidates by the hand-set score alone, best first (score =
        hand), when a correction moved them. The threshold and the rules were set on that scale, and the correction
        learned which statement to quote, not whether the passages answer."""
        if not self.corrected:
            return self
        by_hand = sorted((replace(s, score=s.features["hand"]) for s in self.sentences), key=lambda s: -s.score)
        return replace(self, sentences=by_hand, corrected=False)


@dataclass
class ExtractiveConfig:
    # --- from Settings (assistant.extractive_config passes each; config.py says why each value) -------------
    # Refuse when the best candidate scores below this (Settings.refusal_threshold); None: no such floor, the
    # learned refusal alone judges whether the passages answer (it reads the best score among its features).
    refusal_threshold: float | None
    # At most this many sentences in an answer (Settings.max_answer_sentences).
    max_sentences: int
    # Extra sentences must score at least this share of the best one (Settings.extractive_keep_ratio).
    keep_ratio: float
    # The statements after the best one in its paragraph join it while they score this share of it
    # (Settings.extractive_continuation_ratio; 1.0 turns the snippet off).
    continuation_ratio: float
    # A sentence from another document than the best one must score this share of it
    # (Settings.extractive_other_document_ratio).
    other_document_ratio: float
    # No further sentence is added once the answer is this long (Settings.extractive_max_answer_chars).
    max_answer_chars: int
    # "Documented absence": among this many top candidates, one about the question that says the thing was not
    # published / not signed / is still to be decided turns the answer into a refusal quoting it
    # (Settings.extractive_absence_window; 0 turns it off).
    absence_window: int
    # The requirement rules (answering/refusal.py) look at this many top candidates
    # (Settings.extractive_requirement_window; 0 turns them off).
    requirement_window: int
    # Score a question in another language by its English gloss too (Settings.cross_language).
    cross_language: bool
    # The refusal rules in force, by name (Settings.refusal_rules; answering/refusal.py).
    refusal_rules: tuple[str, ...]
    # Passages after the retrieved ones read before answering or refusing (Settings.extractive_reserve), and how
    # many of the retrieved ones, from the last, the reserve's best may stand in for (extractive_reserve_slots).
    reserve: int = 0
    reserve_slots: int = 2
    # When the wider reading answers, its best statement is quoted instead of the retrieved passages' when it comes
    # from a passage they do not hold and scores this much higher than their best (Settings.extractive_reserve_margin).
    reserve_margin: float = math.inf
    # ... or when the answer reader rates the wider reading's first statement, in such a passage, above the retrieved
    # passages' first (Settings.extractive_reserve_reader; only with a reader).
    reserve_reader: bool = False
    # Each later part of a question of several parts is scored with the first part's words it leans on
    # (Settings.extractive_part_context).
    part_context: bool = False

    # --- the score's own weights (not settings: they are what the scoring is) -----------------------------
    # Semantic similarity carries most of the signal; lexical coverage rewards candidates that contain the
    # question's rare names and numbers; rank prefers the retriever's best passages.
    semantic_weight: float = 0.6
    lexical_weight: float = 0.3
    rank_weight: float = 0.1
    # Bonus for a candidate holding the kind of thing the question asks for (a date for "when", a number for
    # "how many", a place for "where", a name for "who/which") that the question does not already say.
    answer_type_weight: float = 0.1
    # Extra weight, for "What is X?" / "What does X stand for?", of a candidate that defines X ("X — ...",
    # "X (...)", "X is ..."): the question's embedding says little about which sentence defines the term.
    definition_weight: float = 0.15
    # Extra weight of a candidate under an FAQ heading that asks the question itself ("What were the 2023
    # webinars?"): the documents' own answer to it, whose words need not repeat the question's. Decisive.
    faq_weight: float = 1.0
    # Weight of the heading / list introduction in lexical coverage: it tells what a short line is about,
    # but the line itself is what the answer shows.
    context_weight: float = 0.5
    # Share of the semantic score taken from the candidate read under its heading, when that reads closer
    # ("Time: 9:00" under "First Exchange Meeting"); 1.0: the better of the two (golden fact recall +0.02).
    context_semantic_weight: float = 1.0
    # Weight of the question naming the candidate's document ("the Italian press note", "the mission report",
    # "the December 2022 news article"): its title, type and month are matched like its text.
    source_weight: float = 0.2
    # Penalty for a candidate that says nothing the question does not (fewer new words than this share).
    restatement_share: float = 0.3
    restatement_penalty: float = 0.1
    # Penalty for a sentence about the document itself (``_SELF_REFERENCE``) when the question is not about
    # what a document covers.
    self_reference_penalty: float = 0.1
    # A documented absence counts only in a candidate covering at least this share of the question's words.
    absence_min_lexical: float = 0.25
    limits: CandidateLimits = field(default_factory=CandidateLimits)


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, embedder: Embeddings, config: ExtractiveConfig, cache_size: int = 20000,
                 idf: Callable[[str], float] | None = None, ranker: LinearRanker | None = None,
                 vector_cache: VectorStore | None = None, refusal_model: LinearRanker | None = None,
                 correction: LinearRanker | None = None, composer: LinearRanker | None = None,
                 reordering: Reordering | None = None, answerability_reader: PairScorer | None = None,
                 other_language_refusal: LearnedRefusal | None = None) -> None:
        """``config``: built from Settings by ``assistant.extractive_config``; ``idf`` gives the corpus weight of
        a stemmed word (``HybridSearch.idf``); without it, words are weighed by how few of the candidates contain
        them. ``ranker``: the learned ranker, whose probability replaces the hand-set score. ``correction``: the
        learned correction added to the hand-set score (``scripts/train_correction.py``; not with a ranker).
        ``refusal_model``: the learned refusal (``answerability.py``): a question it gives a probability of being
        unanswered at or over its threshold is refused. ``composer``: the learned composer (``composer.py``), which
        decides which statements join the best one in place of the score ratios of ``config``. ``reordering``: the
        answer reader's reordering of the best candidates (``reader.py``). ``answerability_reader``: the model that
        says whether each of the best candidates answers, read by a refusal model fitted with its features
        (``answerability.READER_FEATURES``). ``other_language_refusal``: the learned refusal, and its reader, that
        judges a question that does not read as English (``text.language.reads_as_english``) in place of
        ``refusal_model`` (``answerability.MULTILINGUAL_REFUSAL_FILE``)."""
        self.embedder = embedder
        self.config = config
        self.ranker = ranker
        self.correction = correction if ranker is None else None
        self.refusal_model = refusal_model
        self.composer = composer
        self.reordering = reordering
        self.answerability_reader = answerability_reader
        self.other_language_refusal = other_language_refusal
        self.vector_cache = vector_cache
        self.idf = idf
        self._tokenizer: Tokenizer | None = None
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        # the last questions' vectors (a wider reading scores the same question again), and the candidates of the
        # last passages read, numbered 0 (every question about a passage reads the same ones)
        self._query_vector = lru_cache(maxsize=64)(self._embed_query)
        self._passage_candidates = lru_cache(maxsize=2048)(self._candidates_of)

    @property
    def reserve_passages(self) -> int:
        """How many passages after the retrieved ones the answerer reads before it answers or refuses."""
        return self.config.reserve

    @property
    def tokenizer(self) -> Tokenizer:
        if self._tokenizer is None:
            self._tokenizer = Tokenizer()
        return self._tokenizer

    # --- scoring --------------------------------------------------------------------------------
    def _fetch(self, texts: list[str]) -> tuple[dict[str, np.ndarray], int]:
        """The vectors of ``texts`` (distinct): from the vector cache (filled by a sync's ``prepare`` or an earlier
        question), the others embedded now and kept there. Also says how many were embedded."""
        return fetch_vectors(self.vector_cache, self.embedder.embed_documents, texts)

    def _vectors(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            for text, vec in self._fetch(missing)[0].items():
                self._cache[text] = vec
                if len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        for t in texts:
            self._cache.move_to_end(t)
        return np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, 1), dtype=np.float32)

    def _embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self.embedder.embed_query(text), dtype=np.float32)

    def _candidates_of(self, text: str, section: str, table_header: str = "") -> tuple[Candidate, ...]:
        return tuple(passage_candidates(0, text, section, self.config.limits, table_header))

    def _reading(self, cands: list[Candidate], passages: list[RetrievedChunk]) -> list[str]:
        """What each candidate is embedded and matched as (its English gloss when cross-language is on)."""
        return self._readings(cands, passages) if self.config.cross_language else [c.text for c in cands]

    @staticmethod
    def _in_context(cands: list[Candidate], read: list[str]) -> list[str]:
        """Each candidate as read under its heading or list introduction."""
        return [read_in_context(c.context, r) for c, r in zip(cands, read, strict=True)]

    def prepare(self, passages: list[RetrievedChunk]) -> int:
        """Embed the candidates of ``passages`` ahead of any question (a sync calls this for the passages it
        stores) and keep their vectors in the vector cache. Returns how many texts were embedded."""
        if self.vector_cache is None or not passages:
            return 0
        cands = self.candidates(passages)
        read = self._reading(cands, passages)
        return self._fetch(list(dict.fromkeys([*read, *self._in_context(cands, read)])))[1]

    def candidates(self, passages: list[RetrievedChunk]) -> list[Candidate]:
        """Statements worth answering with, from every passage (see ``candidates.py``)."""
        out: list[Candidate] = []
        for number, passage in enumerate(passages, start=1):
            out.extend(replace(c, passage=number)
                       for c in self._passage_candidates(passage.chunk.text, passage.chunk.section,
                                                         passage.chunk.table_header))
        return out

    def _focus(self, question: str) -> tuple[str | None, QuestionFocus]:
        """The English gloss of a question in another language (crosslingual.py), and what it asks for."""
        english = to_english(question) if self.config.cross_language else None
        focus = analyse(question)
        if english and not focus.expects:
            focus = analyse(english)
        return english, focus

    @staticmethod
    def _readings(cands: list[Candidate], passages: list[RetrievedChunk]) -> list[str]:
        """What each candidate is scored as: its text, or for a passage in a lexicon language (Spanish, Italian,
        Catalan, French) its word-by-word English gloss."""
        return [english_gloss(c.text, passages[c.passage - 1].language) or c.text for c in cands]

    def _weights(self, q_terms: set[str], cand_terms: list[set[str]]) -> dict[str, float]:
        if self.idf is not None:
            return {t: self.idf(t) for t in q_terms}
        n = len(cand_terms)  # local fallback: a word in every candidate tells them apart less than a rare one
        return {t: math.log(1 + n / (1 + sum(t in c for c in cand_terms))) for t in q_terms}

    def score(self, question: str, passages: list[RetrievedChunk]) -> list[ScoredSentence]:
        """Every candidate of the passages, best first (see ``scoring``)."""
        return self.scoring(question, passages).sentences

    def scoring(self, question: str, passages: list[RetrievedChunk]) -> Scoring:
        """Every candidate of the passages, best first. Each carries the features it was scored on
        (``ranker.FEATURES``); its ``score`` is the learned ranker's probability that it answers the question
        when a ranker is given, else the hand-set mix of ``ExtractiveConfig`` (plus the learned correction, when
        one is given)."""
        cands = self.candidates(passages)
        english, focus = self._focus(question)
        if not cands:
            return Scoring([], {}, focus, english)
        cfg = self.config
        q = self._query_vector(english or question)
        # a candidate in another language is read (embedded and matched) by its English gloss too, so that an
        # English question about a Spanish press note can find its sentence (the answer shows the original)
        read = self._reading(cands, passages)
        plain = self._vectors(read) @ q
        sims = plain
        if cfg.context_semantic_weight > 0:  # "Time: 9:00" means little without "First Exchange Meeting" above it
            in_context = self._vectors(self._in_context(cands, read)) @ q
            sims = (1 - cfg.context_semantic_weight) * sims + cfg.context_semantic_weight * np.maximum(sims, in_context)
        q_terms = set(self.tokenizer(f"{question} {english}" if english else question))
        cand_terms = [set(self.tokenizer(c.text if r == c.text else f"{c.text} {r}")) for c, r in zip(cands, read,
                                                                                                       strict=True)]
        # a table row's column names are every row's: in its coverage of the question they count as its context,
        # its cells as its words
        own_terms = [set(self.tokenizer(c.cells)) if c.cells else terms for c, terms in zip(cands, cand_terms,
                                                                                             strict=True)]
        ctx_terms = [set(self.tokenizer(f"{c.context} {c.columns}")) for c in cands]
        weights = self._weights(q_terms, cand_terms)
        total_weight = sum(weights.values()) or 1.0
        labels = [source_label(p.title, p.doc_type, p.date, p.language, p.chunk.doc_id) for p in passages]
        source = [sum(weights[t] for t in q_terms & set(self.tokenizer(label))) / total_weight for label in labels]
        asks_about_document = bool(_ASKS_ABOUT_DOCUMENT.search(f"{question} {english or ''}"))
        self_penalty = 0.0 if asks_about_document else cfg.self_reference_penalty
        rows: list[dict[str, float]] = []
        hand: list[float] = []
        matched = [frozenset(q_terms & terms) for terms in cand_terms]
        asked = question_words(question)
        for cand, sim, raw, terms, own, ctx in zip(cands, sims, plain, cand_terms, own_terms, ctx_terms,
                                                   strict=True):
            found = sum(weights[t] for t in q_terms & own)
            in_text = found / total_weight if q_terms else 0.0
            found += cfg.context_weight * sum(weights[t] for t in (q_terms & ctx) - own)
            lexical = found / total_weight if q_terms else 0.0
            signal = answer_signal(focus, cand.text, question)
            # defines the term asked about, or stands under an FAQ heading that asks this very question
            faq_entry = bool(cand.context) and same_question(question_words(cand.context), asked)
            defining = cfg.faq_weight if faq_entry else cfg.definition_weight if focus.term and signal == 1.0 \
                else 0.0
            new_share = len(terms - q_terms) / max(1, len(terms))
            self_reference = bool(_SELF_REFERENCE.match(cand.text)) and not states_absence(cand.text)
            hand.append(cfg.semantic_weight * float(sim) + cfg.lexical_weight * lexical
                        + cfg.rank_weight / cand.passage + cfg.answer_type_weight * signal
                        + cfg.source_weight * source[cand.passage - 1] + defining
                        - (cfg.restatement_penalty if new_share < cfg.restatement_share else 0.0)
                        - (self_penalty if self_reference else 0.0))
            rows.append(candidate_features(
                cand, sim=float(sim), plain_sim=float(raw), lexical=lexical, lexical_in_text=in_text, signal=signal,
                expects=focus.expects, defines=bool(defining), source=source[cand.passage - 1], new_share=new_share,
                self_reference=self_reference and not asks_about_document))
            rows[-1]["faq_entry"] = float(faq_entry)  # read by _select; not a ranker feature
        add_relative_features(rows, cands, hand)
        attribute = set(self.tokenizer(focus.attribute)) & q_terms if focus.attribute else set()
        top = sorted(range(len(cands)), key=lambda i: -hand[i])[:TOP] if attribute else []
        attribute_missing = bool(attribute) and not any(attribute & (cand_terms[i] | ctx_terms[i]) for i in top)
        if self.ranker is not None:
            totals = self.ranker.probabilities(rows)
        elif self.correction is not None:  # the hand score, moved by what the correction learned it misses
            totals = [h + float(c) for h, c in zip(hand, self.correction.margins(rows), strict=True)]
        else:
            totals = hand
        scored = []
        for cand, total, row, held in zip(cands, totals, rows, matched, strict=True):
            doc_id = passages[cand.passage - 1].chunk.doc_id
            scored.append(ScoredSentence(cand.passage, doc_id, cand.text, row["sim"], row["lexical"], float(total),
                                         cand.kind, cand.block, row["signal"], cand.context, cand.order, row, held,
                                         cand.span))
        scored.sort(key=lambda s: -s.score)
        return Scoring(scored, weights, focus, english, attribute_missing, corrected=self.correction is not None)

    def reordered(self, question: str, scoring: Scoring) -> Scoring:
        """The scoring with its best ``reordering.top`` candidates in the answer reader's order, their score values
        kept in place (the first still has the best score, so the ratios that choose which statements join it read
        the same scale); the scoring itself without a reader, or when the reader changes nothing. Only what is
        quoted is reordered: whether to answer is judged without the reader."""
        scored = scoring.sentences
        if self.reordering is None or len(scored) < 2:
            return scoring
        top = scored[:self.reordering.top]
        try:
            order = self.reordering.reorder(question, [read_in_context(s.context, s.text) for s in top],
                                            [s.score for s in top])
        except Exception:  # noqa: BLE001 - the reader only reorders: an answer in the answerer's order beats none
            log.warning("the answer reader failed on %r; answering in the answerer's own order", question[:200],
                        exc_info=True)
            return scoring
        if order == list(range(len(top))):
            return scoring
        moved = [*(replace(top[i], score=s.score) for i, s in zip(order, top, strict=True)), *scored[len(top):]]
        # (with the learned ranker, its scale is the one the refusal reads: the reordered list keeps its values)
        return replace(scoring, sentences=moved, corrected=scoring.corrected or self.ranker is None)

    # --- composing ------------------------------------------------------------------------------
    def _ratio_gate(self, s: ScoredSentence, chosen: list[ScoredSentence], rank: int, continues: bool) -> bool:
        """Whether ``s`` joins the answer by the score ratios of the config (without a composer): a statement that
        follows the last chosen in its paragraph while it scores ``continuation_ratio`` of the best; another while
        it scores ``keep_ratio`` of it, and from another document only when it states different numbers or dates
        about the same thing, or scores ``other_document_ratio`` of the best."""
        cfg, best = self.config, chosen[0]
        if continues:
            return s.score >= cfg.continuation_ratio * best.score
        if s.score < cfg.keep_ratio * best.score:
            return False
        return (s.doc_id == best.doc_id or s.score >= cfg.other_document_ratio * best.score
                or differs_from(s, chosen))

    def gate(self, scoring: Scoring) -> Gate:
        """What decides whether a statement joins the answer to ``scoring``'s question: the learned composer when
        there is one, else the score ratios (``_ratio_gate``)."""
        if self.composer is None:
            return self._ratio_gate
        return learned_gate(self.composer, scoring.weights, differs_from)

    def composition(self, question: str, passages: list[RetrievedChunk]
                    ) -> tuple[list[ScoredSentence], list[str] | None, str | None]:
        """What composing an answer to ``question`` reads besides its scoring (``_select``): the best statement for
        each part of a question of several parts, each passage's language when the question's is known, and the
        question's language."""
        parts = question_parts(question)
        items = series_items(question) if len(parts) > 1 else {}
        first: list[ScoredSentence] = []
        for i, part in enumerate(parts if len(parts) > 1 else []):
            if part in items:
                # a part about one item of a series ("the third meeting" of "the third and the fourth meetings"):
                # its best statement that is about that item, if one is
                about = _about_item(self.score(part, passages), passages, *items[part])
                first.extend([about] if about is not None else [])
            elif i and self.config.part_context and (points_back(part) or not names_in(part)):
                # a later part that names no subject of its own ("and how many by the end of 2024?") is asked with
                # the first part's words it leans on, as a follow-up is searched, and answered by a statement that
                # does not answer an earlier part already
                found = self.score(leaning_on(part, parts[0]), passages)
                taken = {(s.passage, s.block, s.order) for s in first}
                first.append(next((s for s in found if (s.passage, s.block, s.order) not in taken), found[0]))
            else:
                first.append(self.score(part, passages)[0])
        language = detect_language(question, among_lexicon=True)
        return first, ([p.language for p in passages] if language else None), language

    def statements(self, question: str, scoring: Scoring, passages: list[RetrievedChunk],
                   gate: Gate | None = None) -> list[ScoredSentence]:
        """The statements an answer to ``question`` quotes (``_select``), best first; ``gate``: what decides which
        join the best one (default ``gate(scoring)``; a test's gate records what it is offered)."""
        first, languages, _ = self.composition(question, passages)
        return self._select(scoring.sentences, first, languages, gate or self.gate(scoring))

    def _select(self, scored: list[ScoredSentence], first: list[ScoredSentence] | None = None,
                languages: list[str] | None = None, gate: Gate | None = None) -> list[ScoredSentence]:
        """The answer's statements: a snippet around the best candidate (the statements that follow it in its
        paragraph while they score ``continuation_ratio`` of it: a sentence that introduces the answer brings the
        one that completes it); ``first`` (the best answer to each part of a question of several parts); then,
        unless the best is an FAQ entry answering the question itself, others close to the best that add
        something, and never one about another item of a series the best names as the question does ("Group 1"
        beside "Group A": ``_names_another``). ``gate`` decides which of those offered join (default: the score
        ratios, ``_ratio_gate``); a composer sees the ``composer.WINDOW`` best after the best. Within the length. With
        ``languages`` (each passage's), the statements are in the best one's language, except one that states
        different numbers: one answer does not mix languages."""
        cfg = self.config
        joins = gate or self._ratio_gate
        learned = gate is not None and gate != self._ratio_gate
        best = scored[0]
        rank_of = {id(s): i for i, s in enumerate(scored)}
        if languages:
            language = languages[best.passage - 1]
            scored = [s for s in scored if languages[s.passage - 1] == language or _differ(s, best)]
            first = [s for s in first or [] if languages[s.passage - 1] == language]
        chosen = [best]
        length, count = len(best.text), _sentence_count(best.text)
        if cfg.continuation_ratio < 1.0 or learned:
            by_place = {(s.passage, s.block, s.order): s for s in scored}
            following = by_place.get((best.passage, best.block, best.order + 1))
            while (following is not None and following.kind == "sentence" and count < cfg.max_sentences
                   and length + len(following.text) <= cfg.max_answer_chars
                   and not _sentences(following.text) & _sentences(chosen[-1].text)
                   and joins(following, chosen, rank_of[id(following)], True)):
                chosen.append(following)
                length, count = length + len(following.text), count + _sentence_count(following.text)
                following = by_place.get((following.passage, following.block, following.order + 1))
        continued = len(chosen) - 1  # the statements that followed the best one in its paragraph
        for s in first or []:
            if any(_repeats(s, c) for c in chosen):
                continue
            if len(chosen) >= cfg.max_sentences and continued:
                # each part's answer before the last of the paragraph's following statements: "the fourth
                # meeting's" four statements leave no room for the third's
                chosen.pop(continued)
                continued -= 1
            if len(chosen) < cfg.max_sentences:
                chosen.append(s)
        length = sum(len(c.text) for c in chosen)
        count = sum(_sentence_count(c.text) for c in chosen)
        # the labels the question names ("Group A", "Phase 2"), when the best statement holds one of them
        asked_labels = frozenset(t for c in scored for t in c.matched if label_head(t))
        asked_labels = asked_labels if asked_labels & best.matched else frozenset()
        for rank, s in enumerate(scored[1:], start=1):
            if count >= cfg.max_sentences or (learned and rank > WINDOW) \
                    or (not learned and s.score < cfg.keep_ratio * best.score):
                break
            if best.features.get("faq_entry") and s.passage != best.passage:
                continue  # an FAQ's own answer to the question is complete: nothing from elsewhere pads it
            if s in chosen:
                continue
            if s.kind == "row" and not s.features.get("lexical_in_text") and best.kind == "row" \
                    and best.features.get("lexical_in_text"):
                # the best row holds the question's words in its own cells; a row holding none in its own was
                # chosen for its column names, which every row of its table shares
                continue
            if length + len(s.text) > cfg.max_answer_chars or count + _sentence_count(s.text) > cfg.max_sentences:
                continue
            if self._names_another(s, asked_labels):
                continue
            if any(_repeats(s, c) for c in chosen) or not joins(s, chosen, rank_of[id(s)], False):
                continue
            chosen.append(s)
            length += len(s.text)
            count += _sentence_count(s.text)
        return _without_said_again(_whole_lists(chosen, scored))

    def _names_another(self, s: ScoredSentence, asked: frozenset[str]) -> bool:
        """``s`` names another item of a series the question names an item of, and none the question names: "Group
        1" or "Group B" when the question asks about "Group A" (``asked``: the labels the question names)."""
        if not asked or asked & s.matched:
            return False
        heads = {label_head(t) for t in asked}
        return any(label_head(t) in heads for t in self.tokenizer(s.text))

    def compose(self, chosen: list[ScoredSentence], passages: list[RetrievedChunk],
                question_language: str | None = None) -> tuple[str, list[QuotedSource]]:
        """The answer's text quoting the ``chosen`` statements (``statements``), and where each comes from (for
        the citations' quotes). When ``question_language`` is not that of the first statement's passage, a short
        lead-in in the question's language says which it is ("Source in Spanish.")."""
        parts = [_cite(s.text, s.passage) for s in chosen]
        text = " ".join(parts)
        conflicts = [(a, b) for i, a in enumerate(chosen) for b in chosen[i + 1:] if _differ(a, b)]
        if conflicts:
            a, b = conflicts[0]
            text = f"{_what_differs(a, b, passages)} {text}"
        lead = other_language_lead(question_language, passages[chosen[0].passage - 1].language) \
            if question_language else ""
        return (f"{lead} {text}" if lead else text), [s.source() for s in chosen]

    def unanswered_probability(self, question: str, scoring: Scoring, passages: list[RetrievedChunk],
                               model: LinearRanker, reader: PairScorer | None) -> tuple[float, bool]:
        """The probability that the passages do not answer the question by the learned refusal ``model`` (the one
        that judges it, ``refusal_for``, with its answerability ``reader``), and whether the reader was read for it.
        The reader is not read when the other features decide whatever it would say within its training range
        (``probability_bounds``): the probability is then that bound on the decided side (at most it when answered,
        at least it when refused)."""
        row = question_features(scoring.sentences, scoring.weights, scoring.focus.expects, passages,
                                attribute_missing=scoring.attribute_missing)
        if not uses_reader(model):
            return model.probabilities([row])[0], False
        bounds = probability_bounds(model, row)
        if bounds is not None and bounds[1] < model.threshold:
            return bounds[1], False
        if bounds is not None and bounds[0] >= model.threshold:
            return bounds[0], False
        row.update(self._reader_row(question, scoring, model, reader))
        return model.probabilities([clip_reader(model, row)])[0], True

    def refusal_for(self, question: str) -> tuple[LinearRanker | None, PairScorer | None]:
        """The learned refusal that judges ``question`` and the answerability reader it reads: the one of questions
        in other languages (``other_language_refusal``) when there is one and the question does not read as English,
        else ``refusal_model`` and ``answerability_reader``."""
        other = self.other_language_refusal
        if other is not None and self.refusal_model is not None and not reads_as_english(question):
            return other.model, other.reader
        return self.refusal_model, self.answerability_reader

    def _reader_row(self, question: str, scoring: Scoring, model: LinearRanker,
                    reader: PairScorer | None) -> dict[str, float]:
        """The answerability ``reader``'s features of the best candidates; when it is missing or fails, the values
        the refusal model was fitted around (its means), so that its other features decide."""
        if reader is not None:
            try:
                return read_reader_features(reader, question, scoring.sentences)
            except Exception:  # noqa: BLE001 - one feature lost: the refusal still reads the others
                log.warning("the answerability reader failed on %r; judging without it", question[:200],
                            exc_info=True)
        return {n: float(m) for n, m in zip(model.names, model.mean, strict=True) if n in READER_FEATURES}

    def answer(self, question: str, passages: list[RetrievedChunk],
               reserve: Sequence[RetrievedChunk] = ()) -> Answer:
        """The answer from ``passages``, judged on a wider reading when there is a ``reserve`` (``wider``): when
        that reading refuses, the answer is its refusal; when it answers, the answer is quoted from ``passages``,
        unless they alone refuse or the wider reading's best statement is in a passage they do not hold and scores
        ``reserve_margin`` above their best: then it is quoted from the wider reading's passages."""
        wider = self.wider(question, passages, reserve) if reserve and self.config.reserve else None
        if wider is None:
            scoring, evidence, refusal = self._judge(question, passages)
            return refusal if refusal is not None else self._quote(question, scoring, passages, evidence)
        scoring, evidence, refusal = self._judge(question, wider)
        if refusal is not None:
            return refusal
        own_scoring, own_evidence, own_refusal = self._judge(question, passages)
        if own_refusal is None and not self._reads_better(scoring, wider, own_scoring, passages) \
                and not self._reader_prefers(question, scoring, wider, own_scoring, passages):
            return self._quote(question, own_scoring, passages, own_evidence)
        return self._quote(question, scoring, wider, evidence)

    def _reads_better(self, scoring: Scoring, wider: list[RetrievedChunk], own: Scoring,
                      passages: list[RetrievedChunk]) -> bool:
        """Whether the wider reading's best statement comes from a passage not among ``passages`` and scores
        ``reserve_margin`` above their own best."""
        if not scoring.sentences or not own.sentences:
            return False
        top = scoring.sentences[0]
        return (wider[top.passage - 1].chunk.chunk_id not in {p.chunk.chunk_id for p in passages}
                and top.score >= own.sentences[0].score + self.config.reserve_margin)

    def _reader_prefers(self, question: str, scoring: Scoring, wider: list[RetrievedChunk], own: Scoring,
                        passages: list[RetrievedChunk]) -> bool:
        """Whether the answer reader rates the wider reading's first statement (in its order, ``reordered``) above
        the retrieved passages' first, when it comes from a passage they do not hold (``reserve_reader``): the
        reader tells the statement that answers from the one about the question, which the scores' margin does not;
        but it does not read the statement's source, so not when the question names the retrieved one's document more
        than the other's. Both lists' best statements are read in one pass; the quote's reordering then finds them
        read."""
        if not self.config.reserve_reader or self.reordering is None or not scoring.sentences or not own.sentences:
            return False
        held = {p.chunk.chunk_id for p in passages}
        n = self.reordering.top
        if all(wider[s.passage - 1].chunk.chunk_id in held for s in scoring.sentences[:n]):
            return False  # the reader can put no statement of another passage first
        texts = list(dict.fromkeys(read_in_context(s.context, s.text)
                                   for s in (*own.sentences[:n], *scoring.sentences[:n])))
        try:
            logit = dict(zip(texts, self.reordering.reader.logits(question, texts), strict=True))  # one pass for both
        except Exception:  # noqa: BLE001 - the reader only chooses: the scores' own choice stands without it
            log.warning("the answer reader failed on %r; quoting as the scores choose", question[:200],
                        exc_info=True)
            return False
        # each reordering reads the same statements again, from the reader's cache
        first_own = self.reordered(question, own).sentences[0]
        first_wider = self.reordered(question, scoring).sentences[0]
        if wider[first_wider.passage - 1].chunk.chunk_id in held:
            return False
        if first_own.features.get("source", 0.0) > first_wider.features.get("source", 0.0):
            return False  # the question names the retrieved statement's document ("the Portuguese press note"),
            # which the reader, reading the statement alone, does not see
        return bool(logit[read_in_context(first_wider.context, first_wider.text)]
                    > logit[read_in_context(first_own.context, first_own.text)])

    def wider(self, question: str, passages: list[RetrievedChunk],
              reserve: Sequence[RetrievedChunk]) -> list[RetrievedChunk] | None:
        """The passages a wider reading judges on: the first of ``passages`` as ranked, then, for the last
        ``reserve_slots``, the passages among the rest and the ``reserve`` whose best statement scores highest when
        all are scored together (in that order). None when those are ``passages`` themselves."""
        keep = max(0, len(passages) - self.config.reserve_slots)
        every = [*passages, *reserve]
        best: dict[int, float] = {}
        for s in self.scoring(question, every).sentences:  # best first
            best.setdefault(s.passage - 1, s.score)
        rest = sorted(range(keep, len(every)), key=lambda i: -best.get(i, float("-inf")))
        chosen = [*range(keep), *rest[:len(passages) - keep]]
        if chosen == list(range(len(passages))):
            return None
        return [every[i] for i in chosen]

    def _judge(self, question: str, passages: list[RetrievedChunk]
               ) -> tuple[Scoring, dict[str, float], Answer | None]:
        """The passages' scoring, the evidence read, and the refusal when they do not answer (else None): the
        threshold, a documented absence, the learned refusal, the requirement rules."""
        scoring = self.scoring(question, passages)
        scored = scoring.sentences
        judged = scoring.judged()  # whether to answer is read on the hand-set scale (Scoring.judged)
        best = judged.sentences[0] if scored else None  # the evidence is what the threshold reads
        evidence = {"best_sentence_score": round(best.score, 4) if best else 0.0,
                    "best_semantic": round(best.semantic, 4) if best else 0.0,
                    "best_lexical": round(best.lexical, 4) if best else 0.0,
                    "top_passage_dense": round(max((p.dense_score or 0.0) for p in passages), 4) if passages else 0.0}
        floor = self.config.refusal_threshold
        if best is None or (floor is not None and best.score < floor):
            return scoring, evidence, self._refusal(question, passages, evidence)
        absence = self._documented_absence(question, judged)
        if absence is not None:
            return scoring, evidence, self._absence_answer(question, absence, passages, evidence)
        model, reader = self.refusal_for(question)
        if model is not None:
            unanswered, read = self.unanswered_probability(question, scoring, passages, model, reader)
            evidence["unanswered_probability"] = round(unanswered, 4)
            if uses_reader(model):  # whether the answerability reader was needed
                evidence["answerability_read"] = float(read)
            if unanswered >= model.threshold:
                refused = {**evidence, "learned_refusal": 1.0}
                cfg = self.config
                quoted = left_open(judged.sentences, OPEN_TOP, cfg.keep_ratio, cfg.absence_min_lexical)
                if quoted is not None:  # "... has not been decided": the documents' own word, quoted
                    return scoring, evidence, self._quoting_refusal(question, ABSENCE_LEAD, quoted, passages, refused)
                return scoring, evidence, self._refusal(question, passages, refused)
        unmet = self._unmet_requirement(question, judged, passages)
        if unmet == "unmet_person_name":
            office = stating_office(question, judged.sentences[:self.config.requirement_window])
            if office is not None:
                return scoring, evidence, self._quoting_refusal(question, OFFICE_NOT_NAMED, office, passages,
                                                                {**evidence, unmet: 1.0})
        if unmet:
            return scoring, evidence, self._refusal(question, passages, {**evidence, unmet: 1.0})
        return scoring, evidence, None

    def _quote(self, question: str, scoring: Scoring, passages: list[RetrievedChunk],
               evidence: dict[str, float]) -> Answer:
        """The answer quoted from passages judged to answer (``_judge``), the best statements in the answer reader's
        order (``reordered``)."""
        scoring = self.reordered(question, scoring)
        first, languages, language = self.composition(question, passages)
        chosen = self._select(scoring.sentences, first, languages, self.gate(scoring))
        text, sources = self.compose(chosen, passages, language)
        resolved = resolve(text, passages, sources)
        return Answer(question=question, text=resolved.text, citations=resolved.citations,
                      unsupported=resolved.unsupported, evidence=evidence, answerer=self.name)

    def _unmet_requirement(self, question: str, scoring: Scoring, passages: list[RetrievedChunk]) -> str | None:
        """The requirement a one-part question makes that no top candidate meets (``refusal.unmet_requirement``),
        or None."""
        cfg = self.config
        if cfg.requirement_window == 0:
            return None
        # the requirement is what the user asked: not the words a follow-up's rewriting carried from the
        # conversation ("what's on its S3 priority list? (... november 2022)" does not ask for 2022)
        asked = asked_part(question)
        english, focus = (scoring.english, scoring.focus) if asked == question else self._focus(asked)
        requirement = Requirement(asked, english, focus, scoring.sentences[:cfg.requirement_window],
                                  [p.date or "" for p in passages], [p.title for p in passages])
        return unmet_requirement(requirement, cfg.refusal_rules)

    def _documented_absence(self, question: str, scoring: Scoring) -> ScoredSentence | None:
        """A top candidate saying that what is asked for does not exist in the documents
        (``refusal.documented_absence``), or None."""
        cfg = self.config
        if "absence" not in cfg.refusal_rules:
            return None
        return documented_absence(question, scoring.focus, scoring.sentences, cfg.absence_window, cfg.keep_ratio,
                                  cfg.absence_min_lexical)

    def _refusal(self, question: str, passages: list[RetrievedChunk], evidence: dict[str, float]) -> Answer:
        """The honest refusal (``base.refusal_answer``), in the question's language when the prompts have it."""
        return refusal_answer(question, passages, self.name, evidence,
                              language=detect_language(question, among_lexicon=True))

    def _absence_answer(self, question: str, absence: ScoredSentence, passages: list[RetrievedChunk],
                        evidence: dict[str, float]) -> Answer:
        """The honest refusal, with the documents' own statement that the thing asked for is not there."""
        return self._quoting_refusal(question, ABSENCE_LEAD, absence, passages,
                                     {**evidence, "documented_absence": 1.0})

    def _quoting_refusal(self, question: str, lead: str, quoted: ScoredSentence, passages: list[RetrievedChunk],
                         evidence: dict[str, float]) -> Answer:
        """A refusal that quotes, cited, what the documents do say about the question."""
        resolved = resolve(f"{REFUSAL_TEXT} {lead} {_cite(quoted.text, quoted.passage)}", passages, [quoted.source()])
        return Answer(question=question, text=resolved.text, citations=resolved.citations, refused=True,
                      nearest=nearest_documents(passages), unsupported=resolved.unsupported, evidence=evidence,
                      answerer=self.name)

    def stream(self, question: str, passages: list[RetrievedChunk],
               reserve: Sequence[RetrievedChunk] = ()) -> Iterator[str | Answer]:
        answer = self.answer(question, passages, reserve)
        for piece in re.split(r"(?<=[.!?\]])\s+", answer.text):
            yield piece + " "
        yield answer


def _cite(text: str, number: int) -> str:
    """``Sentence [n]. Next sentence [n].``: the marker inside each sentence it supports; a statement without a
    full stop of its own (a line "Group 1: Osaka, Oita -> Catalonia (ES)") gets one after its marker, so that the
    next statement does not run on from it."""
    parts = []
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        m = re.search(r"[.!?…]+[\"'”’)\]]*$", sentence)
        parts.append(f"{sentence[:m.start()]} [{number}]{sentence[m.start():]}" if m
                     else f"{sentence.rstrip(' ;:,')} [{number}].")
    return " ".join(parts)


def _sentences(text: str) -> set[str]:
    return {text[start:end] for start, end in sentence_spans(text)}


def _sentence_count(text: str) -> int:
    return len(sentence_spans(text))


# How many of a part's best statements are read for one about the part's own item of a series.
ITEM_WINDOW = 8


def _about_item(found: list[ScoredSentence], passages: list[RetrievedChunk], item: str,
                others: tuple[str, ...]) -> ScoredSentence | None:
    """The best of ``found`` (among the first ``ITEM_WINDOW``) about ``item`` of a series: one that names it, or,
    naming no item of the series itself ("It was held at Europa House."), whose passage's title or section names it
    and none of the ``others``. None when none is: the statement about the fourth meeting does not answer for the
    third."""
    for s in found[:ITEM_WINDOW]:
        if names_item(s.text, item):
            return s
        if any(names_item(s.text, other) for other in others):
            continue
        chunk = passages[s.passage - 1]
        where = " ".join((chunk.title, *chunk.chunk.heading_path))
        if names_item(where, item) and not any(names_item(where, other) for other in others):
            return s
    return None


def _repeats(s: ScoredSentence, c: ScoredSentence) -> bool:
    """``s`` adds nothing to ``c``: a list and one of its items, a sentence and itself with the one before or
    after, or the same thing said again (most content words of the shorter in the other), unless with other
    numbers (``_differ``)."""
    if s.text in c.text or c.text in s.text or _sentences(s.text) & _sentences(c.text):
        return True
    return _overlap(set(content_words(s.text)), set(content_words(c.text))) > 0.6 and not _differ(s, c)


# the key a statement read from a bold lead-in starts with ("Digital Partnership: The partnership was ...")
_KEY = re.compile(r"^[^:.!?]{1,60}:\s+")


def _whole_lists(chosen: list[ScoredSentence], scored: list[ScoredSentence]) -> list[ScoredSentence]:
    """The chosen statements, with one that shows a list's introduction before one of its items ("Four fields were
    highlighted for such pilots in Japan: clean energy.") replaced by the whole list, introduction and items, when
    that is a candidate: an introduction announces every item, so quoted with one it misstates the document."""
    lists = {(s.passage, s.block): s for s in scored if s.kind == "list"}
    out: list[ScoredSentence] = []
    for s in chosen:
        whole = lists.get((s.passage, s.block)) if s.kind == "item" else None
        if whole is not None and _opens_with_introduction(s.text, whole.text):
            s = whole
        if s not in out:
            out.append(s)
    return out


def _opens_with_introduction(item: str, whole: str) -> bool:
    """Whether an item's statement and its whole list's open with the same introduction ("... in Japan:"): their
    shared opening holds a colon with words before it."""
    introduction = os.path.commonprefix([item, whole]).rpartition(":")[0]
    return bool(introduction.strip())


def _without_said_again(chosen: list[ScoredSentence]) -> list[ScoredSentence]:
    """The chosen statements without one that another of the same paragraph says in full: a bold lead-in read as
    "Digital Partnership: X." and the next sentence shown after the one it leans on, "X. Its council met ..."."""
    def said_in(s: ScoredSentence, other: ScoredSentence) -> bool:
        return (other is not s and (other.passage, other.block) == (s.passage, s.block)
                and _KEY.sub("", s.text, count=1) in other.text and len(other.text) > len(s.text))
    return [s for s in chosen if not any(said_in(s, other) for other in chosen)]


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))


_CLOCK = re.compile(r"\b\d{1,2}[:.h]\d\d\b")


def _shape(number: str) -> str:
    """"2023" -> "dddd", "2021-06-30" -> "dddd-dd-dd", "28th" -> "ordinal": numbers of one shape can contradict.
    A count is a count however many digits it has ("1,200" and "900" -> "n"); a year stays a year ("dddd")."""
    number = re.sub(r"[–—]", "-", number)
    if re.fullmatch(r"\d+(?:st|nd|rd|th)", number):
        return "ordinal"
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+|\d{1,3}|\d{5,}", number):
        return "n"
    return re.sub(r"\d", "d", number)


def _short_title(title: str) -> str:
    return re.split(r"\s[|:–—]\s|:\s", title, maxsplit=1)[0].strip() or title


def _numbers(text: str) -> dict[str, tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    """Each number of ``text`` with its kind, its shape and the word after it ("19 November" -> ("dd",
    "november")), and the two words before and after it (numbers read as "#"). Clock times and numbers that name
    an item ("No.: 5", "webinar no. 3") are left out, and dashes of all kinds are alike."""
    text = _CLOCK.sub(" ", text)
    words = [(m.start(), m.end(), "#" if m.group()[0].isdigit() else m.group().lower())
             for m in _WORD_OR_NUMBER.finditer(text)]
    starts, ends = [w[0] for w in words], [w[1] for w in words]
    out: dict[str, tuple[str, str, tuple[str, ...], tuple[str, ...]]] = {}
    for m in _NUMBERISH.finditer(text):
        if _IDENTIFIER_BEFORE.search(text[max(0, m.start() - 8):m.start()]):
            continue
        # a range's first number is of the kind of its last ("4 to 10 June": a day of June, as "10 June" is)
        following = _RANGE_END.match(text, m.end()) or re.match(r"[\s,.]*([^\W\d_]+)", text[m.end():])
        number = m.group().replace("–", "-").replace("—", "-").strip(".,-")
        before = [w[2] for w in words[max(0, bisect_right(ends, m.start()) - 2):bisect_right(ends, m.start())]]
        after = [w[2] for w in words[bisect_left(starts, m.end()):bisect_left(starts, m.end()) + 2]]
        kind = following.group(1).lower() if following else ""
        if before and before[-1] in _MONTH_WORDS:
            kind = f"{before[-1]} {kind}"  # the year of a month ("June 2023") is that month's: not November 2022's
        out.setdefault(number, (_shape(number), kind, tuple(before), tuple(after)))
    return out


_WORD_OR_NUMBER = re.compile(r"\d[\d,.\-–]*\d|\d|[^\W\d_]+")
_RANGE_END = re.compile(r"\s*(?:to|until|till|through|and|al|a|à|au|bis)\s+\d[\d,.\-–]*\s*(?:de\s+)?([^\W\d_]+)",
                        re.IGNORECASE)
_MONTH_WORDS = frozenset(m.lower() for m in (*MONTHS, *MONTH_ABBREVIATIONS))


@lru_cache(maxsize=4096)  # composing asks about the same pairs again (_select, then compose's conflicts)
def _disagreements(a: str, b: str) -> tuple[tuple[str, str], ...]:
    """The numbers in which two texts disagree: the same phrase with a different number in it. Each pair is a
    number only ``a`` states and one only ``b`` states, of the same kind (shape and word after), with the same
    two words after them or the same two words before them: "about 70 Japanese companies" against "more than 65
    Japanese companies", "from 2017 to 2020" against "from 2016 to 2020", "13 to 19 November" against "14 to 18
    November". Numbers of different things do not disagree: "About 24 people will travel" against "16 people, from
    the prefectures" (two delegations), "Timing: Autumn 2022" against "Timing: From January 2023" (two actions),
    "Group 2" against "stop 1"."""
    na, nb = _numbers(a), _numbers(b)
    pairs = []
    for x, (shape_x, kind_x, before_x, after_x) in na.items():
        if x in nb:
            continue
        for y, (shape_y, kind_y, before_y, after_y) in nb.items():
            if y in na or (shape_x, kind_x) != (shape_y, kind_y):
                continue
            if (len(after_x) == 2 and after_x == after_y) or (len(before_x) == 2 and before_x == before_y):
                pairs.append((x, y))
    return tuple(pairs)


def _what_differs(a: ScoredSentence, b: ScoredSentence, passages: list[RetrievedChunk]) -> str:
    """What differs between two sources, each with its citation: "The sources differ: 13, 19 in the guide of
    November 2022 [1]; 14, 18 in the news item of December 2022 [2]." (see ``_disagreements``). A document is
    named by its kind and month, or by its short title when that does not tell the two apart."""
    pairs = _disagreements(a.text, b.text)
    own_a = list(dict.fromkeys(x for x, _ in pairs))
    own_b = list(dict.fromkeys(y for _, y in pairs))
    first, second = passages[a.passage - 1], passages[b.passage - 1]

    def by_kind(p: RetrievedChunk) -> str:
        month = month_of(p.date)
        return f"{document_kind(p.doc_type)} of {month}" if month else document_kind(p.doc_type)

    def by_title(p: RetrievedChunk) -> str:
        return _short_title(p.title) + (f" ({p.date})" if p.date else "")

    name = by_kind if by_kind(first) != by_kind(second) else by_title
    return sources_differ((", ".join(own_a[:3]), name(first), a.passage),
                          (", ".join(own_b[:3]), name(second), b.passage))


def differs_from(s: ScoredSentence, chosen: Sequence[ScoredSentence]) -> bool:
    """``s`` states other numbers or dates than one of ``chosen`` about the same thing (``_differ``)."""
    return any(_differ(s, c) for c in chosen)


def _differ(a: ScoredSentence, b: ScoredSentence) -> bool:
    """Two sentences of different documents about the same thing (shared content words) that state it with
    different numbers or dates (``_disagreements``)."""
    if a.doc_id == b.doc_id or not _disagreements(a.text, b.text):
        return False
    return _overlap(set(content_words(a.text)), set(content_words(b.text))) >= 0.3
