"""The benchmarks' pure helpers: statistics, tables, generic questions, answer overlap, synthetic chunks, and the
external benchmark's data handling and scoring (fake embeddings; the real runs are `make bench*`)."""

from __future__ import annotations

import socket
import subprocess
import sys

import numpy as np
import pytest
from conftest import make_sync, write_md

from benchmarks import external, perf
from benchmarks.common import (
    CachedEmbeddings,
    generic_questions,
    latency_summary,
    markdown_table,
    percentile,
    ratio,
    spaced,
    strip_markers,
    token_f1,
    token_prf,
)
from benchmarks.ports import ephemeral_range, free_ports
from benchmarks.synthetic import compose_chunks, split_sentences

# --- loopback ports for the servers the tests start -----------------------------------------------------------------


def test_ports_are_free_and_outside_the_range_outgoing_connections_draw_from():
    low, high = ephemeral_range()
    ports = free_ports(5)
    assert len(set(ports)) == 5 and all(not low <= p <= high for p in ports)
    run = free_ports(5, consecutive=True)
    assert run == list(range(run[0], run[0] + 5)) and all(not low <= p <= high for p in run)
    for p in run:  # each binds now
        with socket.socket() as s:
            s.bind(("127.0.0.1", p))


def test_a_taken_port_is_never_handed_out(monkeypatch):
    with socket.socket() as held:  # the only port outside a (pretend) range that leaves one port free
        held.bind(("127.0.0.1", 0))
        taken = held.getsockname()[1]
        with pytest.raises(RuntimeError, match="ephemeral range"):
            free_ports(1, ephemeral=(10_000, 65_535))
        monkeypatch.setattr("benchmarks.ports.LOWEST", taken)
        monkeypatch.setattr("benchmarks.ports.HIGHEST", taken + 1)
        assert free_ports(1, ephemeral=(taken + 2, taken + 3)) == [taken + 1]


def test_the_ephemeral_range_falls_back_when_it_cannot_be_read(tmp_path):
    (tmp_path / "range").write_text("40000\t50000\n")
    assert ephemeral_range(tmp_path / "range") == (40_000, 50_000)
    assert ephemeral_range(tmp_path / "missing") == (32_768, 60_999)


# --- statistics and tables ------------------------------------------------------------------------


def test_percentile_interpolates_like_numpy():
    values = [0.3, 0.1, 0.4, 0.2, 1.0]
    for q in (0, 50, 95, 100):
        assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))
    assert percentile([7.0], 95) == 7.0
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_latency_summary_is_in_milliseconds():
    summary = latency_summary([0.010, 0.020, 0.030])
    assert summary == {"n": 3, "p50_ms": 20.0, "p95_ms": 29.0, "mean_ms": 20.0}
    assert latency_summary([]) == {"n": 0}


def test_ratio_handles_missing_values():
    assert ratio(3.0, 2.0) == 1.5
    assert ratio(None, 2.0) is None and ratio(1.0, None) is None and ratio(1.0, 0.0) is None


def test_markdown_table_formats_cells_and_rejects_ragged_rows():
    table = markdown_table(["a", "b", "c"], [["x|y", 1.25, None]])
    assert table.splitlines() == ["| a | b | c |", "|---|---|---|", "| x\\|y | 1.2 | - |"]
    with pytest.raises(ValueError):
        markdown_table(["a", "b"], [[1]])


# --- generic questions ----------------------------------------------------------------------------


def test_generic_questions_alternate_titles_and_sentences_deterministically():
    titles = ["Mission report", "Food tech webinar"]
    sentences = ["The delegation visited hydrogen plants in Aichi and Oita in November 2022.",
                 "Too short.", "Webinars covered food tech, advanced air mobility and smart specialisation."]
    qs = generic_questions(titles, sentences, 6, seed=3)
    assert qs == generic_questions(titles, sentences, 6, seed=3)
    assert len(qs) == 6
    assert sum(q.startswith("What does '") for q in qs) == 3
    assert all("Too short" not in q for q in qs)  # sentences under eight words are not used
    assert any("hydrogen" in q or "Webinars" in q for q in qs)
    with pytest.raises(ValueError):
        generic_questions([], [], 2)


def test_generic_questions_fall_back_to_what_there_is():
    only_titles = generic_questions(["A report"], [], 3)
    assert only_titles == ["What does 'A report' say?"] * 3
    only_sentences = generic_questions([], ["One two three four five six seven eight nine ten eleven."], 2)
    assert all(q.startswith("What do the documents say about One two") for q in only_sentences)


