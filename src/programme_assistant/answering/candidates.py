"""Passage text -> the statements an extractive answer can be made of.

Programme documents state many facts outside prose sentences: key-value lines at the top of minutes
("**Time:** 16:00-18:00 JST"), bullet lists under an introducing line ("The discussion confirmed four
groups of topics:"), and tables ("| AZTI | Basque Country | research ... |"). Each becomes a candidate:

- a prose sentence (one leaning on the sentence before, "It was ...", carries that sentence along);
- a list item, with the line that introduces the list as its context;
- a key-value line, shown as "Key: value";
- a table row, shown as "Header: cell; Header: cell" when the table has a header row;
- a whole short list or table with its introducing line, for questions whose answer is the list.

Headings are never candidates; with the introducing line they form the ``context`` a candidate is scored with,
so that "Time: 16:00-18:00 JST" under "Second Exchange Meeting" can answer a question about that meeting.

Each candidate keeps ``span``: where in the passage text the line(s) it was made from are (a list with its
introducing line, a table row's own line). The shown text is reformatted ("Header: cell"), so the citation's quote
is looked for in that span (``citations.resolve``), not by words alone: a row's words match its header row too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from programme_assistant.text.sentences import sentence_spans
from programme_assistant.text.tables import TABLE_RULE, looks_like_header, table_cells

_HEADING = re.compile(r"^\s*#{1,6}\s+(.*)$")
_ITEM = re.compile(r"^\s*(?:[-*•▪●◦\x7f]|\d+[.)])\s+(.*)$")  # \x7f: the bullet PDF text extraction leaves
# "**Time:** 9:00", "**SPA.** Negotiated...", "**Visit**, June"
_FIELD = re.compile(r"^\*\*([^*\n]{1,60}?)\*\*\s*(.+)$")
_MARKUP = re.compile(r"\*\*|__|`")
# "*Decision:* approved", "_Prepared by ..._": an emphasis mark at a word's edge (not "doc_id", "5 * 3", a bullet)
_EMPHASIS = re.compile(r"(?<![\w*])[*_](?=[^\s*_])|(?<=[^\s*_])[*_](?![\w*])")
# "2. The R2R strand in brief", "3.1 Attendance": a numbered heading as PDF text extraction leaves it
_NUMBERED_HEADING = re.compile(r"^\s*\d+(?:\.\d+)*\.?\s+([A-Z][^.!?;:,]{0,70})$")
_LEANS_BACK = re.compile(r"^(It|Its|They|Their|Them|He|She|His|Her|Both|Each|Such|This|These)\b")
_STATEMENT_END = re.compile(r"[.!?:;…)\"”’]$|\d$")


def read_in_context(context: str, text: str) -> str:
    """A statement as it is embedded and matched in context: under its heading or list introduction, if any."""
    return f"{context}: {text}" if context else text


@dataclass(frozen=True)
class Candidate:
    passage: int  # 1-based number of the passage it comes from
    text: str  # what the answer shows (markup removed)
    context: str  # heading and introducing line it sits under: scored, not shown
    order: int  # position within the passage
    block: int  # list / table / paragraph it belongs to: siblings share it
    kind: str  # "sentence", "item", "field", "row" or "list"
    # (start, end) in the passage text of the line(s) it was made from; (0, 0) when not known
    span: tuple[int, int] = (0, 0)
    # a table row read under its header ("Dates: 19 November; Group B: End of the visit"): the column names, which
    # every row of the table shares, and the row's own cells. Its words are the cells'; the column names count as
    # context, like a heading (they tell what the row is about, not which row answers)
    columns: str = ""
    cells: str = ""


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", _EMPHASIS.sub("", _MARKUP.sub("", text))).strip()


def _cells(line: str) -> list[str]:
    return [_clean(c) for c in table_cells(line)]


def _is_table_line(line: str) -> bool:
    return line.count("|") >= (1 if not line.lstrip().startswith("|") else 2)


def _join_field(key: str, value: str) -> str:
    """"**Time:** 9:00" -> "Time: 9:00"; "**SPA.** Signed ..." -> "SPA: Signed ...";
    "**Visit**, June" -> "Visit, June"."""
    key, value = _clean(key), _clean(value)
    if key.endswith((":", ".")) or value.startswith((":", ".")):
        return f"{key.rstrip(':.')}: {value.lstrip(':.').strip()}"
    return f"{key}{'' if value[:1] in ',;)' else ' '}{value}"


def _is_caps_title(line: str) -> bool:
    """A title line in capitals, as plain-text documents write headings ("4. WHAT THE HOSTS ARE SHOWING (as in
    the host-region guide)": a remark in brackets after it aside)."""
    letters = [ch for ch in re.sub(r"\s*\([^()]*\)\s*$", "", line) if ch.isalpha()]
    return len(letters) >= 8 and sum(ch.isupper() for ch in letters) >= 0.9 * len(letters) \
        and not re.search(r"[.!?;]\s*$", line.strip())


