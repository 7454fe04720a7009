"""SourceDocument -> Chunks: structure first (headings, paragraphs), then lines and sentences.

Each chunk is an exact span of the document text (``doc.text[start:end] == chunk.text``), keeps the
heading path of its section and its page, and has an id that is stable across runs.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from programme_assistant.models import Chunk, SourceDocument, chunk_id_for
from programme_assistant.text.tables import header_above

# Bump when the chunking rules change: the index is then rebuilt, since old chunks no longer match. A change to what
# one loader reads bumps that loader's version instead (``loaders.READER_VERSIONS``): only its files are read again.
CHUNKER_VERSION = "5"  # 2: HTML inline tags no longer add a space before punctuation; 3: PDF running
# headers and footers left out; 4: a PDF's ruled tables read as rows; 5: a chunk that begins inside a table
# carries the table's header row, and .docx and HTML tables are Markdown rows with their header marked

_BLOCK = re.compile(r"\S(?:.*?\S)?(?=\n[ \t]*\n|\s*\Z)", re.DOTALL)
_HEADING_LINE = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_SENTENCE_END = re.compile(r"(?<=[.!?…;])[\"'”’)\]]*\s+(?=[\"'“‘(\[¿¡]?[A-Z0-9À-ÖØ-Þ])")


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    heading_path: tuple[str, ...]
    is_heading: bool

    @property
    def size(self) -> int:
        return self.end - self.start


def _split_long(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into spans of at most ``limit`` chars: lines, then sentences, then words."""
    if end - start <= limit:
        return [(start, end)]
    spans: list[tuple[int, int]] = []
    for splitter in (re.compile(r"\n+"), _SENTENCE_END):
        pieces = []
        cursor = start
        for m in splitter.finditer(text, start, end):
            pieces.append((cursor, m.start()))
            cursor = m.end()
        pieces.append((cursor, end))
        pieces = [(s, e) for s, e in pieces if text[s:e].strip()]
        if len(pieces) > 1:
            for s, e in pieces:
                spans.extend(_split_long(text, s, e, limit))
            return spans
    # one very long sentence: cut at the last whitespace before the limit
    cursor = start
    while end - cursor > limit:
        cut = text.rfind(" ", cursor + limit // 2, cursor + limit)
        cut = cut if cut > cursor else cursor + limit
        spans.append((cursor, cut))
        cursor = cut
        while cursor < end and text[cursor].isspace():
            cursor += 1
    if cursor < end:
        spans.append((cursor, end))
    return spans


def _units(text: str, limit: int) -> list[_Unit]:
    units: list[_Unit] = []
    stack: list[tuple[int, str]] = []
    for block in _BLOCK.finditer(text):
        first_line_end = text.find("\n", block.start(), block.end())
        first_line_end = block.end() if first_line_end == -1 else first_line_end
        heading = _HEADING_LINE.match(text, block.start(), first_line_end)
        if heading:
            level = len(heading.group(1))
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, heading.group(2).strip()))
            path = tuple(title for _, title in stack)
            units.append(_Unit(block.start(), first_line_end, path, True))
            rest = first_line_end
            while rest < block.end() and text[rest].isspace():
                rest += 1
            if rest >= block.end():
                continue
            body_start = rest
        else:
            body_start = block.start()
        path = tuple(title for _, title in stack)
        for s, e in _split_long(text, body_start, block.end(), limit):
            units.append(_Unit(s, e, path, False))
    return units


def chunk_document(doc: SourceDocument, chunk_size: int, chunk_overlap: int) -> list[Chunk]:
    """Split a document into chunks of at most ``chunk_size`` characters (a single unit never exceeds
    it), repeating up to ``chunk_overlap`` characters of whole sentences/lines between neighbours."""
    text = doc.text
    groups: list[list[_Unit]] = []
    current: list[_Unit] = []

    def has_content(units: list[_Unit]) -> bool:
        return any(not u.is_heading for u in units)

    for unit in _units(text, chunk_size):
        if unit.is_heading:
            if has_content(current):
                groups.append(current)
                current = []
            current.append(unit)
            continue
        if current and (unit.end - current[0].start) > chunk_size:
            if has_content(current):
                groups.append(current)
                # carry whole trailing content units of the same section as overlap
                carried: list[_Unit] = []
                for prev in reversed(current):
                    if prev.is_heading or prev.heading_path != unit.heading_path:
                        break
                    carried_end = carried[-1].end if carried else prev.end
                    if unit.end - prev.start > chunk_size or carried_end - prev.start > chunk_overlap:
                        break
                    carried.insert(0, prev)
                current = carried
            else:
                # headings alone would overflow with this unit: give them a chunk of their own
                groups.append(current)
                current = []
        current.append(unit)
    if current:
        groups.append(current)

    chunks: list[Chunk] = []
    seen: Counter[str] = Counter()
    for index, group in enumerate(groups):
        start, end = group[0].start, group[-1].end
        body = text[start:end]
        content = next((u for u in group if not u.is_heading), group[-1])
        table_header = header_above(text, start)
        embedded = embedding_text(doc.title, content.heading_path, body, table_header)
        occurrence = seen[embedded]
        seen[embedded] += 1
        chunks.append(
            Chunk(
                chunk_id=chunk_id_for(doc.doc_id, embedded, occurrence),
                doc_id=doc.doc_id,
                text=body,
                start=start,
                end=end,
                index=index,
                heading_path=content.heading_path,
                page=doc.page_at(start),
                table_header=table_header,
            )
        )
    return chunks


def embedding_text(title: str, heading_path: tuple[str, ...], text: str, table_header: str = "") -> str:
    """What is embedded for a chunk: its document title and section, then its text (after the header row of the
    table it begins inside, when that row is in an earlier chunk).

    The context line lets a passage that never repeats the subject (``It was held online``) still be
    found by a query that names it.
    """
    context = " > ".join([title, *[h for h in heading_path if h != title]])
    return f"{context}\n{table_header}\n{text}" if table_header else f"{context}\n{text}"
