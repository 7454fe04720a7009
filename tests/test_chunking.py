"""Chunking properties: no text lost, offsets point at the chunk text, ids stable, sizes bounded."""

from __future__ import annotations

import random
import re

import pytest

from programme_assistant.ingest.chunking import chunk_document
from programme_assistant.models import PageSpan, SourceDocument

WORDS = ("Osaka Oita Kyoto Aichi Hiroshima hydrogen region prefecture meeting visit delegation innovation "
         "cluster strategy webinar Keihanna the a of and in to was were with").split()


def random_doc(seed: int) -> SourceDocument:
    rng = random.Random(seed)
    parts = []
    for s in range(rng.randint(1, 5)):
        parts.append("#" * rng.randint(1, 3) + f" Section {s}")
        for _ in range(rng.randint(0, 6)):
            sentences = []
            for _ in range(rng.randint(1, 12)):
                words = [rng.choice(WORDS) for _ in range(rng.randint(3, 40))]
                sentences.append(" ".join(words).capitalize() + rng.choice([".", "!", "?", ";"]))
            sep = "\n" if rng.random() < 0.2 else " "
            parts.append(sep.join(sentences))
    if rng.random() < 0.3:
        parts.append(" ".join("x" * rng.randint(5, 30) for _ in range(200)))  # one huge "sentence"
    text = "\n\n".join(parts) + "\n"
    return SourceDocument(doc_id=f"d{seed}.md", text=text, title=f"Doc {seed}", source_path="-", content_hash="-")


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("size,overlap", [(200, 40), (500, 100), (900, 120)])
def test_properties(seed, size, overlap):
    doc = random_doc(seed)
    chunks = chunk_document(doc, size, overlap)
    covered = [False] * len(doc.text)
    for i, c in enumerate(chunks):
        assert doc.text[c.start:c.end] == c.text  # offsets point at the chunk's text
        assert c.text.strip() == c.text and c.text
        assert len(c.text) <= size
        assert c.index == i
        for k in range(c.start, c.end):
            covered[k] = True
    lost = [ch for ch, cov in zip(doc.text, covered, strict=True) if not cov and not ch.isspace()]
    assert lost == []  # no text lost
    assert [c.chunk_id for c in chunk_document(doc, size, overlap)] == [c.chunk_id for c in chunks]  # stable
    assert len({c.chunk_id for c in chunks}) == len(chunks)  # unique
    starts = [c.start for c in chunks]
    assert starts == sorted(starts)


def test_headings_paths_and_overlap():
    text = ("# Report\n\nIntro sentence here.\n\n## Visits\n\n" + " ".join(
        f"Sentence number {i} about Osaka and Oita." for i in range(30)) + "\n\n### Group B\n\nThey went to Oita.\n")
    doc = SourceDocument(doc_id="r.md", text=text, title="Report", source_path="-", content_hash="-")
    chunks = chunk_document(doc, 300, 80)
    assert chunks[0].heading_path == ("Report",)
    visits = [c for c in chunks if c.heading_path == ("Report", "Visits")]
    assert len(visits) >= 3
    # consecutive chunks of a section share a sentence of overlap
    assert any(visits[i].end > visits[i + 1].start for i in range(len(visits) - 1))
    assert chunks[-1].heading_path == ("Report", "Visits", "Group B")
    assert "They went to Oita." in chunks[-1].text and chunks[-1].text.startswith("### Group B")


def test_same_text_same_place_same_id_and_edit_elsewhere_keeps_ids():
    base = "# T\n\nAlpha paragraph about Aichi.\n\nBeta paragraph about Hiroshima.\n"
    doc1 = SourceDocument(doc_id="a.md", text=base, title="T", source_path="-", content_hash="-")
    doc2 = SourceDocument(doc_id="a.md", text=base.replace("Beta", "Gamma"), title="T", source_path="-",
                          content_hash="-")
    ids1 = [c.chunk_id for c in chunk_document(doc1, 40, 0)]
    ids2 = [c.chunk_id for c in chunk_document(doc2, 40, 0)]
    assert ids1[0] == ids2[0] and ids1[-1] != ids2[-1]
    other = SourceDocument(doc_id="b.md", text=base, title="T", source_path="-", content_hash="-")
    assert not set(ids1) & {c.chunk_id for c in chunk_document(other, 40, 0)}  # ids are per document


def test_repeated_paragraphs_get_distinct_ids():
    text = "# T\n\n" + "\n\n".join(["Same words again."] * 4) + "\n"
    doc = SourceDocument(doc_id="r.md", text=text, title="T", source_path="-", content_hash="-")
    chunks = chunk_document(doc, 30, 0)
    assert len(chunks) >= 4 and len({c.chunk_id for c in chunks}) == len(chunks)


def test_pages_are_kept():
    text = "Page one text.\n\nPage two text."
    doc = SourceDocument(doc_id="p.pdf", text=text, title="P", source_path="-", content_hash="-",
                         pages=[PageSpan(1, 0, 14), PageSpan(2, 16, len(text))])
    chunks = chunk_document(doc, 20, 0)
    assert [c.page for c in chunks] == [1, 2]


def test_sentence_split_keeps_sentence_boundaries():
    text = " ".join(f"Sentence {i} is here." for i in range(50))
    doc = SourceDocument(doc_id="s.md", text=text, title="S", source_path="-", content_hash="-")
    for c in chunk_document(doc, 100, 0):
        assert re.match(r"^Sentence \d+", c.text) and c.text.endswith(".")


def test_a_chunk_that_begins_inside_a_table_carries_its_header_row():
    from programme_assistant.answering.candidates import passage_candidates
    from programme_assistant.ingest.chunking import embedding_text
    from programme_assistant.models import chunk_metadata, retrieved_from_metadata

    rows = "\n".join(f"| Region {i} | Strategy {i} adopted in {2000 + i} | Priorities {i}: health, energy, mobility |"
                     for i in range(12))
    text = ("# Strategies\n\nThe table sets each region against its strategy.\n\n"
            "| Region | Strategy | Priorities |\n|---|---|---|\n" + rows + "\n\nAfter the table, a sentence.\n")
    doc = SourceDocument(doc_id="s.md", text=text, title="Strategies", source_path="-", content_hash="-")
    chunks = chunk_document(doc, 300, 0)
    inside = [c for c in chunks if c.text.startswith("| Region ") and not c.text.startswith("| Region |")]
    assert inside and all(c.table_header == "| Region | Strategy | Priorities |" for c in inside)
    assert not chunks[0].table_header  # the header row is its own
    later = inside[-1]
    assert "| Region | Strategy | Priorities |" in embedding_text(doc.title, later.heading_path, later.text,
                                                                  later.table_header)
    rows_read = [c.text for c in passage_candidates(1, later.text, later.section, table_header=later.table_header)
                 if c.kind == "row"]
    assert rows_read and all(r.startswith("Region: Region ") and "; Strategy: " in r for r in rows_read)
    assert retrieved_from_metadata(later.chunk_id, later.text, chunk_metadata(later, doc)).chunk.table_header == \
        later.table_header
    # ids stay stable across runs
    assert [c.chunk_id for c in chunk_document(doc, 300, 0)] == [c.chunk_id for c in chunks]