def _with_stop(text: str) -> str:
    return text if re.search(r"[.!?…]$", text) else text.rstrip(";:,") + "."


@dataclass
class CandidateLimits:
    min_sentence_words: int = 6
    min_item_words: int = 2
    min_chars: int = 12
    max_chars: int = 600
    max_list_items: int = 8


class _Builder:
    def __init__(self, passage: int, heading: str, limits: CandidateLimits) -> None:
        self.passage = passage
        self.heading = heading
        self.limits = limits
        self.out: list[Candidate] = []
        self.block = 0
        self.intro = ""  # the line ending with ":" that introduces the current list or table
        self.items: list[str] = []  # the current list's / table's rendered items
        self.item_kind = ""
        self.table_rows: list[list[str]] = []
        self.table_header: list[str] | None = None
        self.previous_sentence = ""
        self.line = (0, 0)  # the span of the line being read
        self.intro_span: tuple[int, int] | None = None  # the span of ``intro``'s line
        self.item_spans: list[tuple[int, int]] = []  # the spans of ``items``' lines
        self.row_spans: list[tuple[int, int]] = []  # the spans of ``table_rows``' lines

    @property
    def context(self) -> str:
        return " ".join(p for p in (self.heading, self.intro) if p)

    def add(self, text: str, kind: str, context: str | None = None,
            span: tuple[int, int] | None = None, columns: str = "", cells: str = "") -> None:
        text = text.strip()
        if text.endswith("?") or (kind == "list" and text.count("?") >= 2):
            return  # a question asks; it does not answer
        if not (self.limits.min_chars <= len(text) <= self.limits.max_chars):
            return
        words = len(text.split())
        if kind == "sentence" and (words < self.limits.min_sentence_words or not _STATEMENT_END.search(text)):
            return  # a title or label line, not a statement
        if words < self.limits.min_item_words + (1 if kind != "sentence" else 0):
            return
        self.out.append(Candidate(self.passage, text, self.context if context is None else context,
                                  len(self.out), self.block, kind, self.line if span is None else span,
                                  columns, cells))

    def start_section(self, title: str) -> None:
        """A heading line (Markdown, capitals or numbered): what follows is under ``title``."""
        self.close_block()
        self.intro, self.intro_span = "", None
        self.heading = _clean(title)
        self.previous_sentence = ""

    # --- blocks ---------------------------------------------------------------------------------
    def close_block(self) -> None:
        """End the current list or table: emit the table rows, and the whole list with its introduction."""
        if self.table_rows:
            self._emit_table()
        if self.items and self.intro and len(self.items) >= 2:
            items = self.items[:self.limits.max_list_items]
            whole = f"{self.intro} " + "; ".join(i.rstrip(".;") for i in items) + "."
            shown = self.item_spans[:len(items)]
            start = self.intro_span[0] if self.intro_span else shown[0][0]
            self.add(whole, "list", context=self.heading, span=(start, shown[-1][1]))
        if self.items or self.table_rows:
            self.intro, self.intro_span = "", None
        self.items, self.item_kind, self.table_rows, self.table_header = [], "", [], None
        self.item_spans, self.row_spans = [], []
        self.block += 1

    def _emit_table(self) -> None:
        rows = self.table_rows
        header = self.table_header
        spans = self.row_spans
        if header is None and len(rows) >= 3 and looks_like_header(rows[0]):
            header, rows, spans = rows[0], rows[1:], spans[1:]
        for cells, span in zip(rows, spans, strict=True):
            columns = own = ""
            if header and len(header) == len(cells):
                text = "; ".join(f"{h}: {c}" for h, c in zip(header, cells, strict=True) if c)
                columns = "; ".join(h for h, c in zip(header, cells, strict=True) if c)
                own = "; ".join(c for c in cells if c)
            elif len(cells) == 2:
                text = f"{cells[0]}: {cells[1]}"
            else:
                text = "; ".join(c for c in cells if c)
            text = _with_stop(text)
            self.add(text, "row", span=span, columns=columns, cells=own)
            self.items.append(text)
            self.item_spans.append(span)

    def table_line(self, line: str) -> None:
        if self.items and not self.table_rows:
            self.close_block()
        if TABLE_RULE.match(line):
            if len(self.table_rows) == 1 and self.table_header is None:
                self.table_header = self.table_rows.pop()
                self.row_spans.pop()
            elif self.table_rows:
                # a second table right after the first (a table carried over a page break repeats its header):
                # the line above the rule is the new table's header, not a row of the one before
                header = self.table_rows.pop()
                self.row_spans.pop()
                self.close_block()
                self.table_header = header
            return
        self.table_rows.append(_cells(line))
        self.row_spans.append(self.line)

    def item_line(self, body: str) -> None:
        if self.table_rows:
            self.close_block()
        body = body.strip()
        field = _FIELD.match(body)
        if field:
            text, kind = _join_field(field.group(1), field.group(2)), "field"
        else:
            text, kind = _clean(body), "item"
        text = _without_trailing_title(text)
        text = _with_stop(text) if kind == "field" or not text.endswith(":") else text
        if text.endswith(":"):  # a nested list's introduction
            self.close_block()
            self.intro, self.intro_span = text, self.line
            return
        # an item in small letters finishes its introduction's sentence ("It was founded by:" / "- the Government
        # of Catalonia;"): shown alone it is a fragment, so it is shown after the introduction
        shown = f"{self.intro} {text}" if self.intro and kind == "item" and re.match(r"[a-z]", text) else text
        self.add(shown, kind)
        self.items.append(text)
        self.item_spans.append(self.line)

    def prose(self, line: str) -> None:
        if self.items or self.table_rows:
            self.close_block()
        self.intro, self.intro_span = "", None
        field = _FIELD.match(line.strip())
        key = ""
        if field and len(field.group(1).split()) <= 8:  # "**Strategic Partnership Agreement (SPA).** Negotiated ..."
            joined = _join_field(field.group(1), field.group(2))
            if joined.startswith(_clean(field.group(1)).rstrip(":.") + ": "):
                key, line = _clean(field.group(1)).rstrip(":."), field.group(2).lstrip(":. ")
            else:
                line = joined
        text = _clean(line)
        spans = sentence_spans(text)
        for i, (s, e) in enumerate(spans):
            sentence = text[s:e]
            shown = sentence
            if _LEANS_BACK.match(sentence) and self.previous_sentence:
                shown = f"{self.previous_sentence} {sentence}"
            elif i == 0 and key:
                shown = f"{key}: {sentence}"
            if sentence.endswith(":") and i == len(spans) - 1:
                self.intro = shown  # "It was set up by three members:" carries the sentence it leans on
                self.intro_span = self.line
                self.previous_sentence = sentence
                continue
            self.add(shown, "sentence")
            self.previous_sentence = sentence
        self.block += 1