# --- answer overlap -------------------------------------------------------------------------------


def test_token_f1_perfect_wrong_partial_and_empty():
    reference = "Group B visited Osaka and Oita."
    assert token_f1("Group B visited Osaka and Oita [1].", reference) == 1.0  # markers do not count
    assert token_f1("Expo 2025 was held on Yumeshima.", reference) == 0.0
    partial = token_prf("Group B visited Osaka.", reference)
    assert partial["precision"] == 1.0 and partial["recall"] == pytest.approx(4 / 6)
    assert partial["f1"] == pytest.approx(2 * (4 / 6) / (1 + 4 / 6))
    assert token_f1("", reference) == 0.0 and token_f1("", "") == 1.0


def test_spaced_makes_tokenised_source_text_comparable():
    assert spaced("recur every calendar year .") == spaced("recur every calendar year [1].")
    assert strip_markers("A [1]. B [12].") == "A. B."


# --- synthetic chunks -----------------------------------------------------------------------------


def test_compose_chunks_mixes_real_texts_and_vectors():
    texts = ["Alpha one. Alpha two. Alpha three.", "Beta one. Beta two.", "Gamma one. Gamma two. Gamma three."]
    vectors = np.eye(3, 8, dtype=np.float32)
    synth = compose_chunks(texts, vectors, 50, seed=1, noise=0.0)
    again = compose_chunks(texts, vectors, 50, seed=1, noise=0.0)
    assert synth.texts == again.texts and np.array_equal(synth.vectors, again.vectors)
    assert synth.vectors.shape == (50, 8)
    assert np.allclose(np.linalg.norm(synth.vectors, axis=1), 1.0)
    for text, vec, (a, b) in zip(synth.texts, synth.vectors, synth.sources, strict=True):
        assert a != b
        assert text.startswith(split_sentences(texts[a])[0]) and split_sentences(texts[b])[-1] in text
        assert vec[a] > 0 and vec[b] > 0 and np.count_nonzero(vec) == 2  # a mix of the two, nothing else
    codes = {t.rsplit("Ref. ", 1)[1] for t in synth.texts}
    assert len(codes) > 45  # the vocabulary grows with the corpus
    with pytest.raises(ValueError):
        compose_chunks(texts[:1], vectors[:1], 5)


def test_the_limit_is_measured_on_exactly_the_texts_folder_sync_embeds(settings, corpus, fake_embedder):
    write_md(corpus, "news/a.md", "Alpha news", ["First paragraph about hydrogen. " * 12, "Second one."])
    write_md(corpus, "guides/b.md", "Beta guide", ["## Section\n\nA guide paragraph. " * 20])
    (corpus / "README.md").write_text("# Not a document\n")
    (corpus / ".hidden.md").write_text("# Hidden\n")
    texts = perf.chunk_texts(settings, perf.load_corpus(settings))
    sync = make_sync(settings, fake_embedder)
    assert sync.sync(corpus).ok
    assert sorted(texts) == sorted(fake_embedder.embedded)
    assert sorted(perf.stored_texts(sync.store)) == sorted(texts)


# --- external benchmark: data ---------------------------------------------------------------------


def _set() -> tuple[list[external.BenchDocument], list[external.BenchQuestion]]:
    docs = [external.BenchDocument("clapnq-dev", f"clapnq-{i}", f"Title {i}", f"Text {i}.") for i in range(6)]
    qs = [external.BenchQuestion("clapnq-dev", f"q{i}", f"question {i}", f"answer {i}", (f"clapnq-{i + 2}",))
          for i in range(3)]
    qs += [external.BenchQuestion("clapnq-dev", f"u{i}", f"unanswerable {i}", None, ()) for i in range(3)]
    return docs, qs


def test_select_keeps_everything_or_a_balanced_sample_with_gold_and_distractors():
    docs, qs = _set()
    assert external.select(docs, qs, None) == (docs, qs)
    chosen_docs, chosen = external.select(docs, qs, 2)
    assert [q.id for q in chosen] == ["q0", "u0"]
    assert [d.id for d in chosen_docs] == ["clapnq-0", "clapnq-1", "clapnq-2"]  # 2 distractors + the gold one


