"""The demo report in a real browser (headless Chromium, the Debian package): it renders, offline.

Skipped, with the reason, when /usr/bin/chromium is absent (``.ci/run`` installs it).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from dualuse.demo import DemoResult

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


def test_charts_and_tables_render_and_nothing_touches_the_network(demo_result: DemoResult, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    requests: list[str] = []
    console: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS[1:], headless=True)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})

            def record(route: object) -> None:
                requests.append(route.request.url)  # type: ignore[attr-defined]
                if route.request.url.startswith("file:"):  # type: ignore[attr-defined]
                    route.continue_()  # type: ignore[attr-defined]
                else:
                    route.abort()  # type: ignore[attr-defined]

            context.route("**/*", record)
            page = context.new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.on("console", lambda message: console.append(message.text))
            page.goto(demo_result.files.html.as_uri(), wait_until="load")
            charts = page.eval_on_selector_all(
                "svg.chart", "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })"
            )
            rows = page.eval_on_selector_all("table tbody tr", "els => els.length")
            cards = page.inner_text("#summary")
            page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        finally:
            browser.close()
    assert len(charts) >= 3 and all(w > 400 and h > 150 for w, h in charts), charts
    assert rows >= 8
    assert "$1.30 bn" in cards and "$5.9 m" in cards and "46 %" in cards
    assert [url for url in requests if not url.startswith("file:")] == []
    assert not [m for m in console if "Content Security Policy" in m or "net::" in m]
    assert (tmp_path / "report.png").stat().st_size > 50_000
