"""Sync scenarios against a real Chroma in tmp_path with deterministic fake embeddings."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest
from conftest import make_docx, make_pdf, make_sync, write_md

PARAS = [f"Paragraph {i} tells how the delegation from region {i} visited Osaka, Oita and Kyoto in "
         f"November 2022 to learn about hydrogen and life sciences." for i in range(12)]


def stored(sync) -> list[str]:
    return sync.store.collection.get()["ids"]


def status_of(report) -> dict[str, str]:
    return {f.doc_id: f.status for f in report.files}


def assert_consistent(sync):
    ids = stored(sync)
    assert len(ids) == len(set(ids))  # no duplicate chunk, ever
    records = sync.manifest.records()
    assert sorted(ids) == sorted(i for r in records.values() for i in r.chunk_ids)
    assert all(r.status == "complete" for r in records.values())


def test_add_unchanged_change_delete(settings, corpus, fake_embedder):
    write_md(corpus, "news/a.md", "A", PARAS[:6])
    write_md(corpus, "news/b.md", "B", PARAS[6:])
    sync = make_sync(settings, fake_embedder)

    first = sync.sync(corpus)
    assert status_of(first) == {"news/a.md": "added", "news/b.md": "added"}
    assert first.ok and first.total_chunks == len(stored(sync)) > 2
    assert_consistent(sync)

    fake_embedder.embedded.clear()
    again = sync.sync(corpus)
    assert status_of(again) == {"news/a.md": "unchanged", "news/b.md": "unchanged"}
    assert fake_embedder.embedded == []  # nothing re-embedded
    assert_consistent(sync)

    # change one paragraph of a: only its changed chunks are embedded, the rest reused
    write_md(corpus, "news/a.md", "A", PARAS[:5] + ["A brand new closing paragraph about Ljubljana."])
    changed = sync.sync(corpus)
    fa = next(f for f in changed.files if f.doc_id == "news/a.md")
    assert fa.status == "updated" and fa.reused >= 1 and fa.added >= 1 and fa.removed >= 1
    assert len(fake_embedder.embedded) == fa.added
    docs = sync.store.collection.get(where={"doc_id": "news/a.md"})["documents"]
    assert any("Ljubljana" in d for d in docs) and not any("Paragraph 5 " in d for d in docs)
    assert_consistent(sync)

    (corpus / "news/b.md").unlink()
    deleted = sync.sync(corpus)
    assert status_of(deleted)["news/b.md"] == "deleted"
    assert sync.store.collection.get(where={"doc_id": "news/b.md"})["ids"] == []
    assert_consistent(sync)


def test_touch_without_change_is_unchanged_and_not_reembedded(settings, corpus, fake_embedder):
    p = write_md(corpus, "a.md", "A", PARAS[:3])
    sync = make_sync(settings, fake_embedder)
    sync.sync(corpus)
    fake_embedder.embedded.clear()
    os.utime(p, ns=(1, 1))
    assert status_of(sync.sync(corpus)) == {"a.md": "unchanged"}
    assert fake_embedder.embedded == []


def test_metadata_is_stored_with_chunks(settings, corpus, fake_embedder):
    write_md(corpus, "reports/2023-04-27-h2.md", "Hydrogen webinar", PARAS[:2], date="2023-04-27")
    sync = make_sync(settings, fake_embedder)
    sync.sync(corpus)
    meta = sync.store.collection.get(include=["metadatas"])["metadatas"][0]
    assert meta["doc_id"] == "reports/2023-04-27-h2.md" and meta["doc_type"] == "report"
    assert meta["date"] == "2023-04-27" and meta["date_int"] == 20230427 and meta["title"] == "Hydrogen webinar"


def test_bad_inputs_reported_per_file_and_the_rest_ingests(settings, corpus, fake_embedder, tmp_path):
    write_md(corpus, "good.md", "Good", PARAS[:3])
    make_pdf(corpus / "good.pdf", ["Page one about Aichi.", "Page two about Hiroshima."])
    make_docx(corpus / "good.docx", "Guide", {"Travel": ["Take the train to Kyoto."]})
    (corpus / "empty.md").write_bytes(b"")
    (corpus / "corrupt.pdf").write_bytes(b"%PDF-1.7\n garbage")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    (corpus / "latin1.txt").write_bytes("Délégation à Cergy-Pontoise, Val d'Oise.".encode("latin-1"))
    make_pdf(corpus / "scan.pdf", ["", ""])
    (corpus / "notes.xyz").write_text("unknown format")
    outside = tmp_path / "outside.md"
    outside.write_text("# Secret\n\nOutside the corpus.\n")
    (corpus / "link.md").symlink_to(outside)
    (corpus / "locked.md").write_text("# Locked\n\nCannot be read.\n")
    with open(corpus / "huge.txt", "wb") as fh:  # 50 MB of text
        line = b"The delegation visited Osaka and Oita in November 2022.\n"
        fh.write(line * (50 * 1024 * 1024 // len(line) + 1))

    def read_bytes(path: Path) -> bytes:  # as root chmod cannot make a file unreadable: simulate it
        if path.name == "locked.md":
            raise PermissionError(13, "Permission denied")
        return path.read_bytes()

    sync = make_sync(settings, fake_embedder, read_bytes=read_bytes)
    report = sync.sync(corpus)
    by_id = {f.doc_id: f for f in report.files}
    assert {k: by_id[k].status for k in ("good.md", "good.pdf", "good.docx", "latin1.txt")} == dict.fromkeys(
        ("good.md", "good.pdf", "good.docx", "latin1.txt"), "added")
    assert any("latin-1" in n or "cp1252" in n for n in by_id["latin1.txt"].notes)
    expected_failures = {
        "empty.md": "is empty", "corrupt.pdf": "could not be read as a PDF", "binary.txt": "binary",
        "scan.pdf": "no extractable text", "locked.md": "Permission denied", "huge.txt": "over the 20 MB limit",
    }
    for doc_id, phrase in expected_failures.items():
        assert by_id[doc_id].status == "failed", doc_id
        assert phrase in by_id[doc_id].reason and by_id[doc_id].fix, doc_id
    assert by_id["notes.xyz"].status == "skipped" and "unsupported" in by_id["notes.xyz"].reason
    assert by_id["link.md"].status == "skipped" and "outside the corpus folder" in by_id["link.md"].reason
    assert not report.ok
    assert set(sync.store.collection.get(include=["metadatas"])["metadatas"][i]["doc_id"]
               for i in range(report.total_chunks)) == {"good.md", "good.pdf", "good.docx", "latin1.txt"}
    assert "PA_MAX_FILE_MB" in by_id["huge.txt"].fix


def test_failed_change_keeps_previous_version(settings, corpus, fake_embedder):
    p = make_pdf(corpus / "r.pdf", ["Report page one about Kyoto."])
    sync = make_sync(settings, fake_embedder)
    sync.sync(corpus)
    before = stored(sync)
    p.write_bytes(b"%PDF-1.7 truncated")
    report = sync.sync(corpus)
    assert report.files[0].status == "failed" and "stays in the index" in report.files[0].notes[0]
    assert stored(sync) == before


def test_settings_change_rebuilds(settings, corpus, fake_embedder):
    write_md(corpus, "a.md", "A", PARAS)
    sync = make_sync(settings, fake_embedder)
    n1 = sync.sync(corpus).total_chunks
    bigger = settings.model_copy(update={"chunk_size": 900})
    sync2 = make_sync(bigger, fake_embedder)
    report = sync2.sync(corpus)
    assert report.rebuilt and report.files[0].status == "added" and report.total_chunks < n1
    assert_consistent(sync2)


def test_a_changed_loader_reads_its_own_files_again_and_nothing_else(settings, corpus, fake_embedder, monkeypatch):
    from programme_assistant.ingest import loaders

    write_md(corpus, "a.md", "A", PARAS[:4])
    make_pdf(corpus / "r.pdf", [" ".join(PARAS[4:8])], title="R")
    sync = make_sync(settings, fake_embedder)
    sync.sync(corpus)
    assert {r.reader for r in sync.manifest.records().values()} == {"load_markdown:1", "load_pdf:1"}
    monkeypatch.setitem(loaders.READER_VERSIONS, loaders.load_pdf, "2")
    fake_embedder.embedded.clear()
    report = sync.sync(corpus)
    assert not report.rebuilt and status_of(report) == {"a.md": "unchanged", "r.pdf": "updated"}
    pdf = next(f for f in report.files if f.doc_id == "r.pdf")
    assert pdf.notes[0] == "read again: its loader changed (load_pdf:1 -> load_pdf:2)"
    assert pdf.reused == pdf.chunks and fake_embedder.embedded == []  # same text: its vectors are kept
    assert sync.manifest.records()["r.pdf"].reader == "load_pdf:2"
    assert status_of(sync.sync(corpus)) == {"a.md": "unchanged", "r.pdf": "unchanged"}  # once
    assert_consistent(sync)


def test_a_manifest_from_before_loader_versions_counts_as_version_one(settings, corpus, fake_embedder):
    import sqlite3

    write_md(corpus, "a.md", "A", PARAS[:4])
    sync = make_sync(settings, fake_embedder)
    sync.sync(corpus)
    sync.manifest.close()
    path = settings.index_dir / "manifest.sqlite"
    db = sqlite3.connect(path)  # the manifest as the versions before this one wrote it: no reader column
    db.execute("ALTER TABLE files DROP COLUMN reader")
    db.commit()
    db.close()
    again = make_sync(settings, fake_embedder)
    assert again.manifest.records()["a.md"].reader == ""
    report = again.sync(corpus)
    assert status_of(report) == {"a.md": "unchanged"} and not report.rebuilt
    assert_consistent(again)


def test_orphan_chunks_are_removed(settings, corpus, fake_embedder):
    write_md(corpus, "a.md", "A", PARAS[:3])
    sync = make_sync(settings, fake_embedder)
    sync.sync(corpus)
    sync.store.upsert(ids=["orphan"], texts=["stray"], embeddings=[[0.1] * 16],
                      metadatas=[{"doc_id": "gone.md"}])
    report = sync.sync(corpus)
    assert "orphan" not in stored(sync) and any("gone.md" in r for r in report.repaired)
    assert_consistent(sync)


KILLER = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, {tests!r})
    from conftest import CountingFakeEmbedding, make_sync
    from programme_assistant.config import Settings
    from programme_assistant.ingest import sync as ingest

    settings = Settings(corpus_dir={corpus!r}, index_dir={index!r}, chunk_size=300, chunk_overlap=60, batch_size=1)
    point = {point!r}
    calls = {{"n": 0}}

    class Killing(CountingFakeEmbedding):
        def embed_documents(self, texts):
            calls["n"] += 1
            if point == "embed" and calls["n"] == 2:
                os.kill(os.getpid(), signal.SIGKILL)
            return super().embed_documents(texts)

    if point == "after_store":  # die after the store write, before the manifest says complete
        original = ingest.Manifest.complete
        def complete(self, record):
            calls["n"] += 1
            if calls["n"] == 2:
                os.kill(os.getpid(), signal.SIGKILL)
            return original(self, record)
        ingest.Manifest.complete = complete
    if point == "delete":  # die between deleting a file's chunks and forgetting it
        original_remove = ingest.Manifest.remove
        def remove(self, doc_id):
            os.kill(os.getpid(), signal.SIGKILL)
        ingest.Manifest.remove = remove

    sync = make_sync(settings, Killing(size=16, embedded=[]))
    sync.sync(settings.corpus_dir)
""")


