"""The golden question set: typed cases loaded from ``evals/golden.jsonl``."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from programme_assistant.errors import ConfigError

Category = Literal[
    "single_fact", "multi_doc", "disagreement", "follow_up", "unanswerable_on_topic",
    "unanswerable_off_topic", "onboarding", "multilingual",
]
UNANSWERABLE: tuple[str, ...] = ("unanswerable_on_topic", "unanswerable_off_topic")


class GoldenCase(BaseModel):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    category: Category
    question: str = Field(min_length=3)
    reference_answer: str = Field(min_length=2)
    required_facts: list[str] = Field(default_factory=list)
    expected_doc_ids: list[str] = Field(default_factory=list)
    # Other documents that also state the answer (a reference list or a later report restating it): citing
    # them is correct, so citation precision counts them; retrieval metrics use expected_doc_ids alone.
    # Proposed by scripts/propose_supporting_docs.py, reviewed by a person.
    supporting_doc_ids: list[str] = Field(default_factory=list)
    # earlier user turns of the conversation, asked first (follow-up cases); the assistant's own answers are carried
    history: list[str] = Field(default_factory=list)
    # the answers the set's writer gave to those turns, in order: documentation, never asked and never carried (until
    # session 41 writers put them in ``history`` itself, where the eval asked each as one more question)
    history_answers: list[str] = Field(default_factory=list)
    language: str = "en"
    notes: str = ""

    @property
    def answerable(self) -> bool:
        return self.category not in UNANSWERABLE

    @model_validator(mode="after")
    def _consistent(self) -> GoldenCase:
        if self.answerable and not (self.required_facts and self.expected_doc_ids):
            raise ValueError("an answerable case needs required_facts and expected_doc_ids")
        if not self.answerable and (self.required_facts or self.expected_doc_ids or self.supporting_doc_ids):
            raise ValueError("an unanswerable case has no required_facts, expected_doc_ids or supporting_doc_ids")
        if set(self.supporting_doc_ids) & set(self.expected_doc_ids):
            raise ValueError("a document is either expected or supporting, not both")
        if self.category == "follow_up" and not self.history:
            raise ValueError("a follow_up case needs the earlier turn(s) in history")
        if len(self.history_answers) > len(self.history):
            raise ValueError("history_answers holds the answers to the turns in history: at most one per turn")
        return self


def normalise(text: str) -> str:
    """Lower case, accents removed, whitespace collapsed, Markdown's emphasis marks ("**Catalonia**") dropped: how
    facts are matched (a fact copied from a Markdown source matches the answer quoting it as plain text)."""
    decomposed = unicodedata.normalize("NFKD", text.replace("*", ""))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().replace("\u2013", "-").replace("\u2014", "-").split())


def corpus_texts(corpus_dir: Path, ignore: tuple[str, ...] = ("README.md",)) -> dict[str, str]:
    """doc_id -> normalised title + text of every document a sync indexes in the corpus folder."""
    from programme_assistant.ingest.sync import read_documents

    return {doc.doc_id: normalise(doc.title + "\n" + doc.text) for doc in read_documents(corpus_dir, ignore)}


def problems_against_corpus(cases: list[GoldenCase], texts: dict[str, str]) -> list[str]:
    """Cases whose sources do not exist or do not contain a required fact (normalised match)."""
    problems = []
    for case in cases:
        for doc_id in case.expected_doc_ids:
            if doc_id not in texts:
                problems.append(f"{case.id}: expected document {doc_id!r} is not in the corpus")
        for doc_id in case.supporting_doc_ids:
            if doc_id not in texts:
                problems.append(f"{case.id}: supporting document {doc_id!r} is not in the corpus")
            elif not any(normalise(f) in texts[doc_id] for f in case.required_facts):
                problems.append(f"{case.id}: supporting document {doc_id!r} states none of the required facts")
        for fact in case.required_facts:
            if not any(normalise(fact) in texts[d] for d in case.expected_doc_ids if d in texts):
                problems.append(f"{case.id}: required fact {fact!r} is in none of its expected documents")
    return problems


def load_golden(path: Path) -> list[GoldenCase]:
    cases: list[GoldenCase] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            cases.append(GoldenCase.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise ConfigError(f"{path}:{number}: invalid golden case: {exc}", "fix that line") from exc
    return cases
