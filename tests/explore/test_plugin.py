"""The Datasette plugin: routes, headers, canned queries, read-only serving, inert on other databases."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest

pytest.importorskip("datasette", reason="the explore extra is not installed")

from dualuse.explore.pages import CSP
from dualuse.explore.plugin import CANNED_QUERIES, SITE_CSP
from dualuse.explore.serve import datasette_app, is_loopback

T = TypeVar("T")


def _run(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    return asyncio.run(make())


def _client_get(database: Path, paths: list[str], method: str = "get") -> list[Any]:
    app = datasette_app(database)

    async def go() -> list[Any]:
        await app.invoke_startup()
        call = getattr(app.client, method)
        return [await call(path) for path in paths]

    return _run(go)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_our_pages_carry_the_strict_policy_and_datasette_pages_the_site_one(demo_database: Path) -> None:
    ours, table, css, missing = _client_get(
        demo_database, ["/-/dualuse/", "/dualuse/shipments", "/-/dualuse/explore.css", "/-/dualuse/chain/ch-nope"]
    )
    assert ours.status_code == 200 and ours.headers["content-security-policy"] == CSP
    assert "script-src" not in CSP and "<script" not in ours.text
    assert table.status_code == 200 and table.headers["content-security-policy"] == SITE_CSP
    assert table.headers["x-content-type-options"] == "nosniff" and table.headers["referrer-policy"] == "no-referrer"
    assert css.headers["content-type"].startswith("text/css") and ".du-top" in css.text
    assert missing.status_code == 404 and "No chain" in missing.text


def test_table_views_link_parties_to_their_dossiers(demo_database: Path) -> None:
    (page,) = _client_get(demo_database, ["/dualuse/chain_links?_size=5"])
    assert (
        page.status_code == 200
        and 'href="/-/dualuse/party/p-' in page.text
        and 'href="/-/dualuse/chain/ch-' in page.text
    )


def test_the_canned_queries_answer_the_first_questions(demo_database: Path) -> None:
    answers = _client_get(demo_database, [f"/dualuse/{name}.json?_shape=array" for name in CANNED_QUERIES])
    by_name = {name: response.json() for name, response in zip(CANNED_QUERIES, answers, strict=True)}
    new = by_name["new_importers_after_invasion"]
    assert new and all(row["first_in_date"] >= "2022-02-24" for row in new)
    assert {"Belomir Radiodetal LLC", "Ak-Bulun Komponent LLC"} <= {row["name"] for row in new}
    hubs = by_name["top_hub_traders"]
    values = [row["reexport_value_usd"] for row in hubs]
    assert hubs and values == sorted(values, reverse=True) and all(row["country"] != "RU" for row in hubs)
    one_hop = by_name["sanctioned_one_hop"]
    assert {"Orlanit Komplekt LLC"} <= {row["name"] for row in one_hop}
    assert {row["listed_party"] for row in one_hop} <= {"Zharqyn Vektor LLP", "KVARSOL LIMITED LIABILITY COMPANY"}


def test_nothing_can_be_written(demo_database: Path) -> None:
    before = _digest(demo_database)
    paths = ["/-/dualuse/", "/-/dualuse/search", "/-/dualuse/party/p-0123456789abcdef", "/dualuse/-/create"]
    posted = _client_get(demo_database, paths, method="post")
    assert all(response.status_code in (403, 404, 405) for response in posted), [r.status_code for r in posted]
    (write,) = _client_get(demo_database, ["/dualuse.json?sql=delete+from+parties"])
    assert write.status_code == 400
    app = datasette_app(demo_database)

    async def attempt() -> str:
        await app.invoke_startup()
        database = app.get_database("dualuse")
        try:
            await database.execute_write("delete from parties")
        except Exception as exc:
            return type(exc).__name__
        return "written"

    assert _run(attempt) != "written"
    assert _digest(demo_database) == before


def test_the_plugin_is_inert_on_other_databases(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("create table t (party_id text, name text)")
        conn.execute("insert into t values ('p-0123456789abcdef', 'x')")
    index, table, queries = _client_get(other, ["/-/dualuse/", "/other/t", "/other.json"])
    assert index.status_code == 404
    assert "content-security-policy" not in table.headers and "/-/dualuse/party/" not in table.text
    assert not queries.json().get("queries")


def test_loopback_is_recognised() -> None:
    assert is_loopback("127.0.0.2") and is_loopback("::1") and not is_loopback("192.168.1.10")
