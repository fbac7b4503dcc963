"""Regenerate docs/img/report.png: the demo report's first screen, as a browser shows it.

Run from the repository root (needs the dev tools and headless Chromium, ``apt-get install chromium``)::

    .venv/bin/python scripts/report_screenshot.py            # writes docs/img/report.png
    .venv/bin/python scripts/report_screenshot.py out.png    # anywhere else

It runs the demo into a temporary folder and photographs ``report.html`` at 1280 px wide.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "docs" / "img" / "report.png"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def screenshot(html: Path, png: Path, *, width: int = 1280, height: int = 1800) -> Path:
    """Photograph the top ``width`` × ``height`` pixels of ``html`` into ``png`` (headless Chromium)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(html.as_uri(), wait_until="load")
            png.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(png), clip={"x": 0, "y": 0, "width": width, "height": height})
        finally:
            browser.close()
    return png


def main(png: Path = DEFAULT) -> Path:
    """Run the demo into a temporary folder and photograph its report into ``png``."""
    from dualuse.demo import run_demo

    with tempfile.TemporaryDirectory() as folder:
        result = run_demo(Path(folder))
        return screenshot(result.files.html, png)


if __name__ == "__main__":
    print(main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT))
