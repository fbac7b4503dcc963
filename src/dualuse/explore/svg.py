"""A chain as a small graph: one box per party, one arrow per leg, drawn on the server as SVG.

No script and no style element: presentation attributes only, so the page's Content-Security-Policy
needs nothing for it. Every text is escaped and its bidi controls made visible.

Examples:
    >>> parties = [{"party_id": "p-1", "name": "Elem <Group>", "country": "CN", "red_flags": 0, "screening_hits": 0},
    ...            {"party_id": "p-2", "name": "Kvarsol", "country": "RU", "red_flags": 1, "screening_hits": 1}]
    >>> legs = [{"leg": 1, "date": "2023-06-22", "quantity": 10.0}]
    >>> svg = chain_svg(parties, legs)
    >>> svg.startswith("<svg") and "Elem &lt;Group&gt;" in svg and "2023-06-22" in svg
    True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from dualuse.safe_text import neutralise_bidi

__all__ = ["chain_svg"]

_BOX_W, _BOX_H, _GAP, _PAD = 190, 64, 110, 12
_NAME_CHARS = 22


def _text(value: object) -> str:
    return escape(neutralise_bidi(str(value)), quote=True)


def _short(name: str) -> str:
    return name if len(name) <= _NAME_CHARS else name[: _NAME_CHARS - 1] + "…"


def _node(x: int, y: int, party: Mapping[str, Any]) -> str:
    name = str(party.get("name") or party.get("party_id") or "?")
    hit = (party.get("screening_hits") or 0) > 0
    flagged = (party.get("red_flags") or 0) > 0
    fill = "#fde8e6" if hit else "#ffffff"
    stroke = "#b3261e" if hit or flagged else "#1f4e79"
    mark = " · watch list" if hit else (" · flagged" if flagged else "")
    return (
        f"<g><title>{_text(name)}</title>"
        f'<rect x="{x}" y="{y}" width="{_BOX_W}" height="{_BOX_H}" rx="8" fill="{fill}" stroke="{stroke}" '
        f'stroke-width="{2 if hit or flagged else 1.2}"/>'
        f'<text x="{x + 10}" y="{y + 26}" font-size="13" font-weight="600" fill="#1b1b1b">{_text(_short(name))}</text>'
        f'<text x="{x + 10}" y="{y + 46}" font-size="12" fill="#5f6368">{_text(party.get("country") or "")}'
        f"{_text(mark)}</text></g>"
    )


def _label(leg: Mapping[str, Any] | None, x: int, y: int, gap: int) -> str:
    """The date above and the quantity below a point (``gap`` apart)."""
    if leg is None:
        return ""
    quantity = leg.get("quantity")
    amount = f"{quantity:,.0f}" if isinstance(quantity, int | float) else ""
    return (
        f'<text x="{x}" y="{y}" font-size="11" fill="#1b1b1b">{_text(leg.get("date") or "")}</text>'
        f'<text x="{x}" y="{y + gap}" font-size="11" fill="#5f6368">{_text(amount)}</text>'
    )


def _arrow(x1: int, y1: int, x2: int, y2: int) -> str:
    """A line from (x1, y1) to (x2, y2), horizontal or vertical, with a head at its end."""
    if y1 == y2:
        head = f"M{x2 - 10},{y2 - 6} L{x2},{y2} L{x2 - 10},{y2 + 6} Z"
        end = (x2 - 8, y2)
    else:
        head = f"M{x2 - 6},{y2 - 10} L{x2},{y2} L{x2 + 6},{y2 - 10} Z"
        end = (x2, y2 - 8)
    return (
        f'<line x1="{x1}" y1="{y1}" x2="{end[0]}" y2="{end[1]}" stroke="#1f4e79" stroke-width="2"/>'
        f'<path d="{head}" fill="#1f4e79"/>'
    )


def chain_svg(
    parties: Sequence[Mapping[str, Any]], legs: Sequence[Mapping[str, Any]], *, vertical: bool = False
) -> str:
    """The chain as an SVG element that scales to its container (``parties`` in order, ``legs`` by number).

    ``vertical=True`` stacks the parties top to bottom, for narrow screens.
    """
    by_leg = {int(leg["leg"]): leg for leg in legs if leg.get("leg") is not None}
    count = len(parties)
    if vertical:
        step_gap = _GAP // 2 + 20
        width, height = _PAD * 2 + _BOX_W + 120, _PAD * 2 + count * _BOX_H + max(0, count - 1) * step_gap
    else:
        step_gap = _GAP
        width, height = _PAD * 2 + count * _BOX_W + max(0, count - 1) * _GAP, _BOX_H + _PAD * 2
    parts = []
    for i, party in enumerate(parties):
        x = _PAD if vertical else _PAD + i * (_BOX_W + step_gap)
        y = _PAD + i * (_BOX_H + step_gap) if vertical else _PAD
        parts.append(_node(x, y, party))
        if i == count - 1:
            continue
        leg = by_leg.get(i + 1)
        if vertical:
            middle = x + _BOX_W // 2
            parts.append(_arrow(middle, y + _BOX_H, middle, y + _BOX_H + step_gap))
            parts.append(_label(leg, middle + 12, y + _BOX_H + step_gap // 2 - 4, 16))
        else:
            middle = y + _BOX_H // 2
            parts.append(_arrow(x + _BOX_W, middle, x + _BOX_W + step_gap, middle))
            parts.append(_label(leg, x + _BOX_W + 8, middle - 8, 26))
    layout = "vertical" if vertical else "horizontal"
    return (
        f'<svg class="chain-graph {layout}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="chain of {count} parties" '
        f'font-family="-apple-system, Segoe UI, Roboto, Arial, sans-serif">{"".join(parts)}</svg>'
    )