@pytest.mark.parametrize("point", ["embed", "after_store", "delete"])
def test_interrupted_run_is_repaired(settings, corpus, fake_embedder, point):
    for i in range(5):
        write_md(corpus, f"doc{i}.md", f"Doc {i}", PARAS[i:i + 6])
    if point == "delete":  # index everything, then remove a file so the killed run is deleting
        make_sync(settings, fake_embedder).sync(corpus)
        (corpus / "doc2.md").unlink()
        write_md(corpus, "doc0.md", "Doc 0", PARAS[:2] + ["Edited paragraph about Catalonia."])
    script = KILLER.format(tests=str(Path(__file__).parent), corpus=str(corpus), index=str(settings.index_dir),
                           point=point)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr

    sync = make_sync(settings, fake_embedder)
    report = sync.sync(corpus)
    assert report.ok
    assert_consistent(sync)
    # exactly the state a clean index of the same folder has
    clean_settings = settings.model_copy(update={"index_dir": settings.index_dir.parent / "clean"})
    clean = make_sync(clean_settings, fake_embedder)
    clean.sync(corpus)
    assert sorted(stored(sync)) == sorted(stored(clean))
    assert Counter(status_of(sync.sync(corpus)).values()) == Counter({"unchanged": len(stored_docs(corpus))})


