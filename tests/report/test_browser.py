"""The demo report in a real browser (headless Chromium, the Debian package): it renders, offline.

Skipped, with the reason, when /usr/bin/chromium is absent (``.ci/run`` installs it).
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from dualuse.demo import DemoResult

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None, reason="headless Chromium not installed (apt-get install chromium; .ci/run does it)"
    ),
]


def test_dump_dom_with_every_host_unresolvable(demo_result: DemoResult, tmp_path: Path) -> None:
    assert CHROMIUM is not None
    done = subprocess.run(
        [
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--virtual-time-budget=5000",
            "--dump-dom",
            demo_result.files.html.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    dom = done.stdout
    assert dom.rstrip().endswith("</html>")  # loaded completely with no network at all
    assert dom.count('class="chart"') >= 3 and dom.count("<table") >= 2
    assert "$1.30 bn" in dom and "+64 %" in dom


def _open_page(pw: Any, width: int, requests: list[str], console: list[str]) -> Any:
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS[1:], headless=True)
    context = browser.new_context(viewport={"width": width, "height": 900})

    def record(route: Any) -> None:
        requests.append(route.request.url)
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", record)
    page = context.new_page()
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: console.append(message.text))
    return browser, page


# Per visible table: its id, its width and its box's width; per visible chart: width and its smallest text.
_TABLES = """() => { document.querySelectorAll('details').forEach(d => d.open = true);
  return [...document.querySelectorAll('table')].filter(t => t.offsetParent !== null)
    .map(t => [t.closest('[id]')?.id, t.scrollWidth, t.parentElement.clientWidth, t.closest('main').clientWidth]); }"""
_CHARTS = """() => [...document.querySelectorAll('svg.chart')].filter(s => s.getBoundingClientRect().width > 0)
  .map(s => [s.getBoundingClientRect().width,
             Math.min(...[...s.querySelectorAll('text')].map(t => t.getBoundingClientRect().height).filter(h => h > 0))])"""
_HEADERS = "() => [...document.querySelectorAll('th')].map(th => th.innerText)"


@pytest.mark.parametrize("width", [1280, 390])
def test_report_fits_and_reads_at_desktop_and_phone_width(demo_result: DemoResult, tmp_path: Path, width: int) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    requests: list[str] = []
    console: list[str] = []
    assert demo_result.files.evidence is not None
    with sync_api.sync_playwright() as pw:
        browser, page = _open_page(pw, width, requests, console)
        try:
            measured = {}
            for html in (demo_result.files.html, demo_result.files.evidence):
                page.goto(html.as_uri(), wait_until="load")
                measured[html.name] = (page.evaluate(_TABLES), page.evaluate(_CHARTS), page.evaluate(_HEADERS))
                page.screenshot(path=str(tmp_path / f"{html.stem}-{width}.png"), full_page=html.name == "report.html")
            page.goto(demo_result.files.html.as_uri(), wait_until="load")
            cards = page.inner_text("#summary")
        finally:
            browser.close()
    tables, charts, headers = measured["report.html"]
    assert len(tables) >= 8 and len(measured["evidence.html"][0]) >= 5
    for name, (shown, _, _) in measured.items():
        wider = [(t, w, box) for t, w, box, main in shown if w > box + 1 or w > main + 1]
        assert wider == [], f"{name} at {width} px: tables wider than their box"
    assert len(charts) >= 3 and all(w > 0.8 * min(width, 1064) for w, _ in charts), charts
    assert all(smallest >= 8 for _, smallest in charts), charts  # chart text at least 8 px high on screen
    assert [h for h in headers if "_" in h] == []
    assert "$1.30 bn" in cards and "$5.9 m" in cards and "46 %" in cards
    assert [url for url in requests if not url.startswith("file:")] == []
    assert not [m for m in console if "Content Security Policy" in m or "net::" in m]
    assert (tmp_path / f"report-{width}.png").stat().st_size > 50_000


def test_print_layout_has_one_findings_order_and_no_navigation(demo_result: DemoResult) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as pw:
        browser, page = _open_page(pw, 1280, [], [])
        try:
            page.goto(demo_result.files.html.as_uri(), wait_until="load")
            page.emulate_media(media="print")
            shown = page.evaluate(
                """() => ({nav: getComputedStyle(document.querySelector('nav.toc')).display,
                  views: [...document.querySelectorAll('#table-findings tbody')].map(b => getComputedStyle(b).display),
                  wide: [...document.querySelectorAll('figure .wide')].map(d => getComputedStyle(d).display)})"""
            )
            pdf = page.pdf(format="A4")
        finally:
            browser.close()
    assert shown["nav"] == "none"
    assert shown["views"] == ["table-row-group", "none", "none"]
    assert shown["wide"] and set(shown["wide"]) == {"block"}
    assert pdf.startswith(b"%PDF") and len(pdf) > 100_000


def test_the_docs_screenshot_script_photographs_the_report(demo_result: DemoResult, tmp_path: Path) -> None:
    pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    spec = importlib.util.spec_from_file_location("report_screenshot", ROOT / "scripts" / "report_screenshot.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    png = script.screenshot(demo_result.files.html, tmp_path / "report.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 100_000
    assert (ROOT / "docs" / "img" / "report.png").stat().st_size > 100_000  # committed, made by the script