def test_document_files_round_trip_through_our_loader(tmp_path):
    from programme_assistant.ingest.loaders import load_markdown

    titled = external.BenchDocument("clapnq-dev", "clapnq-abc", 'A "quoted": title', "Some text .")
    untitled = external.BenchDocument("pubmedqa-l", "21645374", "", "Abstract text.")
    assert external.doc_path(titled) == "clapnq-dev/clapnq-abc.md"
    assert external.bench_id(external.doc_path(untitled)) == "21645374"
    parsed = load_markdown(external.doc_markdown(titled).encode(), "x.md")
    assert parsed.meta.title == 'A "quoted": title' and parsed.text == "Some text .\n"
    assert load_markdown(external.doc_markdown(untitled).encode(), "y.md").meta.title is None
    with pytest.raises(ValueError):
        external.doc_path(external.BenchDocument("x", "../escape", "", "t"))


def test_write_corpus_writes_only_what_changed_and_removes_the_rest(tmp_path):
    docs, _ = _set()
    assert external.write_corpus(tmp_path, docs) == 6
    assert external.write_corpus(tmp_path, docs) == 0
    assert external.write_corpus(tmp_path, docs[:4]) == 0
    assert sorted(p.name for p in (tmp_path / "clapnq-dev").iterdir()) == [f"clapnq-{i}.md" for i in range(4)]


def test_write_corpus_writes_whole_files_and_clears_a_killed_run_s_partial_ones(tmp_path):
    docs, _ = _set()
    stale = tmp_path / "clapnq-dev" / ".clapnq-0.md.partial"
    stale.parent.mkdir(parents=True)
    stale.write_text("half a fi")
    external.write_corpus(tmp_path, docs)
    assert not list(tmp_path.rglob("*.partial"))
    assert (tmp_path / "clapnq-dev" / "clapnq-0.md").read_text(encoding="utf-8") == external.doc_markdown(docs[0])


def _lock_is_free(cache) -> bool:
    """Whether another process can take the cache folder's lock at once."""
    probe = ("import fcntl, sys\n"
             "with open(sys.argv[1], 'a+b') as h:\n"
             "    try:\n        fcntl.flock(h, fcntl.LOCK_EX | fcntl.LOCK_NB)\n    except BlockingIOError:\n"
             "        sys.exit(1)\n")
    return subprocess.run([sys.executable, "-c", probe, str(cache / ".lock")]).returncode == 0


def test_the_cache_folder_is_held_by_one_run_at_a_time(tmp_path):
    cache = tmp_path / "external-abc"
    with external.exclusive(cache):
        assert not _lock_is_free(cache)  # a second benchmark or training run waits here
    assert _lock_is_free(cache)


def test_the_cache_index_is_opened_and_synced_under_the_lock(settings, fake_embedder, monkeypatch):
    """Two processes creating one new Chroma index at once fail, so the index is opened, not only synced, while
    the cache folder is held."""
    from programme_assistant import assistant as assistant_module

    cache = settings.index_dir.parent / "external-abc"
    held: list[bool] = []
    real = assistant_module.Assistant.from_settings

    def from_settings(*args, **kwargs):
        held.append(not _lock_is_free(cache))
        return real(*args, **kwargs)

    monkeypatch.setattr(assistant_module.Assistant, "from_settings", from_settings)
    docs, _ = _set()
    external.write_corpus(settings.corpus_dir, docs)
    opened, report = external.synced_assistant(cache, settings, embedder=fake_embedder)
    assert held == [True] and report.ok and report.counts()["added"] == 6
    assert opened.status().documents == 6
    assert _lock_is_free(cache)


def test_cache_key_follows_content_documents_and_settings(tmp_path):
    data = tmp_path / "documents.jsonl"
    data.write_text('{"id": "a"}\n')
    key = external.cache_key([data], ["a.md"], {"chunk_size": 900})
    assert key == external.cache_key([data], ["a.md"], {"chunk_size": 900})
    assert key != external.cache_key([data], ["a.md", "b.md"], {"chunk_size": 900})
    assert key != external.cache_key([data], ["a.md"], {"chunk_size": 800})
    data.write_text('{"id": "b"}\n')
    assert key != external.cache_key([data], ["a.md"], {"chunk_size": 900})


