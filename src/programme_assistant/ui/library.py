"""The newcomers' tabs: the glossary, the timeline of documents, and an overview of what the corpus holds.
Tables and plots are built from what the Assistant says the index holds; each refreshes when the page is opened."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from programme_assistant.ui.render import esc

if TYPE_CHECKING:
    from programme_assistant.assistant import Assistant


def glossary_table(assistant: Assistant, query: str = "") -> pd.DataFrame:
    rows = assistant.glossary(query)
    return pd.DataFrame(
        [[r.term, r.meaning, r.definition] for r in rows], columns=["Acronym", "Stands for", "What it means here"]
    )


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
            "The acronyms and names used across the documents, from the corpus's own glossary. "
            "Type in the search box to filter."
        )
        table = gr.Dataframe(
            glossary_table(assistant),
            interactive=False,
            wrap=True,
            show_search="search",
            column_widths=["14%", "30%", "56%"],
            max_height=620,
            elem_id="pa-glossary",
        )
        refresh.append((table, lambda: glossary_table(assistant)))
    with gr.Tab("Timeline", id="timeline"):
        gr.Markdown("Every dated document, by date and type. Hover a point to see its title.")
        plot = gr.ScatterPlot(
            timeline_frame(assistant),
            x="date",
            y="type",
            color="type",
            tooltip=["title", "date", "language"], x_axis_format="%b %Y",
            height=330,
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
        refresh += [(plot, lambda: timeline_frame(assistant)), (listing, lambda: timeline_table(assistant))]
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
