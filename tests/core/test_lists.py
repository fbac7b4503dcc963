from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dualuse import lists
from dualuse.errors import ListError
from dualuse.lists import DualUseList


def test_bundled_chpl_equals_the_reference_csv(shared_data: Path) -> None:
    lines = [x for x in (shared_data / "lists" / "chpl_hs6.csv").read_text().splitlines() if not x.startswith("#")]
    reference = {(r["hs6"], r["tier"]) for r in csv.DictReader(lines)}
    bundled = {(i.code, i.tier) for i in lists.get("chpl", version="2024-02-23").items}
    assert bundled == reference
    assert len(reference) == 50


def test_chpl_versions() -> None:
    latest, first = lists.get("chpl"), lists.get("chpl", version="2023")
    assert (len(latest), len(first)) == (50, 45)
    added = lists.diff(first, latest)
    assert {i.tier for i in added.added} == {"Tier 4.B"}
    assert all(i.added_inferred for i in added.added)
    assert not added.removed and not added.retiered
    with pytest.raises(ListError, match="versions: 2023, 2024-02-23"):
        lists.get("chpl", version="2019")
    with pytest.raises(ListError, match="unknown"):
        lists.get("nope")


def test_the_question_from_the_issue() -> None:
    item = lists.get("chpl").lookup("8541.21.0000")
    assert item is not None and item.tier == "Tier 3.A" and item.code == "854121"
    assert "8541.21.0000" in lists.get("chpl", version="2023")


def test_match_handles_both_hs_versions_and_national_codes() -> None:
    got = lists.get("chpl").match(["8542310000", "85423100", "854150", "852580", "010121", "880730"])
    assert got.rows() == [
        ("8542310000", "854231", "Tier 1", "HS2022"),
        ("85423100", "854231", "Tier 1", "HS2022"),
        ("854150", "854151", "Tier 3.A", "HS2017"),
        ("852580", "852589", "Tier 3.A", "HS2017"),
        ("010121", None, None, None),
        ("880730", "880730", "Tier 3.B", "HS2022"),
    ]
    only_2022 = lists.get("chpl").match(["854150"], hs_version="HS2022")
    assert only_2022["item"].to_list() == [None]


def test_uav_list_covers_hs2017_homes() -> None:
    uav = lists.get("uav")
    assert uav.match(["880622", "852580", "880211", "880730"])["item"].to_list() == ["8806", "8806", "8806", "880730"]


def _scalar_match(lst: DualUseList, code: str) -> str | None:
    """The plain implementation the vectorised one must agree with."""
    best: tuple[int, int, str] | None = None
    for item in lst.items:
        for prefix, rank in [(item.code, 1), *((p, 0) for p in item.hs2017)]:
            if code.startswith(prefix):
                key = (len(prefix), rank, item.code)
                better = best is None or key[:2] > best[:2] or (key[:2] == best[:2] and key[2] < best[2])
                best = key if better else best
    return best[2] if best else None


chpl_codes = [c for i in lists.get("chpl").items for c in (i.code, *i.hs2017)]
codes = st.one_of(
    st.builds(lambda p, s: p + s, st.sampled_from(chpl_codes), st.text("0123456789", min_size=0, max_size=4)),
    st.text("0123456789", min_size=6, max_size=10),
).map(lambda c: c[: len(c) - len(c) % 2])


@given(st.lists(codes, min_size=1, max_size=40))
def test_vectorised_match_agrees_with_scalar(sample: list[str]) -> None:
    lst = lists.get("chpl")
    assert lst.match(sample)["item"].to_list() == [_scalar_match(lst, c) for c in sample]


def test_user_lists_from_csv_and_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("dualuse.lists.registry._REGISTERED", {})  # registering must not leak into other tests
    csv_path = tmp_path / "mine.csv"
    csv_path.write_text("code,tier,description\n8542.31,critical,chips\n8806,drones,\n", encoding="utf-8")
    mine = lists.load(csv_path)
    assert mine.match(["8806220000", "854231"])["tier"].to_list() == ["drones", "critical"]
    toml_path = tmp_path / "t.toml"
    toml_path.write_text('name = "t"\n[[items]]\ncode = "8471"\ntier = "computers"\n', encoding="utf-8")
    assert lists.load(toml_path).lookup("847150") is not None
    lists.register(mine)
    assert lists.get("mine").codes() == ["854231", "8806"]


def test_bad_user_list_names_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("code,tier\n8542.31,a\n85x,b\n", encoding="utf-8")
    with pytest.raises(ListError, match=r"bad.csv, row 3, column code"):
        lists.load(path)
    (tmp_path / "nocode.csv").write_text("hs,tier\n1,2\n", encoding="utf-8")
    with pytest.raises(ListError, match="expected a 'code' column"):
        lists.load(tmp_path / "nocode.csv")


def test_to_frame() -> None:
    frame = lists.get("chpl").to_frame()
    assert frame.height == 50
    assert frame.filter(pl.col("tier") == "Tier 1")["code"].to_list() == ["854231", "854232", "854233", "854239"]