_BARE_NUMBER = re.compile(r"^\d+(?:\.\d+)*\.?$")
_TITLE_FRAGMENT = re.compile(r"^[A-Z][^.!?…;:]*$")
_NUMBERED_TITLE = re.compile(r"^\d+(?:\.\d+)*\.\s+(.*)$")


def _without_trailing_title(text: str) -> str:
    """A statement without the numbered heading that extraction glued to its end ("... focus sectors. 9.
    Agreements and cooperation links": the next section's heading, run into the paragraph by a PDF's text
    layer): a trailing bare number, or a bare number and the short unpunctuated title after it, are cut."""
    spans = sentence_spans(text)
    pieces = [text[a:b] for a, b in spans]
    if len(pieces) > 2 and _BARE_NUMBER.match(pieces[-2]) and _TITLE_FRAGMENT.match(pieces[-1]) \
            and len(pieces[-1].split()) <= 8:
        return text[:spans[-3][1]]
    numbered = _NUMBERED_TITLE.match(pieces[-1]) if len(pieces) > 1 else None  # "9. Agreements and ..." as one
    if numbered and _TITLE_FRAGMENT.match(numbered.group(1)) and len(numbered.group(1).split()) <= 8:
        return text[:spans[-2][1]]
    if len(pieces) > 1 and _BARE_NUMBER.match(pieces[-1]):
        return text[:spans[-2][1]]
    return text


