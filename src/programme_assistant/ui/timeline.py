"""The Timeline tab's milestones: a strip of points along the years (each point a link to the line of the document
that states it), then the same milestones as a list by year, each with its source.

Drawn as SVG inside the page, so every point can be a link and every label can say its year; the axis is padded
on both sides so that the first and the last point are whole. Everything from a document is escaped.
"""

from __future__ import annotations

from datetime import date

from programme_assistant.models import Milestone
from programme_assistant.text.dates import MONTHS
from programme_assistant.ui.render import esc, viewer_url

WIDTH, LEFT, RIGHT = 1000, 28, 28  # the strip's drawing width and its margins (no point is cut at an edge)
ROW, TOP, RADIUS = 15, 16, 6  # points that would overlap are stacked in rows this far apart


def _day(iso: str) -> date:
    """A partial date at the start of its period ("2022" -> 1 January 2022)."""
    parts = [int(p) for p in iso.split("-")[:3]]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def shown_date(iso: str) -> str:
    """As precise as the source: "13 Jul 2022", "Jul 2022", "2022"."""
    parts = iso.split("-")
    if len(parts) == 1:
        return parts[0]
    month = MONTHS[int(parts[1]) - 1][:3]
    return f"{int(parts[2])} {month} {parts[0]}" if len(parts) > 2 else f"{month} {parts[0]}"


def _link(m: Milestone) -> str:
    return viewer_url(m.doc_id, m.start, m.end) if m.start >= 0 else viewer_url(m.doc_id)


def strip_svg(milestones: list[Milestone]) -> str:
    """The milestones as points along a time axis with a label for every year."""
    days = [_day(m.date) for m in milestones]
    first, last = date(min(days).year, 1, 1), date(max(days).year + 1, 1, 1)
    span = max((last - first).days, 1)

    def x(d: date) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (d - first).days / span

    rows: list[float] = []  # the right edge of the last point of each row
    placed = []
    for m, d in sorted(zip(milestones, days, strict=True), key=lambda p: p[1]):
        cx = x(d)
        row = next((i for i, edge in enumerate(rows) if edge + 2 * RADIUS + 1 <= cx), len(rows))
        if row < len(rows):
            rows[row] = cx
        else:
            rows.append(cx)
        placed.append((m, cx, row))
    height = TOP + max(len(rows), 1) * ROW + 30
    axis_y = height - 24
    years = list(range(first.year, last.year + 1))
    step = 1 if len(years) <= 16 else 2
    ticks = "".join(
        f'<line x1="{x(date(y, 1, 1)):.1f}" y1="{axis_y}" x2="{x(date(y, 1, 1)):.1f}" y2="{axis_y + 5}" '
        f'class="pa-tl-tick"/>'
        + (f'<text x="{x(date(y, 1, 1)) + 3:.1f}" y="{axis_y + 17}" class="pa-tl-year">{y}</text>'
           if (y - first.year) % step == 0 and y < last.year else "")
        for y in years
    )
    points = "".join(
        f'<a href="{esc(_link(m))}" target="_blank" rel="noopener" class="pa-tl-point">'
        f'<circle cx="{cx:.1f}" cy="{axis_y - 10 - row * ROW}" r="{RADIUS}" class="y{_day(m.date).year % 2}">'
        f"<title>{esc(shown_date(m.date))}: {esc(m.text)}</title></circle></a>"
        for m, cx, row in placed
    )
    return (
        f'<svg class="pa-tl-strip" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-label="{len(milestones)} milestones from {first.year} to {last.year - 1}">'
        f'<line x1="{LEFT}" y1="{axis_y}" x2="{WIDTH - RIGHT}" y2="{axis_y}" class="pa-tl-axis"/>'
        f"{ticks}{points}</svg>"
    )


def milestones_html(milestones: list[Milestone]) -> str:
    """The strip, then the list by year."""
    from_timeline = any(m.start >= 0 for m in milestones)  # lines of a timeline, not whole documents
    if not milestones:
        return '<div class="pa-timeline"><p class="pa-note">No dated milestones or documents yet.</p></div>'
    sources = sorted({m.title for m in milestones})
    note = (f"{len(milestones)} milestones, from {esc(', '.join(sources))}. Click a point or a line to read it "
            "in its document." if from_timeline else
            f"{len(milestones)} dated documents (no timeline document was found: a document whose title says "
            "timeline or chronology is read line by line). Click one to open it.")
    by_year: dict[str, list[Milestone]] = {}
    for m in milestones:
        by_year.setdefault(m.date[:4], []).append(m)
    listing = "".join(
        f'<section><h4>{esc(year)}</h4><ol>'
        + "".join(
            f'<li><time datetime="{esc(m.date)}">{esc(shown_date(m.date))}</time>'
            f'<a href="{esc(_link(m))}" target="_blank" rel="noopener">{esc(m.text)}</a></li>'
            for m in items
        )
        + "</ol></section>"
        for year, items in by_year.items()
    )
    return (f'<div class="pa-timeline"><p class="pa-note">{note}</p>{strip_svg(milestones)}'
            f'<div class="pa-tl-list">{listing}</div></div>')


# The look of the strip and the list (Gradio's variables, so that they follow the app's theme).
TIMELINE_CSS = """
.pa-tl-strip { display: block; margin: 6px 0 14px; overflow: visible; }
.pa-tl-axis, .pa-tl-tick { stroke: var(--body-text-color-subdued); stroke-width: 1; }
.pa-tl-year { font-size: 12px; fill: var(--body-text-color-subdued); }
.pa-tl-point circle { fill: #4338ca; stroke: var(--background-fill-primary); stroke-width: 1.5; cursor: pointer; }
.pa-tl-point circle.y1 { fill: #0ea5e9; }
.pa-tl-point:hover circle { fill: #f59e0b; }
.pa-tl-list { columns: 2 420px; column-gap: 28px; }
.pa-tl-list section { break-inside: avoid; margin-bottom: 10px; }
.pa-tl-list h4 { margin: 4px 0; font-size: 15px; }
.pa-tl-list ol { list-style: none; margin: 0; padding: 0; }
.pa-timeline, .pa-tl-list li, .pa-tl-list a { text-align: left !important; }
.pa-tl-list li { display: flex; gap: 10px; font-size: 13.5px; line-height: 1.45; margin: 3px 0; }
.pa-tl-list time { flex: none; width: 92px; color: var(--body-text-color-subdued); font-variant-numeric: tabular-nums; }
.pa-tl-list a { color: var(--body-text-color) !important; text-decoration: none !important; }
.pa-tl-list a:hover { text-decoration: underline !important; color: #4338ca !important; }
"""
