"""A document's text as a page: its Markdown rendered (headings, lists, tables, emphasis), every character of it
inert, and one span (the sentence an answer cites) highlighted.

Rendering is markdown-it-py's CommonMark with tables and strikethrough, and with raw HTML off: ``<script>`` or
``<img onerror=...>`` in a document is shown as those characters. Images are not rendered (a document cannot
make the page load anything), and only http(s) and mailto addresses become links; ``javascript:``, ``data:`` or
a bare path stay text.

The highlighted span is carried through the Markdown parser by two marker characters put into the text at its
ends. They are punctuation (Unicode Po), so ``**bold**`` beside them is still read as emphasis; they are moved off
the syntax at the start of a line (a list bullet, ``#`` of a heading, a table's pipes) so that the line keeps its
meaning. In the HTML, every piece of text between the two markers is wrapped in ``<mark>`` (a span may cross table
cells or list items), the first one ``id="quote"`` for the page to scroll to.
"""

from __future__ import annotations

import html
import re
from typing import Any

from markdown_it import MarkdownIt

from programme_assistant.text.tables import TABLE_RULE

START, END = "\u2e4e", "\u2e4f"  # PUNCTUS ELEVATUS MARK, CORNISH VERSE DIVIDER: punctuation no document uses
# Bullets of Word's Symbol/Wingdings fonts, which PDF text extraction returns as private-use characters (or DEL).
# Each maps to one character, so offsets into the text stay valid.
SYMBOL_BULLETS = str.maketrans(
    {"\x7f": "•", "\uf0b7": "•", "\uf0a7": "▪", "\uf0d8": "➢", "\uf076": "❖", "\uf0fc": "✓",
     START: "·", END: "·"}
)
LINK_SCHEMES = ("http:", "https:", "mailto:")
# What starts a line's block syntax: indentation, a blockquote, a list bullet or number, heading hashes, a pipe.
_LINE_SYNTAX = re.compile(r"[ \t]*(?:>[ \t]?)*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?(?:#{1,6}[ \t]+)?(?:\|[ \t]*)?")
_LINE_END_SYNTAX = re.compile(r"[ \t]*(?:\|[ \t]*)?(?:#+[ \t]*)?$")
_TAG = re.compile(r"(<[^>]*>)")


def _safe_link(url: str) -> bool:
    return url.strip().lower().startswith(LINK_SCHEMES)


def _renderer() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.disable("image")  # ![alt](url) stays text: a document never makes the page fetch anything
    md.validateLink = _safe_link  # type: ignore[method-assign]

    def link_open(renderer: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
        tokens[idx].attrSet("rel", "noopener noreferrer nofollow")
        return renderer.renderToken(tokens, idx, options, env)

    def heading(renderer: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
        # the page's own <h1> is the document title: the document's headings start one level below
        tokens[idx].tag = f"h{min(int(tokens[idx].tag[1]) + 1, 6)}"
        return renderer.renderToken(tokens, idx, options, env)

    md.add_render_rule("link_open", link_open)
    md.add_render_rule("heading_open", heading)
    md.add_render_rule("heading_close", heading)
    return md


_MD = _renderer()


def _line_bounds(text: str, at: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    return start, len(text) if end < 0 else end


def _snap_start(text: str, start: int, end: int) -> int:
    """Move the span's start off block syntax: past a table rule line, and past a bullet, heading hashes or a
    table's first pipe when the span starts at them."""
    while start < end:
        line_start, line_end = _line_bounds(text, start)
        if TABLE_RULE.match(text[line_start:line_end]) or not text[start:line_end].strip():
            start = line_end + 1  # a table's rule or the rest of an empty line: the span starts on the next line
            continue
        if not text[line_start:start].strip(" \t>|#*+-0123456789.)"):  # only syntax stands before the start
            syntax = _LINE_SYNTAX.match(text, line_start)
            if syntax and syntax.end() > start:
                start = syntax.end()
        break
    return min(start, end)


def _snap_end(text: str, start: int, end: int) -> int:
    """Move the span's end back before a table's last pipe, closing hashes, trailing blanks or a rule line."""
    while end > start:
        line_start, line_end = _line_bounds(text, end - 1)
        line = text[line_start:line_end]
        if TABLE_RULE.match(line) or not text[line_start:end].strip():
            end = line_start - 1  # the span ends on the line before
            continue
        if not text[end:line_end].strip():
            tail = _LINE_END_SYNTAX.search(text, line_start, line_end)
            end = min(end, tail.start()) if tail else end
            end = len(text[:end].rstrip(" \t"))
        break
    return max(end, start)


def _mark_between(rendered: str) -> str:
    """Wrap every piece of text between the START and END markers in <mark>, the first one id="quote"."""
    out: list[str] = []
    inside = first = False
    for piece in _TAG.split(rendered):
        if piece.startswith("<"):
            # a marker inside a tag (a link address): drop it, but keep count of where the span is
            if START in piece:
                inside = True
            if END in piece:
                inside = False
            out.append(piece.replace(START, "").replace(END, "").replace("%E2%B9%8E", "").replace("%E2%B9%8F", ""))
            continue
        text = ""
        piece = piece.replace("'", "&#x27;")  # escaped as everywhere else in the app (html.escape)
        for part in re.split(f"([{START}{END}])", piece):
            if part == START:
                inside = True
            elif part == END:
                inside = False
            elif part:
                if inside and part.strip():
                    attrs = "" if first else ' id="quote"'
                    first = True
                    text += f"<mark{attrs}>{part}</mark>"
                else:
                    text += part
        out.append(text)
    return "".join(out)


def render_markdown(text: str, start: int | None = None, end: int | None = None) -> str:
    """The document's text as HTML; ``text[start:end]`` highlighted when it is a valid span."""
    text = text.translate(SYMBOL_BULLETS)  # one character for one: the span's offsets stay valid
    if start is not None and end is not None and 0 <= start < end <= len(text):
        start = _snap_start(text, start, end)
        end = _snap_end(text, start, end)
        if start < end:
            text = text[:start] + START + text[start:end] + END + text[end:]
    return _mark_between(_MD.render(text))


_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")


def render_plain(text: str, start: int | None = None, end: int | None = None) -> str:
    """Text that is not Markdown (a .txt file, a PDF's extracted text) as HTML: paragraphs with their line breaks
    and spacing kept (``white-space: pre-wrap``), a lone ``# line`` (the loaders' headings) as a heading;
    ``text[start:end]`` highlighted."""
    text = text.translate(SYMBOL_BULLETS)
    if start is not None and end is not None and 0 <= start < end <= len(text):
        text = text[:start] + START + text[start:end] + END + text[end:]
    blocks = []
    for block in re.split(r"\n[ \t]*\n", text):
        if not block.strip():
            continue
        block = block.strip("\n")
        heading = _HEADING.match(block.strip(START + END)) if "\n" not in block else None
        if heading:
            lead = START if block.startswith(START) else ""  # a highlight that starts at the heading
            tail = END if block.endswith(END) else ""
            level = min(len(heading.group(1)) + 1, 6)
            blocks.append(f"<h{level}>{lead}{html.escape(heading.group(2))}{tail}</h{level}>")
        else:
            blocks.append(f'<p class="plain">{html.escape(block)}</p>')
    return _mark_between("\n".join(blocks))
