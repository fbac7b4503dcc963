"""What each explore page shows, read from the database with indexed queries, and the HTML of it.

:func:`dossier`, :func:`chain` and :func:`search` take an open :class:`sqlite3.Connection` and return
plain dictionaries; :func:`render` fills a template (autoescaped, every value through
:func:`~dualuse.explore.text.neutralise_value`). The Datasette plugin only routes requests here, so
the pages can be tested, and reused, without a server.

Examples:
    >>> links = Links(base="/", database="dualuse")
    >>> links.party("p-1"), links.table("shipments", importer_party="p-1")
    ('/-/dualuse/party/p-1', '/dualuse/shipments?importer_party=p-1')
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from dualuse.explore.svg import chain_svg
from dualuse.explore.text import fts_query, neutralise_value
from dualuse.screening.tokens import detect_script

__all__ = ["CSP", "HS_QUERY", "Links", "chain", "dossier", "overview", "render", "search", "tilde_encode"]

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
"""The Content-Security-Policy of the explore pages: no script at all, nothing from another origin."""

HS_QUERY = re.compile(r"^\s*(?:hs\s*)?(\d[\d .\-]*)$", re.IGNORECASE)
"""What a typed HS code looks like: digits with dots, spaces or hyphens (``8542.31``, ``HS 8542 31 00``)."""

LIMIT = 50
"""Rows shown per section; the full list is one click away in the table view."""

EVIDENCE_LIMIT = 8
"""Evidence rows shown under each red flag or hit (all of them: the evidence table view)."""


@dataclass(frozen=True)
class Links:
    """The URLs the pages link to, under Datasette's ``base`` URL and the database name."""

    base: str = "/"
    database: str = "dualuse"

    def page(self, *parts: str) -> str:
        """An explore page: ``/-/dualuse/<parts>``."""
        return self.base + "-/dualuse/" + "/".join(quote(p, safe="") for p in parts)

    def party(self, party_id: str) -> str:
        """The dossier of a party."""
        return self.page("party", party_id)

    def chain(self, chain_id: str) -> str:
        """The page of a chain."""
        return self.page("chain", chain_id)

    def search(self, query: str | None = None) -> str:
        """The search page (with a query)."""
        return self.page("search") + (f"?{urlencode({'q': query})}" if query else "")

    def row(self, table: str, key: object) -> str:
        """Datasette's page of one row (its key tilde-encoded, as Datasette expects)."""
        return f"{self.base}{self.database}/{table}/{tilde_encode(str(key))}"

    def table(self, table: str, **filters: object) -> str:
        """Datasette's table view with ``column=value`` filters (``hs_code__startswith=8542`` too)."""
        query = f"?{urlencode(filters)}" if filters else ""
        return f"{self.base}{self.database}/{table}{query}"

    @property
    def css(self) -> str:
        """The explore style sheet."""
        return self.page("explore.css")

    @property
    def datasette_css(self) -> str:
        """Datasette's own style sheet."""
        return f"{self.base}-/static/app.css"


_TILDE_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def tilde_encode(text: str) -> str:
    """Datasette's encoding of a key in a URL path: ``~XX`` per byte outside ``[A-Za-z0-9_-]``, ``+`` for space.

    Examples:
        >>> tilde_encode("flag:p-1:new importer")
        'flag~3Ap-1~3Anew+importer'
    """
    return "".join(chr(b) if chr(b) in _TILDE_SAFE else "+" if b == 0x20 else f"~{b:02X}" for b in text.encode("utf-8"))


