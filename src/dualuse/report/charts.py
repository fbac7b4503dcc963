"""Charts for the report, drawn with matplotlib and returned as inline SVG text (no network, no fonts).

Each function takes a small tidy frame and returns an ``<svg>`` element ready to paste into HTML:
the XML prolog and metadata are removed, text stays text (searchable, scaled with the page), and
the element gets ``role="img"`` and an ``aria-label``. ``width`` is in inches: the report draws
each chart twice, :data:`WIDE` for screens and paper and :data:`NARROW` for phones (390 px), so that
its text is never scaled below legibility.

Examples:
    >>> import datetime as dt, polars as pl
    >>> series = pl.DataFrame({"period": [dt.date(2022, 1, 1), dt.date(2022, 3, 1)], "series": ["CN → KZ"] * 2,
    ...                        "value_usd": [1e6, 2e6]})
    >>> svg = line_chart(series, title="Exports", event=dt.date(2022, 2, 24), event_label="invasion", source="test")
    >>> svg.startswith("<svg") and "invasion" in svg and "<?xml" not in svg
    True
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display; must precede pyplot
import matplotlib.pyplot as plt
import polars as pl
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path
from matplotlib.ticker import FuncFormatter

__all__ = ["NARROW", "WIDE", "FlowLink", "bar_chart", "flow_diagram", "line_chart"]

WIDE = 9.0
"""Chart width in inches for screens from tablet size up, and for print."""

NARROW = 4.4
"""Chart width in inches for phones: at 390 px wide the text is drawn at about its nominal size."""

PALETTE = ["#1f4e79", "#c0504d", "#4f8a3c", "#8064a2", "#d08a1e", "#2c8c99", "#7f7f7f"]
INK, MUTED, EVENT = "#1b1b1b", "#5f6368", "#b3261e"
_RC: dict[Any, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "dualuse",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "font.size": 10,
    "axes.edgecolor": "#9aa0a6",
    "axes.labelcolor": INK,
    "axes.titleweight": "bold",
    "axes.titlesize": 12,
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "axes.grid": True,
    "grid.color": "#e6e6e6",
    "grid.linewidth": 0.8,
}


def _money_axis(value: float, _pos: object = None) -> str:
    """Axis and label text for USD: ``1.3 bn``, ``5.9 m``, ``437 k``."""
    for size, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if abs(value) >= size:
            scaled = value / size
            return f"{scaled:.{0 if abs(scaled) >= 100 or scaled == int(scaled) else 1}f} {suffix}"
    return f"{value:.0f}"


def _year_fraction(day: dt.date) -> float:
    """A date as a fractional year (2022-02-24 -> 2022.15), so that the x axis needs no date locators."""
    start = dt.date(day.year, 1, 1)
    return day.year + (day - start).days / (dt.date(day.year + 1, 1, 1) - start).days


def _wrap(text: str, width: float) -> str:
    """Wrap a title to the chart's width (about 11 characters an inch at 12 pt bold)."""
    return "\n".join(textwrap.wrap(text, max(24, int(width * 8.5))))


def _to_svg(fig: Figure, label: str) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)
    svg = re.sub(r'\s(width|height)="[0-9.]+pt"', "", svg, count=2)
    # Several SVGs share one HTML page: give every id of this one a prefix of its own, or a
    # clip path of one chart would clip another.
    width = fig.get_figwidth()
    prefix = "c" + hashlib.sha1(f"{label}|{width}".encode()).hexdigest()[:8] + "-"
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", svg)
    svg = re.sub(r'xlink:href="#([^"]+)"', lambda m: f'xlink:href="#{prefix}{m.group(1)}"', svg)
    attributes = f' role="img" aria-label="{html.escape(label, quote=True)}" class="chart"'
    return svg.replace("<svg", "<svg" + attributes, 1)