# "Basque Country ....... Basque Government, BRTA", "Hiroshima . Emilia-Romagna": a key and its value laid out
# with dot leaders, as plain-text documents write a table of two columns
# (a key of at most 40 characters; an ellipsis "Activities... Page 6" is no leader)
_DOT_LEADER = re.compile(r"^\s*(\S[^\n]{0,39}?)(?:\s\.+|\.{4,})\s+(\S.*)$")


def _heading_title(line: str) -> str | None:
    """The title of a heading line (Markdown "## Title", a title in capitals, a numbered "2. Title" of at most eight
    words), else None."""
    heading = _HEADING.match(line)
    if heading:
        return heading.group(1)
    if _is_caps_title(line):  # "RETURN VISIT OF THE JAPANESE PREFECTURES TO EUROPE, 4-10 JUNE 2023"
        return line
    numbered = _NUMBERED_HEADING.match(line)
    return numbered.group(1) if numbered and len(numbered.group(1).split()) <= 8 else None


def _line_kind(line: str) -> str:
    if not line.strip():
        return "blank"
    if re.fullmatch(r"\s*([-=_*~])\1{2,}\s*", line):
        return "rule"
    if _heading_title(line) is not None:
        return "heading"
    if _ITEM.match(line):
        return "item"
    if _is_table_line(line):
        return "table"
    return "prose"


# "Chair: ...", "Venue: ...": a line that opens a field of its own
_FIELD_START = re.compile(r"^\s*[^\s:][^:]{0,40}:\s")
# A line wrapped by its writer's editor is at least this long (editors wrap at 70 to 80 characters)
MIN_WRAPPED_CHARS = 60