def _rows(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _one(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()) -> dict[str, Any] | None:
    found = _rows(conn, sql, params)
    return found[0] if found else None


def _json(value: str | None) -> Any:
    return (json.loads(value) if value else None) or []


def _evidence(conn: sqlite3.Connection, owner: str, owner_id: object) -> dict[str, Any]:
    """The first evidence rows of a flag, hit or finding, with the shipment line each names."""
    total = conn.execute(
        "select count(*) from evidence where owner = ? and owner_id = ?", (owner, str(owner_id))
    ).fetchone()[0]
    rows = _rows(
        conn,
        """select e.table_name, e.source, e.source_row, s.row_id, s.date, s.hs_code, s.exporter_name,
                  s.importer_name, s.value_usd
           from (select * from evidence where owner = ? and owner_id = ? limit ?) e
           left join shipments s on e.table_name = 'shipments' and s.source = e.source and s.source_row = e.source_row""",
        (owner, str(owner_id), EVIDENCE_LIMIT),
    )
    return {"total": total, "rows": rows}


def dossier(conn: sqlite3.Connection, party_id: str) -> dict[str, Any] | None:
    """Everything known about one party of the shipment records; ``None`` when there is no such party."""
    party = _one(conn, "select * from parties where party_id = ?", (party_id,))
    if party is None:
        return None
    party["identifiers"] = _json(party["identifiers"])
    names = _rows(
        conn, "select distinct form, name from party_names where party_id = ? order by form, name", (party_id,)
    )
    for name in names:
        name["script"] = detect_script(name["name"])
    records = _rows(
        conn,
        """select * from party_records where record_id in
           (select record_id from party_identifiers where party_id = ? and record_id is not null) order by list_kind""",
        (party_id,),
    )
    for record in records:
        record["owners"] = _json(record["owners"])
        record["programs"] = _json(record["programs"])
    years = _rows(
        conn,
        """select year,
                  sum(case when direction = 'in' then shipments end) as in_shipments,
                  sum(case when direction = 'in' then value_usd end) as in_value,
                  sum(case when direction = 'out' then shipments end) as out_shipments,
                  sum(case when direction = 'out' then value_usd end) as out_value
           from party_trade where party_id = ? group by year order by year""",
        (party_id,),
    )
    chapters = _rows(
        conn,
        """select substr(hs6, 1, 2) as chapter,
                  sum(case when direction = 'in' then value_usd end) as in_value,
                  sum(case when direction = 'out' then value_usd end) as out_value,
                  sum(shipments) as shipments
           from party_trade where party_id = ? group by chapter order by coalesce(in_value, 0) + coalesce(out_value, 0) desc""",
        (party_id,),
    )
    chains = _rows(
        conn,
        """select c.chain_id, c.route, c.hs6, c.first_date, c.last_date, c.quantity, c.value_usd, c.score,
                  c.party_names, cp.position
           from chain_parties cp join chains c on c.chain_id = cp.chain_id
           where cp.party_id = ? order by c.score desc, c.value_usd desc limit ?""",
        (party_id, LIMIT),
    )
    for item in chains:
        item["party_names"] = _json(item["party_names"])
    flags = _rows(conn, "select * from red_flags where party_id = ? order by flag_id", (party_id,))
    for flag in flags:
        flag["evidence"] = _evidence(conn, "red_flag", flag["flag_id"])
    hits = _rows(
        conn,
        """select h.*, r.list_kind, r.listed_on, r.country as record_country
           from screening_hits h left join party_records r on r.record_id = h.match_record
           where h.party_id = ? order by h.score desc""",
        (party_id,),
    )
    for hit in hits:
        hit["match_programs"] = _json(hit["match_programs"])
    counterparties = _rows(
        conn,
        """select c.direction, c.shipments, c.value_usd, c.first_date, c.last_date, p.party_id, p.name, p.country,
                  p.red_flags, p.screening_hits
           from counterparties c join parties p on p.party_id = c.counterparty_id
           where c.party_id = ? order by c.value_usd desc limit ?""",
        (party_id, LIMIT),
    )
    findings = _rows(
        conn,
        "select finding_id, kind, score, summary from findings where party_id = ? order by score desc limit ?",
        (party_id, LIMIT),
    )
    return {
        "party": party,
        "names": names,
        "records": records,
        "years": years,
        "chapters": chapters,
        "chains": chains,
        "flags": flags,
        "hits": hits,
        "counterparties": counterparties,
        "findings": findings,
    }


def chain(conn: sqlite3.Connection, chain_id: str) -> dict[str, Any] | None:
    """One chain: its parties in order, its legs with the shipment line behind each, its links."""
    found = _one(conn, "select * from chains where chain_id = ?", (chain_id,))
    if found is None:
        return None
    parties = _rows(
        conn,
        """select cp.position, p.party_id, p.name, p.country, p.red_flags, p.screening_hits
           from chain_parties cp left join parties p on p.party_id = cp.party_id
           where cp.chain_id = ? order by cp.position""",
        (chain_id,),
    )
    legs = _rows(
        conn,
        """select l.*, s.row_id, s.hs_code, s.description, s.exporter_name, s.importer_name,
                  s.quantity as line_quantity, s.quantity_unit, s.value_usd as line_value_usd
           from chain_legs l left join shipments s on s.source = l.source and s.source_row = l.source_row
           where l.chain_id = ? order by l.leg""",
        (chain_id,),
    )
    hops = _rows(
        conn,
        "select l.*, p.name from chain_links l left join parties p on p.party_id = l.party_id "
        "where l.chain_id = ? order by l.hop",
        (chain_id,),
    )
    graphs = chain_svg(parties, legs) + chain_svg(parties, legs, vertical=True)  # CSS shows one by width
    return {"chain": found, "parties": parties, "legs": legs, "hops": hops, "svg": Markup(graphs)}


def _hs_prefix(digits: str) -> tuple[str, str]:
    # ':' sorts right after '9', so [digits, digits + ':') is every code that starts with digits
    return digits, digits + ":"


def _search_hs(conn: sqlite3.Connection, digits: str) -> dict[str, Any]:
    from dualuse.hs import HSCode, describe

    low, high = _hs_prefix(digits[:6])
    try:
        description = describe(HSCode.parse(digits)) if len(digits) >= 2 else ""
    except Exception:  # a code the nomenclature does not know still finds its lines
        description = ""
    totals = _one(
        conn,
        "select sum(shipments) as shipments, sum(value_usd) as value_usd from party_trade "
        "where direction = 'in' and hs6 >= ? and hs6 < ?",
        (low, high),
    )
    traders = _rows(
        conn,
        """select t.party_id, p.name, p.country, t.direction, sum(t.shipments) as shipments, sum(t.value_usd) as value_usd
           from party_trade t join parties p on p.party_id = t.party_id
           where t.hs6 >= ? and t.hs6 < ? group by t.party_id, t.direction order by value_usd desc limit 20""",
        (low, high),
    )
    chains = _rows(
        conn,
        "select chain_id, route, hs6, value_usd, score, party_names from chains where hs6 >= ? and hs6 < ? "
        "order by score desc, value_usd desc limit 20",
        (low, high),
    )
    for item in chains:
        item["party_names"] = _json(item["party_names"])
    return {"digits": digits, "description": description, "totals": totals, "traders": traders, "chains": chains}


def _findings_query(text: str) -> str | None:
    words = re.findall(r"\w+", text)[:12]
    return " AND ".join('"' + w.replace('"', '""') + '"*' for w in words) or None


def search(conn: sqlite3.Connection, text: str) -> dict[str, Any]:
    """Parties (any name, alias or script; identifiers), an HS code in any printed shape, and findings."""
    text = text.strip()[:200]
    result: dict[str, Any] = {"query": text, "hs": None, "parties": [], "records": [], "findings": []}
    if not text:
        return result
    matched = HS_QUERY.match(text)
    if matched:
        digits = re.sub(r"\D", "", matched.group(1))
        if len(digits) >= 2:
            result["hs"] = _search_hs(conn, digits)
    names = fts_query(text)
    hits: list[dict[str, Any]] = []
    if names is not None:
        hits = _rows(
            conn,
            """select n.party_id, n.record_id, n.form, n.name from party_names_fts f
               join party_names n on n.rowid = f.rowid where party_names_fts match ? order by f.rank limit 500""",
            (names,),
        )
    cleaned = re.sub(r"[^0-9A-Za-z]", "", text).upper()
    if len(cleaned) >= 5:
        hits += _rows(
            conn,
            "select party_id, record_id, 'identifier' as form, value as name from party_identifiers where value = ?",
            (cleaned,),
        )
    seen: dict[str, dict[str, Any]] = {}
    for hit in hits:
        if hit["party_id"] is not None and hit["party_id"] not in seen:
            seen[hit["party_id"]] = hit
    if seen:
        keys = list(seen)[:LIMIT]
        placeholders = ", ".join("?" * len(keys))
        parties = {
            p["party_id"]: p
            for p in _rows(
                conn,
                f"select party_id, name, country, in_shipments, out_shipments, chains, red_flags, screening_hits "
                f"from parties where party_id in ({placeholders})",
                tuple(keys),
            )
        }
        result["parties"] = [parties[k] | {"matched": seen[k]["name"]} for k in keys if k in parties]
    records = [h for h in hits if h["party_id"] is None and h["record_id"] is not None]
    result["records"] = list({r["record_id"]: r for r in records}.values())[:LIMIT]
    words = _findings_query(text)
    if words is not None:
        result["findings"] = _rows(
            conn,
            """select f.finding_id, f.kind, f.subject, f.score, f.summary, f.party_id
               from findings_fts s join findings f on f.rowid = s.rowid where findings_fts match ?
               order by s.rank limit ?""",
            (words, LIMIT),
        )
    return result


def overview(conn: sqlite3.Connection) -> dict[str, Any]:
    """The landing page: what the database holds, and the parties most worth a look."""
    # every accepted row of a fetched table is loaded: its manifest counts them without a scan
    fetched = dict(
        conn.execute("select kind, sum(rows_accepted) from manifests where role = 'input' group by kind").fetchall()
    )
    counts = {"shipments": fetched.get("shipments", 0), "flows": fetched.get("flows", 0)} | {
        table: conn.execute(f"select count(*) from [{table}]").fetchone()[0]
        for table in ("parties", "chains", "red_flags", "screening_hits", "findings")
    }
    flagged = _rows(
        conn,
        """select party_id, name, country, red_flags, screening_hits, chains from parties
           where red_flags > 0 or screening_hits > 0 order by screening_hits desc, red_flags desc, chains desc limit 15""",
    )
    meta = dict(conn.execute("select key, value from _dualuse_meta").fetchall())
    return {"counts": counts, "flagged": flagged, "meta": meta}


def _money(value: float | None) -> str:
    if value is None:
        return ""
    for size, suffix in ((1e9, " bn"), (1e6, " m"), (1e3, " k")):
        if abs(value) >= size:
            return f"${value / size:,.1f}{suffix}"
    return f"${value:,.0f}"


def _number(value: float | None, digits: int = 0) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("dualuse.explore", "templates"),
        autoescape=True,
        finalize=neutralise_value,
        trim_blocks=True,
    )
    env.filters["money"] = _money
    env.filters["number"] = _number
    return env


def render(template: str, context: dict[str, Any], links: Links) -> str:
    """The HTML of one page (``party.html``, ``chain.html``, ``search.html``, ``index.html``, ``missing.html``)."""
    return _environment().get_template(template).render(**context, links=links)