def _footer(fig: Figure, source: str) -> None:
    text = textwrap.fill(f"Source: {source}", max(40, int(fig.get_figwidth() * 13)))
    fig.text(0.0, -0.02, text, ha="left", va="top", fontsize=8, color=MUTED)


def line_chart(
    series: pl.DataFrame,
    *,
    title: str,
    event: dt.date | None,
    event_label: str,
    source: str,
    ylabel: str = "USD per month",
    width: float = WIDE,
) -> str:
    """Monthly values per series (columns ``period``, ``series``, ``value_usd``) with the event marked."""
    narrow = width < WIDE
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(width, 4.6 if narrow else 4.2))
        names = series["series"].unique(maintain_order=True).to_list()
        for n, name in enumerate(names):
            part = series.filter(pl.col("series") == name).sort("period")
            ax.plot(
                [_year_fraction(d) for d in part["period"].to_list()],
                part["value_usd"].to_list(),
                label=name,
                color=PALETTE[n % len(PALETTE)],
                linewidth=1.8,
            )
        if event is not None:
            ax.axvline(_year_fraction(event), color=EVENT, linestyle="--", linewidth=1.2)
            ax.annotate(
                event.isoformat() if narrow else f"{event_label}\n{event.isoformat()}",
                xy=(_year_fraction(event), 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(4, -4),
                textcoords="offset points",
                va="top",
                fontsize=8.5,
                color=EVENT,
            )
        ax.set_title(_wrap(title, width))
        ax.set_ylabel(ylabel)
        ax.yaxis.set_major_formatter(FuncFormatter(_money_axis))
        years = range(
            min(d.year for d in series["period"].to_list()), max(d.year for d in series["period"].to_list()) + 2
        )
        ax.set_xticks(list(years), [str(y) if not narrow or y % 2 == 0 else "" for y in years])
        ax.set_ylim(bottom=0)
        _legend(ax, narrow, columns=2)
        _footer(fig, source)
        return _to_svg(fig, title)


def bar_chart(
    frame: pl.DataFrame,
    *,
    category: str,
    groups: Sequence[str],
    title: str,
    source: str,
    ylabel: str = "USD",
    width: float = WIDE,
) -> str:
    """Grouped bars: one group per ``category`` value, one bar per column in ``groups`` (USD)."""
    narrow = width < WIDE
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(width, 4.4 if narrow else 3.6))
        cats = [str(c) for c in frame[category].to_list()]
        step = 0.8 / max(1, len(groups))  # bar width, in category units
        for n, name in enumerate(groups):
            xs = [i + (n - (len(groups) - 1) / 2) * step for i in range(len(cats))]
            values = [v or 0.0 for v in frame[name].to_list()]
            bars = ax.bar(xs, values, width=step * 0.95, label=name, color=PALETTE[n % len(PALETTE)])
            if not narrow:  # on a phone the bars are too thin to carry a label each
                ax.bar_label(
                    bars, labels=[_money_axis(v) if v else "0" for v in values], fontsize=8, color=INK, padding=2
                )
        ax.set_xticks(range(len(cats)), cats)
        ax.set_title(_wrap(title, width))
        ax.set_ylabel(ylabel)
        ax.yaxis.set_major_formatter(FuncFormatter(_money_axis))
        ax.grid(axis="x", visible=False)
        _legend(ax, narrow, columns=1)
        _footer(fig, source)
        return _to_svg(fig, title)


def _legend(ax: Any, narrow: bool, *, columns: int) -> None:
    """Top left inside the plot (where values start low); one entry a line on a narrow chart."""
    ax.legend(frameon=False, loc="upper left", ncol=1 if narrow else columns, fontsize=8.5 if narrow else 9)


@dataclass(frozen=True)
class FlowLink:
    """One band of a flow diagram: from node ``source`` in column ``source_column`` to ``target``."""

    source: str
    target: str
    value: float
    source_column: int
    target_column: int