def test_benchmark_documents_sync_through_folder_sync_and_map_back(settings, fake_embedder):
    docs, _ = _set()
    external.write_corpus(settings.corpus_dir, docs)
    sync = make_sync(settings, fake_embedder)
    report = sync.sync(settings.corpus_dir)
    assert report.ok and report.counts()["added"] == 6
    ids = {external.bench_id(d) for d in sync.manifest.records()}
    assert ids == {d.id for d in docs}
    assert sync.sync(settings.corpus_dir).embedded_chunks == 0  # a cached corpus re-syncs without embedding


def test_cached_embeddings_embed_each_text_once(fake_embedder):
    cached = CachedEmbeddings(fake_embedder)
    first = cached.embed_documents(["a", "b", "a"])
    second = cached.embed_documents(["b", "c"])
    assert fake_embedder.embedded == ["a", "b", "c"]
    assert first[1] == pytest.approx(second[0]) and first[0] == pytest.approx(first[2])
    assert cached.embed_query("q") == pytest.approx(cached.embed_query("q"))
    assert cached.model_id == "fake-embedding"


# --- external benchmark: scoring ------------------------------------------------------------------


def test_score_question_perfect_wrong_refused_and_unanswerable():
    q = external.BenchQuestion("clapnq-dev", "q", "?", "The coat is blue.", ("d1",),
                               {"selected_sentences": ["The coat is blue .", "The eyes are green ."]})
    perfect = external.score_question(q, "hybrid", ["d1", "d2"], ["d1"], "The coat is blue [1].", False)
    assert (perfect["hit1"], perfect["mrr10"], perfect["ndcg10"], perfect["f1"]) == (1.0, 1.0, 1.0, 1.0)
    assert perfect["sentence_recall"] == 0.5 and perfect["context_hit"] == 1.0
    wrong = external.score_question(q, "bm25", ["d2", "d3", "d1"], ["d2"], "Cats are grey.", False)
    assert (wrong["hit1"], wrong["hit5"], wrong["mrr10"], wrong["context_hit"]) == (0.0, 1.0, 1 / 3, 0.0)
    refused = external.score_question(q, "dense", ["d1"], ["d1"], "I could not find this.", True)
    assert refused["f1"] == 0.0 and refused["sentence_recall"] == 0.0
    unanswerable = external.BenchQuestion("clapnq-dev", "u", "?", None, ())
    row = external.score_question(unanswerable, "hybrid", ["d1"], ["d1"], "No.", True)
    assert "hit1" not in row and "f1" not in row and row["refused"]


def test_summarise_rates_per_set_and_mode():
    q = external.BenchQuestion("clapnq-dev", "q", "?", "blue coat", ("d1",))
    u = external.BenchQuestion("clapnq-dev", "u", "?", None, ())
    rows = [external.score_question(q, "hybrid", ["d1"], ["d1"], "blue coat", False),
            external.score_question(q, "hybrid", ["d2"], ["d2"], "", True),
            external.score_question(u, "hybrid", [], [], "", True),
            external.score_question(u, "hybrid", [], [], "something", False)]
    for r in rows:
        r.update(retrieve_s=0.01, ask_s=0.1)
    m = external.summarise(rows)["clapnq-dev"]["hybrid"]
    assert (m["questions"], m["answerable"], m["unanswerable"]) == (4, 2, 2)
    assert m["hit1"] == 0.5 and m["f1"] == 0.5 and m["f1_answered"] == 1.0
    assert m["wrong_refusal_rate"] == 0.5 and m["unanswerable_refusal_rate"] == 0.5 and m["refusal_accuracy"] == 0.5
    assert m["ask"]["n"] == 4


def test_parse_reference_reads_the_readme_table():
    readme = """Intro.

| set | BM25 hit@5 / MRR@10 | dense hit@5 / MRR@10 | plain RRF hybrid hit@5 / MRR@10 |
|---|---|---|---|
| clapnq-dev | .957 / .916 | 1.000 / .976 | .990 / .958 |
| pubmedqa-l | .980 / .959 | .991 / .977 | .989 / .976 |
"""
    ref = external.parse_reference(readme)
    assert ref["clapnq-dev"]["bm25"] == (0.957, 0.916)
    assert ref["pubmedqa-l"]["hybrid"] == (0.989, 0.976)
    assert external.parse_reference("no table here") == {}


# --- reports render from their results ------------------------------------------------------------