def stored_docs(corpus: Path) -> list[Path]:
    return list(corpus.glob("*.md"))


def test_cli_ingest_json_and_exit_codes(tmp_path, monkeypatch, capsys):
    from programme_assistant import assistant, cli

    corpus = tmp_path / "c"
    write_md(corpus, "a.md", "A", PARAS[:2])
    from conftest import CountingFakeEmbedding

    monkeypatch.setattr(assistant, "build_embedder", lambda s: CountingFakeEmbedding(size=16, embedded=[]))
    assert cli.main(["ingest", str(corpus), "--index", str(tmp_path / "i"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] and data["counts"]["added"] == 1 and data["files"][0]["doc_id"] == "a.md"
    (corpus / "bad.pdf").write_bytes(b"not a pdf")
    assert cli.main(["ingest", str(corpus), "--index", str(tmp_path / "i")]) == 1
    out = capsys.readouterr().out
    assert "bad.pdf" in out and "failed" in out and "unchanged" in out


def test_cli_reports_config_errors(tmp_path, monkeypatch, capsys):
    from programme_assistant import cli

    monkeypatch.setenv("PA_CHROMA_PORT", "9000")
    assert cli.main(["ingest", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "PA_CHROMA_PORT" in err and "fix:" in err


@pytest.mark.parametrize("command", [["ask", "Who organised the visit?"], ["chat"]])
def test_cli_questions_to_an_empty_index_say_to_ingest_first(tmp_path, monkeypatch, capsys, command):
    from conftest import CountingFakeEmbedding

    from programme_assistant import assistant, cli

    monkeypatch.setattr(assistant, "build_embedder", lambda s: CountingFakeEmbedding(size=16, embedded=[]))
    monkeypatch.setattr("builtins.input", lambda prompt="": pytest.fail("chat read a question of an empty index"))
    index = tmp_path / "never-ingested"
    assert cli.main([*command, "--index", str(index)]) == 2
    captured = capsys.readouterr()
    assert "holds no documents" in captured.err and str(index) in captured.err
    assert "programme-assistant ingest" in captured.err and "not in the documents" not in captured.out
