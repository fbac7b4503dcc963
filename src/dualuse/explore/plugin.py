"""The dualuse Datasette plugin: party dossiers, chain pages, search, canned queries, safe rendering.

Registered under Datasette's ``datasette`` entry-point group, so a plain ``datasette dualuse.db``
(or ``datasette publish`` with ``--install dualuse[explore]``) shows the same pages. Every hook
does nothing for a database that dualuse did not build (one without ``_dualuse_meta``).

Routes (all read-only, ``GET``): ``/-/dualuse/`` (overview), ``/-/dualuse/search?q=``,
``/-/dualuse/party/<party_id>``, ``/-/dualuse/chain/<chain_id>`` and ``/-/dualuse/explore.css``.
Our pages carry a strict Content-Security-Policy (:data:`~dualuse.explore.pages.CSP`: no script);
every other page of a Datasette that serves a dualuse database gets one that keeps all requests
on the same origin.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Awaitable, Callable
from importlib.resources import files
from typing import Any
from urllib.parse import unquote

import pluggy
from datasette import Response
from markupsafe import Markup, escape

from dualuse.explore import pages
from dualuse.explore.text import neutralise_value
from dualuse.safe_text import BIDI_CONTROLS, neutralise_bidi

__all__ = ["CANNED_QUERIES", "SITE_CSP", "hookimpl"]

hookimpl = pluggy.HookimplMarker("datasette")
"""Datasette's hook marker (the same as ``datasette.hookimpl``), typed."""

SITE_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'self'; frame-ancestors 'none'"
)
"""The policy on Datasette's own pages (they use inline scripts): nothing may load from another origin."""

_HEADERS = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer", "x-frame-options": "DENY"}
_PARTY_COLUMNS = frozenset(
    {
        "party_id",
        "exporter_party",
        "importer_party",
        "counterparty_id",
        "from_party",
        "to_party",
        "origin_party",
        "target_party",
        "listed_party_id",
    }
)
_PARTY_ID = re.compile(r"^p-[0-9a-f]{16}$")
_CHAIN_ID = re.compile(r"^ch-[0-9a-f]{16}$")

CANNED_QUERIES: dict[str, dict[str, str]] = {
    "new_importers_after_invasion": {
        "title": "New importers after the invasion",
        "description": "Parties whose first import in the records is on or after :since (default 2022-02-24), by value imported.",
        "sql": """select party_id, name, country, first_in_date, in_shipments, in_value_usd, red_flags, screening_hits
from parties
where in_shipments > 0 and first_in_date >= coalesce(nullif(:since, ''), '2022-02-24')
order by in_value_usd desc
limit 500""",
    },
    "top_hub_traders": {
        "title": "Top hub traders by re-exported value",
        "description": "Intermediaries of shipment chains, by the value they passed on along chains.",
        "sql": """select party_id, name, country, hub_chains, reexport_value_usd, in_value_usd, out_value_usd,
  red_flags, screening_hits
from parties
where hub_chains > 0
order by reexport_value_usd desc
limit 500""",
    },
    "sanctioned_one_hop": {
        "title": "Sanctioned counterparties one hop away",
        "description": "Parties that traded directly with a party matching a watch-list entry.",
        "sql": """select p.party_id, p.name, p.country, c.direction as listed_party_role, s.party_id as listed_party_id,
  s.name as listed_party, h.match_name, h.match_programs, h.score, c.shipments, c.value_usd
from screening_hits h
join parties s on s.party_id = h.party_id
join counterparties c on c.counterparty_id = h.party_id
join parties p on p.party_id = c.party_id
order by h.score desc, c.value_usd desc
limit 500""",
    },
}
"""The questions analysts ask first, as Datasette canned queries (read-only SQL, one page each)."""


async def _dualuse_database(datasette: Any) -> Any | None:
    """The first attached database that dualuse built (cached on the Datasette instance)."""
    if not hasattr(datasette, "_dualuse_database"):
        found = None
        for database in datasette.databases.values():
            if database.name != "_internal" and await database.table_exists("_dualuse_meta"):
                found = database
                break
        datasette._dualuse_database = found
    return datasette._dualuse_database


def _is_dualuse(conn: sqlite3.Connection) -> bool:
    return (
        conn.execute("select 1 from sqlite_master where type = 'table' and name = '_dualuse_meta'").fetchone()
        is not None
    )


def _links(datasette: Any, database: Any) -> pages.Links:
    return pages.Links(base=datasette.setting("base_url"), database=database.name)


def _page(html: str, status: int = 200) -> Response:
    return Response.html(html, status=status, headers={"content-security-policy": pages.CSP, **_HEADERS})


_READ = frozenset({"GET", "HEAD"})


async def _render(
    datasette: Any,
    request: Any,
    template: str,
    build: Callable[[sqlite3.Connection], dict[str, Any] | None],
    missing: str,
) -> Response:
    if request.method not in _READ:
        return Response.text("read-only: GET only", status=405, headers={"allow": "GET, HEAD", **_HEADERS})
    database = await _dualuse_database(datasette)
    if database is None:
        return Response.text("no dualuse database is attached", status=404)
    links = _links(datasette, database)
    context = await database.execute_fn(build)
    if context is None:
        return _page(pages.render("missing.html", {"message": missing}, links), status=404)
    return _page(pages.render(template, context, links))