def test_reports_render_from_minimal_results():
    lat = {"n": 2, "p50_ms": 10.0, "p95_ms": 20.0, "mean_ms": 15.0}
    perf_results = {
        "measured_at": "now", "machine": {"cpus": 2, "load_average": [1.0]},
        "ingest": {"model_load_s": 5.0, "peak_rss_mb": 900.0,
                   "ours": {"files": 3, "chunks": 30, "ingest_s": 2.0, "embed_s": 1.5, "chunks_per_s": 15.0,
                            "embed_chunks_per_s": 20.0},
                   "raw_encode": {"chunks": 30, "batch_size": 8, "seconds": 1.2, "chunks_per_s": 25.0,
                                  "before_chunks_per_s": 24.0, "after_chunks_per_s": 26.0},
                   "resync": {"seconds": 0.01, "counts": {"unchanged": 3}, "embedded_chunks": 0},
                   "queries": {"retrieval": lat, "answer": lat, "answer_stages": {"retrieve": lat, "answer": lat}}},
        "baseline": {"chunks": 25, "ingest_s": 1.0, "chunks_per_s": 25.0, "query": lat, "imports_s": 3.0,
                     "model_load_s": 4.0, "peak_rss_mb": 800.0},
        "scaling": {"base_chunks": 30, "queries": 2, "steps": [
            {"chunks": 1000, "insert_s": 1.0, "insert_chunks_per_s": 1000.0, "bm25_rebuild_s": 0.5,
             "dense": lat, "bm25": lat, "hybrid": lat}, {"chunks": 50000, "skipped": "over budget"}]},
    }
    text = perf.render_markdown(perf_results)
    assert "| ingest time, s | 2.0 | 1.0 | 2.00 |" in text and "over budget" in text
    assert "without the answer reader" not in text  # a run without that comparison renders without its row
    perf_results["ingest"]["queries"]["without_answer_reader"] = {
        "with": lat, "without": {**lat, "p50_ms": 4.0, "p95_ms": 6.0}, "answers_changed": 1, "answerability_read": 0,
        "questions": 2}
    text = perf.render_markdown(perf_results)
    assert "10 / 20 beside 4 / 6: the reader costs 6 ms at p50 and changes 1 of 2 answers" in text
    ext_results = {"measured_at": "now", "machine": {"cpus": 2}, "documents": {"clapnq-dev": 1}, "limit": None,
                   "modes": ["hybrid"], "ingest": {"chunks": 3, "from_cache": True},
                   "settings": {"answerer": "extractive", "refusal_threshold": 0.45},
                   "reference": {"clapnq-dev": {"hybrid": (0.99, 0.958)}},
                   "summary": external.summarise([external.score_question(
                       external.BenchQuestion("clapnq-dev", "q", "?", "a b", ("d1",)), "hybrid", ["d1"], ["d1"],
                       "a b", False)])}
    text = external.render_markdown(ext_results)
    assert "| clapnq-dev | hybrid | 1.000 | 1.000 | 1.000 | 1.000 | 1.000 | 0.990 / 0.958 |" in text
    assert "refusal threshold 0.45." in text  # a report written before session 39
    learned, floor = {"refusal_threshold": None, "learned_refusal": True}, {"refusal_threshold": 0.44,
                                                                            "learned_refusal": False}
    assert external.describe_refusal({"refusal": {"hybrid": learned}}) == "refusals by the learned refusal alone"
    # the learned refusal applies to hybrid retrieval only: the other modes refuse by the threshold, and say so
    assert external.describe_refusal({"refusal": {"hybrid": learned, "dense": floor, "bm25": floor}}) == \
        "refusals by the learned refusal alone (hybrid); by the refusal threshold 0.44 (dense, bm25)"
    assert "threshold 0.3" in external.describe_refusal(
        {"refusal": {"hybrid": {"refusal_threshold": 0.3, "learned_refusal": True}}})


def test_the_external_benchmark_reports_what_decides_refusals():
    from types import SimpleNamespace

    from benchmarks import external

    extractive = SimpleNamespace(config=SimpleNamespace(refusal_threshold=None), refusal_model=object())
    assert external.refusal_settings(extractive) == {"refusal_threshold": None, "learned_refusal": True}
    assert external.refusal_settings(object()) == {"refusal_threshold": None, "learned_refusal": False}  # an LLM


