"""HTML fragments the UI shows: answers with their [n] markers, source cards, refusals, sync reports.

Everything that comes from a document or a model is escaped here, once: a document containing ``<script>``
or ``<img src=x onerror=...>`` shows those characters and runs nothing. Fragments are single lines, so that
the chat's Markdown renderer keeps them as one HTML block and never reads document text as Markdown.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urlencode

from programme_assistant.assistant import by_document, cited_sentences, unwrapped, without_nearest
from programme_assistant.models import Answer, Citation
from programme_assistant.text.sentences import sentence_spans
from programme_assistant.text.tables import TABLE_RULE, table_cells

# a [n] marker with the word before it and the punctuation after it, so they stay on one line
_MARKER = re.compile(r"(\S*) ?\[(\d{1,3})\]([.,;:!?]*)")
# A passage longer than this is shown as a window around its quoted sentence.
_PASSAGE_WINDOW = 260

FILE_LABELS = {
    ".pdf": "Original PDF",
    ".docx": "Original Word file",
    ".html": "Original web page",
    ".htm": "Original web page",
    ".md": "Original text",
    ".txt": "Original text",
}


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


_HEADING_LINE = re.compile(r"^#{1,6}[ \t]+")
_BULLET = re.compile(r"^[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+(?=\S)")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")


def inline_markup(escaped: str) -> str:
    """Markdown bold in already escaped text (``**Time:** 9:00``) shown as bold; a marker left without its
    pair (a quote cut inside a bold run) is dropped rather than shown as asterisks."""
    return _BOLD.sub(r"<strong>\2</strong>", escaped).replace("**", "")


def _table_row(line: str) -> str:
    """"| Third stop | Aichi, Kyoto | Basque Country |" -> "Third stop · Aichi, Kyoto · Basque Country"."""
    return " · ".join(c for c in table_cells(line) if c)


def _lines(text: str, strip: bool = True, tables: bool = False) -> str:
    """Escaped text with line breaks kept, on one line. Markdown heading lines (``## Title``) are shown bold,
    without their hashes, and so is ``**bold**`` text; runs of blank lines count as one. With ``tables``,
    Markdown table rows are shown as their cells separated by dots, and the rule under a header is dropped."""
    out = []
    for line in (text.strip() if strip else text).split("\n"):
        if tables and (line.count("|") >= 2 or line.strip().startswith("|") or line.strip().endswith("|")):
            if TABLE_RULE.match(line):
                continue
            line = _table_row(line)
        if _HEADING_LINE.match(line):
            out.append(f"<strong>{esc(_HEADING_LINE.sub('', line).replace('**', ''))}</strong>")
        elif line.strip() or (out and out[-1] != "") or (not strip and not out):  # a piece starting a new line
            out.append(inline_markup(esc(line)))
    return "<br>".join(out)


# --- links ------------------------------------------------------------------------------------------
# Relative links, so the app also works behind a proxy that serves it under a path prefix.
def viewer_url(doc_id: str, start: int | None = None, end: int | None = None, page: int | None = None) -> str:
    """The document's page, ``start``-``end`` highlighted and scrolled to; ``page``: the PDF page shown beside."""
    params: dict[str, int] = {"start": start, "end": end} if start is not None and end is not None else {}
    if page:
        params["page"] = page
    query = f"?{urlencode(params)}" if params else ""
    return f"documents/view/{quote(doc_id)}{query}{'#quote' if 'start' in params else ''}"


def file_url(doc_id: str, page: int | None = None) -> str:
    return f"documents/file/{quote(doc_id)}" + (f"#page={page}" if page else "")


def _citation_url(c: Citation) -> str:
    return viewer_url(c.doc_id, c.quote_start, c.quote_end)


def _where(date: str | None, section: str = "", page: int | None = None) -> str:
    """date · section · page, escaped."""
    parts = [date or "undated"]
    if section:
        parts.append(section.split(" > ")[-1])
    if page:
        parts.append(f"p. {page}")
    return " · ".join(esc(p) for p in parts)


# --- chat messages ------------------------------------------------------------------------------------
def question_html(question: str) -> str:
    return f'<div class="pa-question">{_lines(question)}</div>'


def pending_html(text: str) -> str:
    body = _lines(text) if text.strip() else "Searching the documents…"
    return f'<div class="pa-answer pa-pending">{body}<span class="pa-caret"></span></div>'


def error_html(message: str, fix: str = "") -> str:
    tip = f'<div class="pa-fix">{esc(fix)}</div>' if fix else ""
    return f'<div class="pa-answer pa-error"><strong>Something went wrong.</strong> {esc(message)}{tip}</div>'


def _with_markers(text: str, citations: list[Citation]) -> str:
    by_number = {c.number: c for c in citations}

    def chip(m: re.Match[str]) -> str:
        c = by_number.get(int(m.group(2)))
        if c is None:
            return m.group(0)
        return (
            f'<span class="pa-nowrap">{m.group(1)} <a class="pa-ref" href="{esc(_citation_url(c))}" '
            f'target="_blank" rel="noopener" title="{esc(c.title)}">{c.number}</a>{m.group(3)}</span>'
        )

    return _MARKER.sub(chip, _lines(text))


def read_as_html(answer: Answer) -> str:
    """How a question asked in a conversation was searched, when the rewriter carried words of an earlier turn into
    it ("What were the 2023 webinars? (prefectures group_a visit)"), as the CLI prints it: a question on a new
    subject that was read as a follow-up shows why its answer is about the old one, and how to ask it again.
    Empty when it was searched as asked."""
    read = answer.standalone_question.strip()
    if not read or read == answer.question.strip():
        return ""
    return (f'<div class="pa-readas">Read with the conversation, searched for: <q>{esc(read)}</q>. '
            "If the question stands on its own, ask it in a new conversation.</div>")


def answer_html(answer: Answer) -> str:
    """An answer as shown in the chat: text with linked [n] markers, then its sources (or the nearest documents),
    and how a follow-up was read (``read_as_html``)."""
    read_as = read_as_html(answer)
    if answer.refused:
        nearest = "".join(
            f'<li><a href="{esc(viewer_url(d["doc_id"]))}" target="_blank" rel="noopener">{esc(d["title"])}</a>'
            f"{' · ' + esc(d['date']) if d.get('date') else ''}</li>"
            for d in answer.nearest
        )
        text = without_nearest(answer.text)
        more = f'<div class="pa-nearest"><span>Closest documents</span><ul>{nearest}</ul></div>' if nearest else ""
        # a refusal may quote what the documents do say ("they give the office, not the name [1]"): linked
        return (f'<div class="pa-answer pa-refused"><p>{_with_markers(text, answer.citations)}</p>{more}'
                f"{read_as}</div>")
    cites = "".join(
        f'<a class="pa-cite" href="{esc(_citation_url(group[0]))}" target="_blank" rel="noopener">'
        + "".join(f"<b>{c.number}</b>" for c in group)
        + f"{esc(group[0].title)}<i>{esc(group[0].date or '')}</i></a>"
        for group in by_document(answer.citations)
    )
    sources = f'<div class="pa-cites">{cites}</div>' if cites else ""
    warn = "".join(f'<div class="pa-warn">Not supported by its source: {esc(s)}</div>' for s in answer.unsupported)
    return f'<div class="pa-answer"><p>{_with_markers(answer.text, answer.citations)}</p>{warn}{sources}{read_as}</div>'


# --- sources panel ------------------------------------------------------------------------------------
def passage_html(passage: str, quote_text: str, window: int = _PASSAGE_WINDOW, also: Sequence[str] = ()) -> str:
    """The passage with the quoted sentence highlighted, and the sentences in ``also`` (others the answer cites
    from it with the same number); long passages trimmed to ``window`` characters on each side of them."""
    at = passage.find(quote_text) if quote_text else -1
    # a hard-wrapped paragraph is shown as one, not at its writer's line width (the same offsets)
    passage = unwrapped(passage)
    if at >= 0:
        quote_text = passage[at:at + len(quote_text)]
    bullet = _BULLET.match(quote_text) if at >= 0 else None
    if bullet:  # a list item's bullet stays outside the highlight, as in the document page
        at, quote_text = at + bullet.end(), quote_text[bullet.end():]
    if at < 0:
        shown = passage if len(passage) <= 2 * window else passage[: 2 * window] + "…"
        return _lines(shown, tables=True)
    spans = [(at, at + len(quote_text))]
    for sentence in also:
        start = passage.find(sentence) if sentence else -1
        if start >= 0 and all(start >= e or start + len(sentence) <= s for s, e in spans):
            spans.append((start, start + len(sentence)))
    spans.sort()
    marked, cursor = [], spans[0][0]
    for s, e in spans:
        if s > cursor:
            marked.append(_lines(passage[cursor:s], strip=False, tables=True))
        marked.append(f"<mark>{_lines(passage[s:e], tables=True)}</mark>")
        cursor = e
    before, after = passage[: spans[0][0]], passage[cursor:]
    if len(before) > window:
        before = "…" + before[_trim_start(before, len(before) - window):]
    if len(after) > window:
        after = after[:_trim_end(after, window)] + "…"
    return f"{_lines(before, strip=False, tables=True)}{''.join(marked)}{_lines(after, strip=False, tables=True)}"


def _trim_start(text: str, earliest: int) -> int:
    """Where text shown from about ``earliest`` on starts: at the first sentence or line (``sentence_spans``), else
    word, that starts after it, so that a trimmed passage does not open mid-line ("…1: Aichi, Osaka")."""
    starts = [s for s, _ in sentence_spans(text) if s >= earliest]
    if starts:
        return starts[0]
    word = text.find(" ", earliest)
    return word + 1 if word >= 0 else earliest


def _trim_end(text: str, latest: int) -> int:
    """Where text shown up to about ``latest`` ends: at the last sentence or line, else word, that ends before it."""
    ends = [e for _, e in sentence_spans(text) if e <= latest]
    if ends:
        return ends[-1]
    word = text.rfind(" ", 0, latest)
    return word if word > 0 else latest


def _original_label(source_path: str) -> str:
    suffix = "." + source_path.rsplit(".", 1)[-1].lower() if "." in source_path else ""
    return FILE_LABELS.get(suffix, "Original file")


def _cited_sentence(c: Citation, window: int, answer_text: str = "") -> str:
    also = [s for s in cited_sentences(answer_text, c.number) if s != c.quote] if answer_text else []
    where = " · ".join(esc(x) for x in [c.section.split(" > ")[-1] if c.section else "",
                                         f"p. {c.page}" if c.page else ""] if x)
    page = (f'<a class="pa-page" href="{esc(viewer_url(c.doc_id, c.quote_start, c.quote_end, c.page))}" '
            f'target="_blank" rel="noopener">page {c.page} as printed</a>'
            if c.page and c.source_path.lower().endswith(".pdf") else "")
    return (
        f'<li class="pa-cited" id="source-{c.number}"><span class="pa-num">{c.number}</span><div>'
        + (f'<div class="pa-where">{where}</div>' if where else "")
        + f'<blockquote class="pa-passage">{passage_html(c.passage, c.quote, window, also)}</blockquote>'
        f'<div class="pa-actions"><a class="pa-open-at" href="{esc(_citation_url(c))}" target="_blank" '
        f'rel="noopener">Open at this sentence</a>{page}</div></div></li>'
    )


def source_card(citations: list[Citation], answer_text: str = "") -> str:
    """One document of an answer: its title, type and date, then each sentence the answer cites from it (with
    its [n] number, section or page, and the passage around it, every sentence of ``answer_text`` citing [n]
    highlighted in it), and links to the whole document."""
    first = citations[0]
    numbers = "".join(f'<span class="pa-num">{c.number}</span>' for c in citations)
    window = _PASSAGE_WINDOW if len(citations) == 1 else _PASSAGE_WINDOW // 2
    sentences = "".join(_cited_sentence(c, window, answer_text) for c in citations)
    count = f"{len(citations)} cited sentences" if len(citations) > 1 else ""
    return (
        f'<article class="pa-source" data-doc="{esc(first.doc_id)}">'
        f'<header><span class="pa-nums">{numbers}</span>'
        f'<a class="pa-title" href="{esc(_citation_url(first))}" target="_blank" rel="noopener">{esc(first.title)}</a>'
        f'</header><div class="pa-meta"><span class="pa-badge">{esc(first.doc_type)}</span>'
        f"{esc(first.date or 'undated')}{' · ' + count if count else ''}</div>"
        f'<ol class="pa-cited-list">{sentences}</ol>'
        f'<div class="pa-actions"><a class="pa-open" href="{esc(_citation_url(first))}" target="_blank" '
        f'rel="noopener">Open document</a><a href="{esc(file_url(first.doc_id, first.page))}" target="_blank" '
        f'rel="noopener">{esc(_original_label(first.source_path))}</a></div></article>'
    )


# The sources panel's per-document entries (the rest of their look is style.APP_CSS). Gradio's own variables,
# so that they follow the app's theme.
SOURCES_CSS = """
.pa-nums { display: inline-flex; gap: 3px; flex: none; }
.pa-cited-list { list-style: none; margin: 0; padding: 0; }
.pa-cited { display: flex; gap: 8px; align-items: flex-start; margin: 8px 0 0; }
.pa-cited > div { flex: 1; min-width: 0; }
.pa-cited > .pa-num { opacity: .85; margin-top: 6px; }
.pa-where { font-size: 12px; color: var(--body-text-color-subdued); margin: 0 0 3px; }
.pa-cited .pa-actions { margin-top: 4px; font-size: 12.5px; }
.pa-cites .pa-cite b + b { margin-left: -3px; }
"""


def sources_html(answer: Answer | None) -> str:
    if answer is None:
        return (
            '<div class="pa-sources pa-empty"><h3>Sources</h3><p>Each answer cites its sources with numbered '
            "markers. They appear here with the sentence that supports the answer highlighted, and a link to "
            "the whole document.</p></div>"
        )
    if answer.refused:
        items = "".join(
            f'<article class="pa-source"><header><a class="pa-title" href="{esc(viewer_url(d["doc_id"]))}" '
            f'target="_blank" rel="noopener">{esc(d["title"])}</a></header>'
            f'<div class="pa-meta">{esc(d.get("date") or "undated")} · {esc(d["doc_id"])}</div></article>'
            for d in answer.nearest
        )
        quoted = "".join(source_card(group, answer.text) for group in by_document(answer.citations))
        quoted = (f'<p class="pa-note">What they do say, quoted in the answer:</p>{quoted}'
                  '<p class="pa-note">The closest documents:</p>') if quoted else ""
        return (
            '<div class="pa-sources"><h3>No source answers this</h3><p class="pa-note">The documents do not '
            f"say. These are the closest ones, if you want to read them yourself.</p>{quoted}{items}</div>"
        )
    cards = "".join(source_card(group, answer.text) for group in by_document(answer.citations))
    return f'<div class="pa-sources"><h3>Sources of this answer</h3>{cards}</div>'


# --- maintainers ----------------------------------------------------------------------------------------
STATUS_CLASS = {
    "added": "ok",
    "updated": "ok",
    "unchanged": "muted",
    "deleted": "warn",
    "skipped": "warn",
    "failed": "bad",
}


def sync_report_html(report: Any, title: str = "Sync report") -> str:
    counts = ", ".join(f"{n} {s}" for s, n in report.counts().items() if n) or "no files"
    def details(f: Any) -> str:
        return "; ".join(x for x in [f.reason, f"fix: {f.fix}" if f.fix else "", *f.notes] if x)

    rows = "".join(
        f'<tr><td>{esc(f.doc_id)}</td><td><span class="pa-status {STATUS_CLASS[f.status]}">{esc(f.status)}</span>'
        f"</td><td>{f.chunks}</td><td>{esc(details(f))}</td></tr>"
        for f in report.files
        if f.status != "unchanged"
    )
    unchanged = report.counts()["unchanged"]
    table = (
        (
            f'<table class="pa-table"><thead><tr><th>File</th><th>Status</th><th>Chunks</th><th>Details</th></tr>'
            f"</thead><tbody>{rows}</tbody></table>"
        )
        if rows
        else ""
    )
    note = f'<p class="pa-note">{unchanged} unchanged files were not read again.</p>' if unchanged else ""
    if report.stopped:
        note += message_html(f"The sync stopped: {report.stopped} ({report.stopped_fix})", "bad")
    return (
        f'<div class="pa-report"><h4>{esc(title)}: {esc(counts)}</h4>{table}{note}'
        f'<p class="pa-note">{report.total_chunks} passages in the index · {report.embedded_chunks} embedded in '
        f"{report.seconds:.1f} s</p></div>"
    )


def message_html(text: str, kind: str = "note") -> str:
    return f'<div class="pa-message {esc(kind)}">{esc(text)}</div>'