def _band(ax: object, x0: float, y0: tuple[float, float], x1: float, y1: tuple[float, float], color: str) -> None:
    """A band with curved edges from the interval ``y0`` at ``x0`` to ``y1`` at ``x1``."""
    mid = (x0 + x1) / 2
    verts = [
        (x0, y0[0]),
        (mid, y0[0]),
        (mid, y1[0]),
        (x1, y1[0]),
        (x1, y1[1]),
        (mid, y1[1]),
        (mid, y0[1]),
        (x0, y0[1]),
        (x0, y0[0]),
    ]
    codes = [
        Path.MOVETO,
        Path.CURVE4,
        Path.CURVE4,
        Path.CURVE4,
        Path.LINETO,
        Path.CURVE4,
        Path.CURVE4,
        Path.CURVE4,
        Path.CLOSEPOLY,
    ]
    ax.add_patch(PathPatch(Path(verts, codes), facecolor=color, edgecolor="none", alpha=0.45))  # type: ignore[attr-defined]


def flow_diagram(
    links: Sequence[FlowLink],
    *,
    title: str,
    source: str,
    node_colors: dict[str, str] | None = None,
    width: float = WIDE,
) -> str:
    """A Sankey-style diagram in columns (origin → hub → target): band widths proportional to value."""
    links = [link for link in links if link.value > 0]
    columns: dict[int, list[str]] = {}
    for link in links:
        for node, col in ((link.source, link.source_column), (link.target, link.target_column)):
            if node not in columns.setdefault(col, []):
                columns[col].append(node)
    size: dict[str, float] = {}
    for col_nodes in columns.values():
        for node in col_nodes:
            inflow = sum(lk.value for lk in links if lk.target == node)
            outflow = sum(lk.value for lk in links if lk.source == node)
            size[node] = max(inflow, outflow)
    tallest = max((sum(size[n] for n in nodes) for nodes in columns.values()), default=1.0) or 1.0
    gap = 0.06
    scale = (1.0 - gap * (max(len(n) for n in columns.values()) - 1 if columns else 0)) / tallest
    node_colors = dict(node_colors or {})
    bar = 0.035  # node bar width, in column units
    with plt.rc_context({**_RC, "axes.grid": False}):
        narrow = width < WIDE
        fig, ax = plt.subplots(figsize=(width, 5.2 if narrow else 4.6))
        ax.set_axis_off()
        top: dict[str, float] = {}
        for col, nodes in sorted(columns.items()):
            y = 1.0
            for n, node in enumerate(nodes):
                height = size[node] * scale
                color = node_colors.setdefault(node, PALETTE[(col + n) % len(PALETTE)])
                ax.add_patch(Rectangle((col - bar / 2, y - height), bar, height, color=color))
                ha, dx = ("right", -0.03) if col == 0 else ("left", 0.03)
                name = textwrap.fill(node, 14) if narrow else node
                ax.text(
                    col + dx,
                    y - height / 2,
                    f"{name}\n{_money_axis(size[node])} USD",
                    ha=ha,
                    va="center",
                    fontsize=8.5 if narrow else 9,
                    color=INK,
                    bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none", "pad": 1.5},
                )
                top[node] = y
                y -= height + gap
        out_cursor = dict(top)
        in_cursor = dict(top)
        for link in links:
            height = link.value * scale
            y0 = (out_cursor[link.source], out_cursor[link.source] - height)
            y1 = (in_cursor[link.target], in_cursor[link.target] - height)
            out_cursor[link.source] -= height
            in_cursor[link.target] -= height
            _band(ax, link.source_column + bar / 2, y0, link.target_column - bar / 2, y1, node_colors[link.source])
        ax.set_xlim(-0.6 if not narrow else -0.9, (max(columns) if columns else 0) + (0.9 if not narrow else 1.2))
        ax.set_ylim(min(-0.05, min(in_cursor.values(), default=0) - 0.05), 1.05)
        ax.set_title(_wrap(title, width))
        _footer(fig, source)
        return _to_svg(fig, title)
