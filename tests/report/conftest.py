"""Fixtures of the report tests: one demo run per session (it takes a few seconds)."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from dualuse.demo import DemoResult, run_demo


class Inspector(HTMLParser):
    """Collects element ids, ``href``/``src`` values, tag counts, script tags and visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.duplicate_ids: list[str] = []
        self.links: list[str] = []
        self.tags: dict[str, int] = {}
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1
        for name, value in attrs:
            if name == "id" and value:
                if value in self.ids:
                    self.duplicate_ids.append(value)
                self.ids.add(value)
            if name in ("href", "src", "xlink:href", "action", "srcset", "poster", "data") and value is not None:
                self.links.append(value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def inspect(html: str) -> Inspector:
    """Parse ``html`` and return the inspector."""
    parser = Inspector()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture(scope="session")
def demo_result(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    """The demo, run once into a temporary folder."""
    return run_demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="session")
def demo_html(demo_result: DemoResult) -> str:
    """The demo's report.html."""
    return Path(demo_result.files.html).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def inspect_html() -> Callable[[str], Inspector]:
    """Parse HTML into an :class:`Inspector` (ids, links, tags, text)."""
    return inspect
