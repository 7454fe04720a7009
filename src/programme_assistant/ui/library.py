"""The newcomers' tabs: the glossary (each acronym with the sentence that explains it), the timeline (the
programme's milestones, then its documents by date), and an overview of what the corpus holds.
Tables and plots are built from what the Assistant says the index holds; each refreshes when the page is opened."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pandas as pd

from programme_assistant.ui.render import esc, viewer_url
from programme_assistant.ui.timeline import milestones_html

if TYPE_CHECKING:
    from programme_assistant.assistant import Assistant


GLOSSARY_COLUMNS = ["Acronym", "Stands for", "What it means here", "Source"]


def _md_link(label: str, url: str) -> str:
    """A Markdown link whose label is plain text (the table renders Markdown)."""
    shown = re.sub(r"([\\`*_{}\[\]<>()#+!|~])", r"\\\1", label)
    return f"[{shown}]({url.replace(' ', '%20').replace(')', '%29')})"


def glossary_table(assistant: Assistant, query: str = "") -> pd.DataFrame:
    """Each acronym with its full name, the corpus sentence that says what it is or does here, and a link to
    that sentence in its document."""
    rows = []
    for r in assistant.glossary(query):
        source = ""
        if r.explanation and r.source_doc_id:
            start, end = (r.source_start, r.source_end) if r.source_start >= 0 else (None, None)
            source = _md_link(r.source_title or r.source_doc_id, viewer_url(r.source_doc_id, start, end))
        text = r.explanation.replace("|", "/") if r.explanation else ""
        rows.append([r.term, r.meaning, re.sub(r"([\\`*_<>\[\]])", r"\\\1", text), source])
    return pd.DataFrame(rows, columns=GLOSSARY_COLUMNS)


def timeline_frame(assistant: Assistant) -> pd.DataFrame:
    rows = assistant.timeline()
    frame = pd.DataFrame(
        [[r.date, r.title, r.doc_type, r.language, r.doc_id] for r in rows],
        columns=["date", "title", "type", "language", "document"],
    )
    # Partial dates (YYYY or YYYY-MM) are placed at the start of their period.
    full = frame["date"].map(lambda d: d + "-01-01"[len(d) - 4 :] if len(d) in (4, 7) else d[:10])
    frame["date"] = pd.to_datetime(full, format="%Y-%m-%d", errors="coerce")
    return frame.dropna(subset=["date"])


def date_limits(frame: pd.DataFrame) -> list[float] | None:
    """The plot's date axis: from the start of the first document's month to the end of the last one's, and a
    month more on each side, so that no point sits on an edge (seconds since the epoch, as the plot takes them)."""
    if frame.empty:
        return None
    first = frame["date"].min().to_period("M").to_timestamp() - pd.DateOffset(months=1)
    last = frame["date"].max().to_period("M").to_timestamp() + pd.DateOffset(months=2)
    return [first.timestamp(), last.timestamp()]


def timeline_plot(assistant: Assistant) -> Any:
    import gradio as gr

    frame = timeline_frame(assistant)
    return gr.update(value=frame, x_lim=date_limits(frame))


def timeline_table(assistant: Assistant) -> pd.DataFrame:
    rows = assistant.timeline()
    return pd.DataFrame(
        [[r.date, r.title, r.doc_type, r.language] for r in reversed(rows)],
        columns=["Date", "Title", "Type", "Language"],
    )


def year_type_frame(assistant: Assistant) -> pd.DataFrame:
    data = assistant.overview().by_year_and_type
    return pd.DataFrame(data, columns=["year", "type", "documents"])


def stats_html(assistant: Assistant) -> str:
    ov = assistant.overview()
    span = f"{ov.first_date[:4]}–{ov.last_date[:4]}" if ov.first_date else "—"
    cards = [
        (ov.documents, "documents"),
        (ov.chunks, "passages indexed"),
        (len(ov.by_language), "languages"),
        (span, "years covered"),
    ]
    stats = "".join(f'<div class="pa-stat"><b>{esc(v)}</b><span>{esc(label)}</span></div>' for v, label in cards)
    types = "".join(f'<span class="pa-badge">{esc(t)} · {n}</span>' for t, n in ov.by_type.items())
    langs = "".join(f'<span class="pa-badge">{esc(lang)} · {n}</span>' for lang, n in ov.by_language.items())
    synced = f'<p class="pa-note">Last sync: {esc(ov.last_sync)}</p>' if ov.last_sync else ""
    return (
        f'<div class="pa-stats">{stats}</div><div class="pa-types"><span class="pa-note">By type</span>{types}'
        f'</div><div class="pa-types"><span class="pa-note">By language</span>{langs}</div>{synced}'
    )


def build_library_tabs(assistant: Assistant) -> list[tuple[Any, Any]]:
    """The Glossary, Timeline and Overview tabs. Returns (component, refresh function) pairs for page load."""
    import gradio as gr

    refresh: list[tuple[Any, Any]] = []
    with gr.Tab("Glossary", id="glossary"):
        gr.Markdown(
            "The acronyms and names used across the documents, from the corpus's own glossary, each with the "
            "sentence of the documents that says what it is or does here (and a link to it). "
            "Type in the search box to filter."
        )
        table = gr.Dataframe(
            glossary_table(assistant),
            interactive=False,
            wrap=True,
            show_search="search",
            datatype=["str", "str", "markdown", "markdown"],
            column_widths=["11%", "24%", "45%", "20%"],
            max_height=620,
            elem_id="pa-glossary",
        )
        refresh.append((table, lambda: glossary_table(assistant)))
    with gr.Tab("Timeline", id="timeline"):
        gr.Markdown("### Programme milestones")
        milestones = gr.HTML(milestones_html(assistant.milestones()), elem_id="pa-milestones")
        gr.Markdown("### Documents by date\nEvery dated document, by date and type. Hover a point to see its title.")
        frame = timeline_frame(assistant)
        plot = gr.ScatterPlot(
            frame,
            x="date",
            y="type",
            color="type",
            tooltip=["title", "date", "language"],
            x_axis_format="%b %Y",
            x_lim=date_limits(frame),
            height=300,
            x_title="Date",
            y_title="Document type",
            show_label=False,
            elem_id="pa-timeline",
        )
        listing = gr.Dataframe(
            timeline_table(assistant),
            interactive=False,
            wrap=True,
            max_height=420,
            column_widths=["14%", "62%", "12%", "12%"],
        )
        refresh += [(milestones, lambda: milestones_html(assistant.milestones())),
                    (plot, lambda: timeline_plot(assistant)), (listing, lambda: timeline_table(assistant))]
    with gr.Tab("Overview", id="overview"):
        stats = gr.HTML(stats_html(assistant))
        bars = gr.BarPlot(
            year_type_frame(assistant),
            x="year",
            y="documents",
            color="type",
            height=320,
            x_title="Year",
            y_title="Documents",
            show_label=False,
            elem_id="pa-overview-plot",
        )
        refresh += [(stats, lambda: stats_html(assistant)), (bars, lambda: year_type_frame(assistant))]
    return refresh