def test_scaling_benchmark_runs_on_a_tiny_store(settings, corpus, fake_embedder):
    from benchmarks import scaling

    write_md(corpus, "news/a.md", "Alpha news", ["Hydrogen buses in Aichi were shown to the group. " * 6])
    write_md(corpus, "guides/b.md", "Beta guide", ["The helpdesk answers questions about exchanges. " * 6])
    sync = make_sync(settings, fake_embedder)
    assert sync.sync(corpus).ok
    result = scaling.measure(settings, sync.store, fake_embedder, [12, 24], ["hydrogen buses", "helpdesk",
                                                                          "exchanges"], 1, budget_s=60)
    assert [step["chunks"] for step in result["steps"]] == [12, 24]
    assert all(step[mode]["n"] == 2 for step in result["steps"] for mode in ("dense", "bm25", "hybrid"))
    # beside today's rebuild: the index on disk, opened by a new process, and a small sync seen by another search
    assert all(step["reader_sees_change"] and step["open_s"] > 0 and step["index_write_s"] >= 0
               and step["bm25_rebuild_s"] >= 0 for step in result["steps"])
    assert "today: rebuild, s" in "\n".join(perf.render_scaling(result))


def test_the_answer_reader_is_measured_against_the_same_index_without_it(monkeypatch):
    from types import SimpleNamespace

    from programme_assistant.assistant import Assistant
    from programme_assistant.config import Settings

    order: list[tuple[str, str]] = []

    def answering(texts: dict[str, str], read: bool = False):
        asked: list[str] = []

        def ask(q: str) -> SimpleNamespace:
            asked.append(q)
            order.append(("ours" if read else "plain", q))
            return SimpleNamespace(text=texts[q], evidence={"answerability_read": 1.0} if read else {})
        return ask, asked

    ours_ask, ours_asked = answering({"a?": "A [1].", "b?": "B [1]."}, read=True)
    plain_ask, plain_asked = answering({"w?": "W.", "a?": "A [1].", "b?": "Other [1]."})
    ours = SimpleNamespace(ask=ours_ask, answerer=SimpleNamespace(reordering=object()))
    built: list[Settings] = []

    def from_settings(settings: Settings, embedder: object = None) -> SimpleNamespace:
        built.append(settings)
        return SimpleNamespace(ask=plain_ask)

    monkeypatch.setattr(Assistant, "from_settings", staticmethod(from_settings))
    result = perf.measure_without_answer_reader(Settings(), "embedder", ours, ["w?"], ["a?", "b?"])
    assert [s.answer_reader for s in built] == ["off"]
    # the same questions of both, the plain one warmed up first; in blocks, the second half the other way round
    assert plain_asked == ["w?", "a?", "b?"] and ours_asked == ["a?", "b?"]
    assert order == [("plain", "w?"), ("ours", "a?"), ("plain", "a?"), ("plain", "b?"), ("ours", "b?")]
    assert (result["answers_changed"], result["answerability_read"], result["questions"]) == (1, 2, 2)
    assert result["with"]["n"] == 2 and result["without"]["n"] == 2
    off = SimpleNamespace(answerer=SimpleNamespace(reordering=None))
    assert perf.measure_without_answer_reader(Settings(), "embedder", off, [], ["a?"]) is None


def test_a_question_asked_twice_in_the_reader_comparison_keeps_each_ask_s_own_timing(monkeypatch):
    from types import SimpleNamespace

    from programme_assistant.assistant import Assistant
    from programme_assistant.config import Settings

    clock = [0.0]
    monkeypatch.setattr(perf.time, "perf_counter", lambda: clock[0])
    seen: set[str] = set()

    def ask(q: str) -> SimpleNamespace:
        # the first ask of a question takes a second; asked again, it is read from the cache in a tenth
        clock[0] += 0.1 if ("ours", q) in seen else 1.0
        seen.add(("ours", q))
        return SimpleNamespace(text="A [1].", evidence={})

    ours = SimpleNamespace(ask=ask, answerer=SimpleNamespace(reordering=object()))
    plain = SimpleNamespace(ask=lambda q: SimpleNamespace(text="A [1].", evidence={}))
    monkeypatch.setattr(Assistant, "from_settings", staticmethod(lambda settings, embedder=None: plain))
    result = perf.measure_without_answer_reader(Settings(), "embedder", ours, [], ["t?", "u?", "t?", "v?"])
    # with the reader: 1 s, 1 s, 0.1 s (the repeat), 1 s: the repeat does not overwrite the first ask's timing
    assert result["with"]["n"] == 4 and result["with"]["mean_ms"] == pytest.approx(775.0)