async def _index(datasette: Any, request: Any) -> Response:
    return await _render(datasette, request, "index.html", pages.overview, "")


async def _search(datasette: Any, request: Any) -> Response:
    query = request.args.get("q", "")
    return await _render(datasette, request, "search.html", lambda conn: pages.search(conn, query), "")


def _keyed(kind: str, template: str, build: Callable[[sqlite3.Connection, str], dict[str, Any] | None]) -> Any:
    """The view of one party or chain, by the key in its URL."""

    async def view(datasette: Any, request: Any) -> Response:
        key = unquote(request.url_vars["key"])
        missing = f"No {kind} {key!r} in this database."
        return await _render(datasette, request, template, lambda conn: build(conn, key), missing)

    return view


async def _css() -> Response:
    css = (files("dualuse.explore") / "static" / "explore.css").read_text(encoding="utf-8")
    return Response(css, content_type="text/css; charset=utf-8", headers=dict(_HEADERS))


@hookimpl
def register_routes() -> list[tuple[str, Callable[..., Awaitable[Response]]]]:
    """The explore pages (GET only: Datasette answers other methods with 405)."""
    return [
        (r"^/-/dualuse/$", _index),
        (r"^/-/dualuse/search$", _search),
        (r"^/-/dualuse/party/(?P<key>[^/]+)$", _keyed("party", "party.html", pages.dossier)),
        (r"^/-/dualuse/chain/(?P<key>[^/]+)$", _keyed("chain", "chain.html", pages.chain)),
        (r"^/-/dualuse/explore\.css$", _css),
    ]


@hookimpl
def canned_queries(datasette: Any, database: str) -> Callable[[], Awaitable[dict[str, Any]]]:
    """The canned queries, on dualuse databases only."""

    async def inner() -> dict[str, Any]:
        found = await _dualuse_database(datasette)
        return dict(CANNED_QUERIES) if found is not None and found.name == database else {}

    return inner


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    """A dualuse database is opened query-only: even a plugin cannot write to it through Datasette."""
    try:
        if _is_dualuse(conn):
            conn.execute("pragma query_only = 1")
    except sqlite3.Error:  # an attached database that is not readable here is Datasette's business
        pass


@hookimpl
def prepare_jinja2_environment(env: Any) -> None:
    """Every value Datasette's templates print has its bidi controls made visible."""
    previous = env.finalize

    def finalize(value: Any) -> Any:
        return neutralise_value(previous(value) if previous is not None else value)

    env.finalize = finalize


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    """Party and chain ids link to their pages; text with bidi controls is shown neutralised."""
    found = getattr(datasette, "_dualuse_database", None)
    if found is None or found.name != database:
        return _finalize_cell(value)
    links = _links(datasette, found)
    raw = value.get("value") if isinstance(value, dict) else value
    if column in _PARTY_COLUMNS and isinstance(raw, str) and _PARTY_ID.match(raw):
        label = value.get("label") if isinstance(value, dict) else raw
        return Markup(f'<a href="{escape(links.party(raw))}">{escape(neutralise_bidi(str(label or raw)))}</a>')
    if column == "chain_id" and isinstance(raw, str) and _CHAIN_ID.match(raw):
        return Markup(f'<a href="{escape(links.chain(raw))}">{escape(raw)}</a>')
    if table == "parties" and column == "name" and isinstance(value, str):
        party_id = row["party_id"]
        return Markup(
            f'{escape(neutralise_bidi(value))} <a class="du-dossier" href="{escape(links.party(party_id))}">dossier</a>'
        )
    return _finalize_cell(value)


def _finalize_cell(value: Any) -> Any:
    if isinstance(value, str) and any(c in BIDI_CONTROLS for c in value):
        return Markup(escape(neutralise_bidi(value)))
    return None


@hookimpl
def extra_css_urls(database: str | None, datasette: Any) -> list[str]:
    """Our style sheet on the pages of the dualuse database (for the dossier links in its tables)."""
    found = getattr(datasette, "_dualuse_database", None)
    if found is None or database != found.name:
        return []
    return [_links(datasette, found).css]


@hookimpl
def menu_links(datasette: Any) -> list[dict[str, str]]:
    """A link to the explore pages in Datasette's menu."""
    if getattr(datasette, "_dualuse_database", None) is None:
        return []
    return [{"href": datasette.urls.path("/-/dualuse/"), "label": "dualuse: search and dossiers"}]


@hookimpl
def startup(datasette: Any) -> Callable[[], Awaitable[None]]:
    """Find the dualuse database once, before the first request."""

    async def inner() -> None:
        await _dualuse_database(datasette)

    return inner


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[Any], Any]:
    """Security headers on every response of a Datasette that serves a dualuse database."""

    def wrap(app: Any) -> Any:
        async def with_headers(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] != "http" or getattr(datasette, "_dualuse_database", None) is None:
                await app(scope, receive, send)
                return

            async def send_with_headers(message: Any) -> None:
                if message["type"] == "http.response.start":
                    headers = list(message.get("headers", []))
                    present = {name.lower() for name, _ in headers}
                    extra = {"content-security-policy": SITE_CSP, **_HEADERS}
                    headers += [(k.encode(), v.encode()) for k, v in extra.items() if k.encode() not in present]
                    message = {**message, "headers": headers}
                await send(message)

            await app(scope, receive, send_with_headers)

        return with_headers

    return wrap
