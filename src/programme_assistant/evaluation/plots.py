"""The eval report's charts, drawn with matplotlib and inlined as SVG (the report stays one self-contained file).

Figures are built with ``matplotlib.figure.Figure`` and never touch pyplot, so nothing opens a window, no global
backend is switched and the charts can be drawn from any thread. Text stays text in the SVG (searchable, and
the tests read titles and labels from it).

    bars_per_category(title, categories, {config: [value per category]})   # horizontal grouped bars, 0..1
    latency_histogram(title, {config: [milliseconds per case]})            # log-scaled axis
"""

from __future__ import annotations

import io
import math
import re
import textwrap
from typing import Any

from programme_assistant.evaluation.metrics import percentile

COLOURS = ("#2563eb", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6")
WIDTH_IN = 7.6  # inches at 100 dpi: the report's 760 px column
_STYLE = {
    "svg.fonttype": "none",  # text as <text>, in the page's font, not as paths
    "svg.hashsalt": "programme-assistant",  # the same data gives the same SVG (stable ids)
    "font.family": ["DejaVu Sans", "sans-serif"],
    "font.size": 10,
    "figure.titlesize": 12,
    "figure.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _figure(height_in: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(WIDTH_IN, height_in), dpi=100, layout="constrained")


TITLE_CHARS = 90  # a longer title wraps instead of running off the chart


def _title(fig: Any, title: str) -> None:
    fig.suptitle(textwrap.fill(title, TITLE_CHARS), x=0.01, ha="left")


def _svg(fig: Any, title: str) -> str:
    """The figure as an inline <svg> element, with a <title> for screen readers and the class the page styles."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context(_STYLE):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]  # no XML declaration or DOCTYPE inside HTML
    svg = re.sub(r'<svg ([^>]*?)width="[^"]*" height="[^"]*"', r'<svg \1', svg, count=1)  # sized by the page
    return svg.replace(">", f' class="plot" role="img" aria-label="{_attr(title)}"><title>{_text(title)}</title>', 1)


def _attr(text: str) -> str:
    return _text(text).replace('"', "&quot;")


def _text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def bars_per_category(title: str, categories: list[str], series: dict[str, list[float | None]],
                      xlabel: str = "share of cases (0 to 1)") -> str:
    """Horizontal grouped bars: one row per category (full names, never cut), one bar per config, a legend
    beside the chart. ``None``: not measured for that category (no bar, 'n/a')."""
    import matplotlib

    with matplotlib.rc_context(_STYLE):
        rows = max(1, len(categories))
        fig = _figure(1.3 + rows * (0.18 + 0.12 * len(series)))
        ax = fig.add_subplot()
        band = 0.8 / max(1, len(series))
        for j, (name, values) in enumerate(series.items()):
            positions = [i - 0.4 + band * (j + 0.5) for i in range(len(categories))]
            bars = ax.barh(positions, [v or 0.0 for v in values], height=band * 0.92,
                           color=COLOURS[j % len(COLOURS)], label=name)
            ax.bar_label(bars, labels=["n/a" if v is None else f"{v:.2f}" for v in values], padding=2,
                         fontsize=8, color="#374151")
        ax.set_yticks(range(len(categories)), categories)
        ax.invert_yaxis()  # the first category on top, as in the tables
        ax.set_xlim(0, 1.08)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
        ax.grid(axis="x", color="#e5e7eb")
        ax.set_axisbelow(True)
        _title(fig, title)
        ax.set_xlabel(xlabel)
        if series:
            ax.legend(title="config", loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, title_fontsize=8,
                      frameon=False)
        return _svg(fig, title)


def log_edges(low: float, high: float, bins: int) -> list[float]:
    """``bins`` bins of equal width on a log scale from ``low`` to ``high`` (both > 0): 50 ms and 50,000 ms cases
    land bins apart instead of in the first of twenty 2.5-second bins."""
    if high <= low:
        low, high = low / 1.5, high * 1.5
    step = (math.log10(high) - math.log10(low)) / bins
    return [low] + [10 ** (math.log10(low) + step * i) for i in range(1, bins)] + [high]


def latency_histogram(title: str, series: dict[str, list[float]], bins: int = 24) -> str:
    """Cases per latency bin on a log-scaled axis (a few slow cases no longer squash the rest into one bar),
    with each config's median and 95th percentile marked. '' when there is nothing to draw."""
    import matplotlib
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    values = [v for vs in series.values() for v in vs if v > 0]
    if not values:
        return ""
    edges = log_edges(min(values), max(values), bins)
    with matplotlib.rc_context(_STYLE):
        fig = _figure(3.4)
        ax = fig.add_subplot()
        for j, (name, vs) in enumerate(series.items()):
            colour = COLOURS[j % len(COLOURS)]
            shown = [v for v in vs if v > 0]
            ax.hist(shown, bins=edges, color=colour, alpha=0.55 if len(series) > 1 else 0.85, label=name,
                    edgecolor="white", linewidth=0.5)
            for q, style in ((50, "-"), (95, "--")) if shown else ():  # as in the metrics table
                at = percentile(shown, q)
                ax.axvline(at, color=colour, linestyle=style, linewidth=1.2, label=f"{name} p{q} {at:,.0f} ms")
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))  # 50, 100, 200, 500, 1,000 ...
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))
        ax.grid(axis="y", color="#e5e7eb")
        ax.set_axisbelow(True)
        _title(fig, title)
        ax.set_xlabel("milliseconds per case (log scale)")
        ax.set_ylabel("cases")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
        return _svg(fig, title)
