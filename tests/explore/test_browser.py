"""The explore pages in a real browser: search -> dossier -> chain -> source row, nothing leaves localhost.

Headless Chromium (the Debian package, driven by the playwright package) walks the demo workspace
as an analyst would and saves screenshots at 1280 and 390 px wide (in the test's temporary folder,
or in ``$DUALUSE_SCREENSHOTS`` when set, which is how the docs' pictures are made).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]  # fmt: skip

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (apt-get install chromium)"),
]

WIDTHS = (1280, 390)


def _shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("DUALUSE_SCREENSHOTS", tmp_path / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _walk(page: Any, base: str, shots: Path, width: int) -> dict[str, Any]:
    """Search for a Kazakh trader by its Cyrillic name, open its dossier, a chain, and a source row."""
    seen: dict[str, Any] = {}
    page.goto(f"{base}/-/dualuse/", wait_until="load")
    page.fill("input[name=q]", "Жарқын")
    page.click("form.du-search button")
    page.wait_for_url("**/-/dualuse/search?q=*")
    seen["search"] = page.inner_text("#parties")
    page.screenshot(path=str(shots / f"search-{width}.png"), full_page=True)
    page.click("#parties a.du-party >> nth=0")
    page.wait_for_url("**/-/dualuse/party/*")
    seen["dossier_title"] = page.inner_text("h1")
    seen["dossier"] = {
        s: page.inner_text(f"#{s}") for s in ("identity", "trade", "chains", "flags", "screening", "counterparties")
    }
    page.screenshot(path=str(shots / f"dossier-{width}.png"), full_page=True)
    page.screenshot(path=str(shots / f"dossier-top-{width}.png"))  # the first screen, for the docs
    page.click("#chains a.du-chain >> nth=0")
    page.wait_for_url("**/-/dualuse/chain/*")
    seen["graph_nodes"] = page.eval_on_selector_all(
        "svg.chain-graph rect", "els => els.filter(e => e.getBoundingClientRect().width > 0).length"
    )
    seen["graph_box"] = page.eval_on_selector_all(
        "svg.chain-graph", "els => Math.max(...els.map(e => e.getBoundingClientRect().width))"
    )
    seen["legs"] = page.inner_text("#legs")
    page.screenshot(path=str(shots / f"chain-{width}.png"), full_page=True)
    page.click("#legs a.du-source >> nth=0")
    page.wait_for_url("**/dualuse/shipments/*")
    seen["row"] = page.inner_text("body")
    page.screenshot(path=str(shots / f"row-{width}.png"), full_page=True)
    return seen


def test_search_dossier_chain_source_row_offline(explore_server: str, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    shots = _shots(tmp_path)
    requests: list[str] = []
    console: list[str] = []
    walks = {}
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            for width in WIDTHS:
                context = browser.new_context(viewport={"width": width, "height": 900})

                def route(handler: Any) -> None:
                    requests.append(handler.request.url)
                    if handler.request.url.startswith(explore_server + "/"):
                        handler.continue_()
                    else:
                        handler.abort()

                context.route("**/*", route)
                page = context.new_page()
                page.on("console", lambda message: console.append(message.text))
                walks[width] = _walk(page, explore_server, shots, width)
                context.close()
        finally:
            browser.close()
    for width, seen in walks.items():
        assert "Zharqyn Vektor LLP" in seen["search"], width
        assert seen["dossier_title"] == "Zharqyn Vektor LLP"
        dossier = seen["dossier"]
        assert "ТОО «Жарқын Вектор»" in dossier["identity"] and "220341098213" in dossier["identity"]
        assert "2022-03-17" in dossier["identity"]  # founded, from the registry entry with the same BIN
        assert "LIMITED LIABILITY PARTNERSHIP ZHARQYN VEKTOR" in dossier["screening"]
        assert "new importer after invasion" in dossier["flags"] and "shipments_kz.parquet" in dossier["flags"]
        assert "Orlanit Komplekt LLC" in dossier["counterparties"]
        assert "CN>KZ>RU" in dossier["chains"]
        assert seen["graph_nodes"] >= 3 and seen["graph_box"] > (300 if width > 640 else 250)
        assert "shipments_" in seen["legs"]
        assert "source_row" in seen["row"] and "shipments_" in seen["row"]
    assert requests and all(url.startswith(explore_server + "/") for url in requests), [
        u for u in requests if not u.startswith(explore_server)
    ]
    assert not [m for m in console if "Content Security Policy" in m or "net::" in m], console
    for width in WIDTHS:
        for name in ("search", "dossier", "chain", "row"):
            assert (shots / f"{name}-{width}.png").stat().st_size > 10_000