def _continues(previous: str, line: str, kind: str, width: int) -> bool:
    """Whether ``line`` carries on the sentence of the prose or list-item line before it, as hard-wrapped plain
    text and soft-wrapped Markdown write one ("- Ask each prefecture which contacts it wants" / "  to pursue;
    record these ..."): it starts with a small letter after a line that ends no sentence or introduction, or it
    follows a line ending in a comma, or a full line (``width``: the text's usual line length, and at least
    ``MIN_WRAPPED_CHARS``) ending in a word (a name in capitals too, unless the line opens a field, "Chair:
    ..."). ``kind``: the line's ``_line_kind``. A key and value laid out with dot leaders starts a line of its own
    (its wrapped value carries on from it)."""
    if kind != "prose" or _DOT_LEADER.match(line):
        return False
    before = previous.rstrip()
    if re.match(r"\s*[a-z]", line):
        return not re.search(r"[.!?…:]$", before)
    if before.endswith(","):
        return True
    if len(before) < max(0.8 * width, MIN_WRAPPED_CHARS):
        return False
    # a full line ending in a word in small letters, or in a name ("... has become a standing River Transport" /
    # "Working Group (RTWG), with ..."), unless the line after it opens a field of its own ("Chair: ...")
    return bool(re.search(r"(?:^|\s)[a-z][\w'’-]*$", before)) or (
        bool(re.search(r"[A-Za-zÀ-ÿ]$", before)) and not _FIELD_START.match(line))


def _logical_lines(text: str) -> list[tuple[str, int, int]]:
    """The lines of ``text`` with the wrapped ones joined to the line they carry on (``_continues``): each as
    (text, start, end), where start and end are the first and last non-space characters' places in ``text``."""
    lengths = sorted(len(line.rstrip()) for line in text.splitlines() if line.strip())
    width = lengths[len(lengths) * 3 // 4] if lengths else 0
    out: list[tuple[str, int, int]] = []
    last = ""  # the last physical line, when it is prose or an item (a line another can carry on)
    offset = 0
    for raw in text.splitlines(keepends=True):
        start, offset = offset, offset + len(raw)
        line = raw.rstrip()
        kind = _line_kind(line)
        if kind == "blank":
            last = ""
            continue
        begin, end = start + len(line) - len(line.lstrip()), start + len(line)
        if last and out and _continues(last, line, kind, width):
            out[-1] = (f"{out[-1][0]} {line.strip()}", out[-1][1], end)
        else:
            out.append((line, begin, end))
        last = line if kind in ("prose", "item") else ""
    return out


@lru_cache(maxsize=512)
def unwrapped(text: str) -> str:
    """``text`` with the line breaks inside a wrapped sentence (``_logical_lines``) made spaces: the same length,
    so that a span found in it is the same span of ``text``. Sentence spans of a hard-wrapped paragraph
    (``sentence_spans`` ends a sentence at every line break) are then its sentences, not its lines: a citation's
    quote is the whole sentence the answer took, not its first line."""
    chars = list(text)
    for _, start, end in _logical_lines(text):
        for i in range(start, end):
            if chars[i] in "\r\n":
                chars[i] = " "
    return "".join(chars)


def passage_candidates(passage: int, text: str, heading: str = "",
                       limits: CandidateLimits | None = None, table_header: str = "") -> list[Candidate]:
    """The candidates of one passage; ``heading`` is its section path (the innermost heading is used).
    ``table_header``: the header row of the table the passage begins inside (``Chunk.table_header``), which its
    first rows are read under."""
    b = _Builder(passage, heading.split(" > ")[-1] if heading else "", limits or CandidateLimits())
    if table_header:
        b.table_header = _cells(table_header)
    for line, start, end in _logical_lines(text):
        b.line = (start, end)
        title = _heading_title(line)
        if title is not None:
            b.start_section(title)
            continue
        item = _ITEM.match(line)
        leader = _DOT_LEADER.match(line) if not item else None
        if item:
            b.item_line(item.group(1))
        elif _is_table_line(line):
            b.table_line(line)
        elif leader:  # "Val d'Oise ....... CEEVO; food tech" -> the field "Val d'Oise: CEEVO; food tech."
            b.item_line(f"**{leader.group(1).strip()}:** {leader.group(2)}")
        else:
            b.prose(line)
    b.close_block()
    # the same text can come out twice (a list of one item, overlapping forms): keep its first occurrence
    seen: set[str] = set()
    unique = []
    for c in b.out:
        if c.text not in seen:
            seen.add(c.text)
            unique.append(c)
    return unique
