"""The one object the UI, CLI, HTTP API and evals use: rewrite -> retrieve -> answer, timed per stage."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel

from programme_assistant.answering.base import Answerer, refusal_answer
from programme_assistant.config import Settings
from programme_assistant.ingest import FolderSync, Progress, SyncReport
from programme_assistant.models import Answer
from programme_assistant.retrieval import Filters, HybridSearch
from programme_assistant.rewrite import ContextualRewriter, History, QueryRewriter


class Assistant:
    def __init__(self, settings: Settings, search: HybridSearch, answerer: Answerer, rewriter: QueryRewriter,
                 folder_sync: FolderSync | None = None) -> None:
        self.settings = settings
        self.search = search
        self.answerer = answerer
        self.rewriter = rewriter
        self.folder_sync = folder_sync

    @classmethod
    def from_settings(cls, settings: Settings, embedder: Embeddings | None = None,
                      chat_model: BaseChatModel | None = None, progress: Progress | None = None) -> Assistant:
        from programme_assistant.answering.extractive import ExtractiveAnswerer, ExtractiveConfig
        from programme_assistant.components import build_embedder, build_folder_sync

        embedder = embedder or build_embedder(settings)
        folder_sync = build_folder_sync(settings, embedder=embedder, progress=progress)
        search = HybridSearch(
            folder_sync.store, k=settings.retrieval_k, candidates=settings.retrieval_candidates,
            rrf_k=settings.rrf_k, dense_weight=settings.dense_weight, lexical_weight=settings.lexical_weight,
            duplicate_threshold=settings.duplicate_threshold, mode=settings.retrieval_mode,
            cross_language=settings.cross_language, named_sources=settings.named_sources,
            generation=lambda: folder_sync.manifest.get_meta("last_sync") or "")
        if chat_model is None and settings.llm_provider != "none":
            from programme_assistant.llm import build_chat_model

            chat_model = build_chat_model(settings)
        answerer: Answerer
        rewriter: QueryRewriter
        if chat_model is not None:
            from programme_assistant.answering.llm import LLMAnswerer
            from programme_assistant.rewrite_llm import LLMRewriter

            answerer = LLMAnswerer(chat_model)
            rewriter = LLMRewriter(chat_model)
        else:
            answerer = ExtractiveAnswerer(embedder, ExtractiveConfig.from_settings(settings), idf=search.idf)
            rewriter = ContextualRewriter()
        return cls(settings, search, answerer, rewriter, folder_sync)

    # --- documents ------------------------------------------------------------------------------
    def sync(self, folder: Path | None = None) -> SyncReport:
        if self.folder_sync is None:
            raise RuntimeError("this assistant was built without a folder sync")
        return self.folder_sync.sync(folder or self.settings.corpus_dir)

    # --- questions ------------------------------------------------------------------------------
    def _prepare(self, question: str, history: History | None, filters: Filters | None):
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        standalone = self.rewriter.rewrite(question, list(history or []))
        timings["rewrite"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        passages = self.search.search(standalone, filters)
        timings["retrieve"] = time.perf_counter() - t1
        return standalone, passages, timings

    def ask(self, question: str, history: History | None = None, filters: Filters | None = None) -> Answer:
        answer: Answer | None = None
        for item in self.ask_stream(question, history, filters):
            if isinstance(item, Answer):
                answer = item
        assert answer is not None
        return answer

    def ask_stream(self, question: str, history: History | None = None,
                   filters: Filters | None = None) -> Iterator[str | Answer]:
        """Text pieces as they come, then the final Answer (with trace and timings) as the last item."""
        standalone, passages, timings = self._prepare(question, history, filters)
        t2 = time.perf_counter()
        final: Answer
        if not passages:
            final = refusal_answer(question, passages, self.answerer.name)
            yield final.text
        else:
            final = refusal_answer(question, passages, self.answerer.name)
            for item in self.answerer.stream(standalone, passages):
                if isinstance(item, Answer):
                    final = item
                else:
                    yield item
        timings["answer"] = time.perf_counter() - t2
        timings["total"] = sum(timings.values())
        yield replace(final, question=question, standalone_question=standalone, retrieved=passages,
                      timings={k: round(v, 4) for k, v in timings.items()})
