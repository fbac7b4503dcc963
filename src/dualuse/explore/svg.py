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

from dualuse.explore.text import neutralise_bidi

__all__ = ["chain_svg"]

_BOX_W, _BOX_H, _GAP, _PAD = 190, 64, 110, 12
_NAME_CHARS = 22


def _text(value: object) -> str:
    return escape(neutralise_bidi(str(value)), quote=True)


def _short(name: str) -> str:
    return name if len(name) <= _NAME_CHARS else name[: _NAME_CHARS - 1] + "…"


def _node(x: int, party: Mapping[str, Any]) -> str:
    name = str(party.get("name") or party.get("party_id") or "?")
    hit = (party.get("screening_hits") or 0) > 0
    flagged = (party.get("red_flags") or 0) > 0
    fill = "#fde8e6" if hit else "#ffffff"
    stroke = "#b3261e" if hit or flagged else "#1f4e79"
    mark = " · watch list" if hit else (" · flagged" if flagged else "")
    return (
        f"<g><title>{_text(name)}</title>"
        f'<rect x="{x}" y="{_PAD}" width="{_BOX_W}" height="{_BOX_H}" rx="8" fill="{fill}" stroke="{stroke}" '
        f'stroke-width="{2 if hit or flagged else 1.2}"/>'
        f'<text x="{x + 10}" y="{_PAD + 26}" font-size="13" font-weight="600" fill="#1b1b1b">{_text(_short(name))}</text>'
        f'<text x="{x + 10}" y="{_PAD + 46}" font-size="12" fill="#5f6368">{_text(party.get("country") or "")}'
        f"{_text(mark)}</text></g>"
    )


def _arrow(x: int, leg: Mapping[str, Any] | None) -> str:
    y = _PAD + _BOX_H // 2
    start, end = x + _BOX_W, x + _BOX_W + _GAP
    label = ""
    if leg is not None:
        quantity = leg.get("quantity")
        amount = f"{quantity:,.0f}" if isinstance(quantity, int | float) else ""
        label = (
            f'<text x="{start + 8}" y="{y - 8}" font-size="11" fill="#1b1b1b">{_text(leg.get("date") or "")}</text>'
            f'<text x="{start + 8}" y="{y + 18}" font-size="11" fill="#5f6368">{_text(amount)}</text>'
        )
    return (
        f'<line x1="{start}" y1="{y}" x2="{end - 8}" y2="{y}" stroke="#1f4e79" stroke-width="2"/>'
        f'<path d="M{end - 10},{y - 6} L{end},{y} L{end - 10},{y + 6} Z" fill="#1f4e79"/>{label}'
    )


def chain_svg(parties: Sequence[Mapping[str, Any]], legs: Sequence[Mapping[str, Any]]) -> str:
    """The chain as an SVG element that scales to its container (``parties`` in order, ``legs`` by number)."""
    by_leg = {int(leg["leg"]): leg for leg in legs if leg.get("leg") is not None}
    width = _PAD * 2 + len(parties) * _BOX_W + max(0, len(parties) - 1) * _GAP
    height = _BOX_H + _PAD * 2
    parts = []
    for i, party in enumerate(parties):
        x = _PAD + i * (_BOX_W + _GAP)
        parts.append(_node(x, party))
        if i < len(parties) - 1:
            parts.append(_arrow(x, by_leg.get(i + 1)))
    return (
        f'<svg class="chain-graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="chain of {len(parties)} parties" '
        f'font-family="-apple-system, Segoe UI, Roboto, Arial, sans-serif">{"".join(parts)}</svg>'
    )
