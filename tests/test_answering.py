"""Citation parsing, the extractive answerer, follow-up rewriting and the Assistant (fake embeddings)."""

from __future__ import annotations

import zlib

import numpy as np
from langchain_core.embeddings import Embeddings

from conftest import make_sync, write_md
from programme_assistant.answering.extractive import ExtractiveAnswerer, ExtractiveConfig
from programme_assistant.assistant import Assistant
from programme_assistant.citations import resolve
from programme_assistant.models import Answer, Chunk, RetrievedChunk
from programme_assistant.prompts import REFUSAL_TEXT
from programme_assistant.retrieval import HybridSearch
from programme_assistant.rewrite import ContextualRewriter
from programme_assistant.sentences import content_words, fold


class BagOfWordsEmbedding(Embeddings):
    """A tiny deterministic 'semantic' embedding: hashed bag of content words, normalised."""

    def _vec(self, text: str) -> list[float]:
        v = np.zeros(64, dtype=np.float32)
        for w in content_words(fold(text)):
            v[zlib.crc32(w.encode()) % 64] += 1.0  # stable across processes, unlike hash()
        n = np.linalg.norm(v)
        return (v / n if n else v).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vec(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vec(text)


def passage(i: int, text: str, doc_id: str | None = None, start: int = 100) -> RetrievedChunk:
    return RetrievedChunk(chunk=Chunk(f"c{i}", doc_id or f"d{i}.md", text, start, start + len(text), 0, ("S",)),
                          title=f"Title {i}", date="2022-11-18", doc_type="minutes", language="en", source_path="-")


def test_resolve_maps_renumbers_and_removes_dangling_markers():
    ps = [passage(1, "Intro text here. Group B went to Osaka and Oita. Then Kyoto."),
          passage(2, "The meeting was held at Palau Robert in Barcelona.")]
    r = resolve("The meeting was at Palau Robert [2]. Group B went to Osaka and Oita. [1][9] Cats fly [1].", ps)
    assert r.text == "The meeting was at Palau Robert [1]. Group B went to Osaka and Oita [2]. Cats fly [2]."
    assert [(c.number, c.doc_id) for c in r.citations] == [(1, "d2.md"), (2, "d1.md")]
    group_b = r.citations[1]
    assert group_b.quote == "Group B went to Osaka and Oita."
    assert (group_b.quote_start, group_b.quote_end) == (100 + 17, 100 + 17 + len(group_b.quote))
    assert r.unsupported == ["Cats fly."]


def test_extractive_answer_cites_the_sentence_it_used():
    ps = [passage(1, "The study visit had two groups. Group B went to Osaka and Oita in November 2022."),
          passage(2, "Expo 2025 was held on Yumeshima island from April to October 2025.")]
    answerer = ExtractiveAnswerer(BagOfWordsEmbedding(), ExtractiveConfig(refusal_threshold=0.3))
    answer = answerer.answer("Which prefectures did Group B go to?", ps)
    assert not answer.refused and "Osaka and Oita" in answer.text and "[1]" in answer.text
    assert answer.citations[0].quote == "Group B went to Osaka and Oita in November 2022."
    assert answer.citations[0].doc_id == "d1.md" and answer.unsupported == []


def test_extractive_refuses_below_threshold_and_lists_nearest():
    ps = [passage(1, "The delegation visited hydrogen plants in Aichi and Oita."),
          passage(2, "Webinars covered food tech and advanced air mobility.")]
    answer = ExtractiveAnswerer(BagOfWordsEmbedding()).answer("How do I bake sourdough bread at home?", ps)
    assert answer.refused and answer.text.startswith(REFUSAL_TEXT) and not answer.citations
    assert [d["doc_id"] for d in answer.nearest] == ["d1.md", "d2.md"]


def test_extractive_shows_both_versions_when_sources_differ():
    ps = [passage(1, "The study visit to Japan took place from 13 to 19 November 2022.", "a.md"),
          passage(2, "The study visit to Japan took place from 14 to 18 November 2022.", "b.md")]
    answer = ExtractiveAnswerer(BagOfWordsEmbedding(), ExtractiveConfig(refusal_threshold=0.3)).answer(
        "When did the study visit to Japan take place?", ps)
    assert "sources differ" in answer.text and "13 to 19" in answer.text and "14 to 18" in answer.text
    assert {c.doc_id for c in answer.citations} == {"a.md", "b.md"}


def test_contextual_rewriter_carries_the_subject():
    r = ContextualRewriter()
    history = [("Which prefectures did Group A visit during the study visit?", "Aichi and Hiroshima [1].")]
    rewritten = r.rewrite("And Group B?", history)
    assert rewritten.startswith("And Group B?") and "prefectures" in rewritten and "study" in rewritten
    assert r.rewrite("Who opened the hydrogen webinar in April 2023?", history) == \
        "Who opened the hydrogen webinar in April 2023?"
    assert r.rewrite("When was it held?", []) == "When was it held?"


def test_assistant_end_to_end_with_follow_up_and_timings(settings, corpus):
    write_md(corpus, "minutes/visit.md", "Study visit", [
        "Group A went to Aichi and Hiroshima during the study visit.",
        "Group B went to Osaka and Oita during the study visit."])
    write_md(corpus, "minutes/plenary.md", "Plenary", ["The third plenary was held at Palau Robert in Barcelona."])
    embedder = BagOfWordsEmbedding()
    sync = make_sync(settings, embedder)
    assistant = Assistant(settings, HybridSearch(sync.store, generation=lambda: sync.manifest.get_meta("last_sync")),
                          ExtractiveAnswerer(embedder, ExtractiveConfig(refusal_threshold=0.3)),
                          ContextualRewriter(), sync)
    assert assistant.sync().ok
    first = assistant.ask("Which prefectures did Group A visit on the study visit?")
    assert "Aichi" in first.text and first.citations[0].doc_id == "minutes/visit.md"
    follow = assistant.ask("And Group B?", history=[(first.question, first.text)])
    assert "Osaka" in follow.text and follow.standalone_question != follow.question
    assert set(follow.timings) >= {"rewrite", "retrieve", "answer", "total"}
    pieces = list(assistant.ask_stream("Where was the third plenary held?"))
    assert isinstance(pieces[-1], Answer) and all(isinstance(p, str) for p in pieces[:-1])
    assert "Palau Robert" in pieces[-1].text and pieces[-1].to_dict()["retrieved"]
