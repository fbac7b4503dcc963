"""The report reads like a finished document: formatted amounts, human headers, defined rules, findings by score.

These checks read the demo's HTML as text; tests/report/test_browser.py checks the layout in Chromium.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import polars as pl
import pytest

from dualuse.demo import DemoResult
from dualuse.report.glossary import GLOSSARY, terms_used
from dualuse.report.tables import frame_table

# Money that skipped the formatter: "$883281", "$-5", "$1.234567", "revenue 14500000 USD"; metrics as code.
UNFORMATTED = [
    (re.compile(r"\$\d{4,}"), "a dollar amount without thousands separators"),
    (re.compile(r"\$-|\$\d+\.\d{3,}"), "a dollar amount in raw form"),
    (re.compile(r"\b\d{5,}(\.\d+)? ?USD\b"), "a USD amount without separators"),
    (re.compile(r"\b[a-z]+_[a-z_]+=\d"), "a metric written as code (name=value)"),
    (re.compile(r"\d\.\d{5,}"), "a number with too many decimals"),
    (re.compile(r"\bp\s+0\.00\b"), "a p-value rounded to nothing"),
]
SNAKE = re.compile(r"[a-z]_[a-z]|\b(usd|pct)\b")


class _Cells(HTMLParser):
    """Text of every ``th``, ``td``, caption and heading, and the findings table's first view."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.headers: list[str] = []
        self.cells: list[str] = []
        self.titles: list[str] = []
        self.text: list[str] = []
        self._current: list[str] | None = None
        self._kind = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "svg"):
            self.stack.append(tag)
        if tag in ("th", "td", "caption", "h1", "h2", "h3", "summary"):
            self._current, self._kind = [], tag

    def handle_endtag(self, tag: str) -> None:
        if self.stack and tag == self.stack[-1]:
            self.stack.pop()
        if self._current is not None and tag == self._kind:
            text = "".join(self._current).strip()
            {"th": self.headers, "td": self.cells}.get(tag, self.titles).append(text)
            self._current = None

    def handle_data(self, data: str) -> None:
        if self.stack:
            return
        self.text.append(data)
        if self._current is not None:
            self._current.append(data)


def _cells(html: str) -> _Cells:
    parser = _Cells()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def pages(demo_result: DemoResult, demo_html: str) -> dict[str, _Cells]:
    assert demo_result.files.evidence is not None
    return {"report": _cells(demo_html), "evidence": _cells(demo_result.files.evidence.read_text(encoding="utf-8"))}


@pytest.mark.parametrize("page", ["report", "evidence"])
def test_no_amount_escapes_the_formatter(pages: dict[str, _Cells], page: str) -> None:
    text = " ".join(pages[page].text)
    found = [(why, m.group(0)) for pattern, why in UNFORMATTED for m in pattern.finditer(text)]
    assert found == []


@pytest.mark.parametrize("page", ["report", "evidence"])
def test_headers_are_words_not_code(pages: dict[str, _Cells], page: str) -> None:
    headers = set(pages[page].headers)
    assert headers and [h for h in headers if SNAKE.search(h)] == []


def test_titles_name_no_module(pages: dict[str, _Cells]) -> None:
    titles = pages["report"].titles
    assert titles and [t for t in titles if "dualuse." in t or SNAKE.search(t)] == []


def test_every_rule_the_report_names_is_in_its_glossary(demo_html: str, pages: dict[str, _Cells]) -> None:
    text = " ".join(pages["report"].text)
    named = set(re.findall(r"\b(?:the )?([A-Z][a-z]+) rule\b", text))
    defined = {term for term, _ in GLOSSARY}
    assert named and {f"{name} rule" for name in named} <= defined
    assert 'id="glossary"' in demo_html
    assert all(f'<dt id="term-{term.replace(" ", "-")}">{term}</dt>' in demo_html for term, _ in terms_used(text))


def test_all_findings_are_in_score_order_and_can_be_reordered(demo_html: str) -> None:
    table = demo_html[demo_html.index('id="table-findings"') :]
    first_view = table[: table.index("</tbody>")]
    scores = [float(s) for s in re.findall(r'<td data-label="score" class="num"><a [^>]*>([0-9.]+)</a>', first_view)]
    assert len(scores) > 10 and scores == sorted(scores, reverse=True)
    assert table.count('<tbody class="view') == 3  # by score, by kind, by subject
    assert "<script" not in demo_html


def test_an_equal_identifier_reads_as_settling_the_match(pages: dict[str, _Cells]) -> None:
    explanations = [c for c in pages["report"].cells if "equal INN" in c]
    assert explanations and all("settles the match" in c and "identifier +0.00" not in c for c in explanations)


def test_a_yearly_period_reads_as_its_year() -> None:
    frame = pl.DataFrame(
        {"period": [dt.date(2023, 1, 1), dt.date(2023, 5, 1)], "freq": ["A", "M"], "re_export_usd": [1.5e6, 3700.0]}
    )
    table = frame_table("t", "", frame, columns=["period", "re_export_usd"])
    assert [[c.text for c in row] for row in table.rows] == [["2023", "$1.5 m"], ["2023-05", "$3,700"]]
    assert table.columns == ["period", "re-exports"]
