"""Property: ingest conserves rows (accepted + rejected = input rows), whatever the cells hold."""

from __future__ import annotations

import pathlib
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dualuse.store import Workspace
from dualuse.testing import strategies as dst

GOOD = {
    "t": ["2022", "2023"],
    "i": ["156", "398", "KZ", "Китай"],
    "k": ["854231", "10121", "8542.31"],
    "v": ["1.5", "0", "12"],
}
BAD = {"t": ["", "20x3", "1"], "i": ["999", "Narnia", ""], "k": ["85x", "1", ""], "v": ["abc", "-1", ""]}


def cell(column: str) -> st.SearchStrategy[str]:
    return st.sampled_from(GOOD[column]) | st.sampled_from(BAD[column])


rows = st.lists(st.tuples(cell("t"), cell("i"), cell("k"), cell("v")), min_size=0, max_size=30)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows, batch_rows=st.integers(min_value=1, max_value=7))
def test_ingest_conserves_rows(rows: list[tuple[str, str, str, str]], batch_rows: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "baci.csv"
        lines = ["t,i,j,k,v,q"] + [f"{t},{i},398,{k},{v},1" for t, i, k, v in rows]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        stored = Workspace(pathlib.Path(folder) / "ws").fetch(
            "csv", {"path": str(path), "preset": "baci", "batch_rows": batch_rows}
        )
        assert stored.manifest.rows_accepted + stored.manifest.rows_rejected == len(rows)
        both = sorted(
            stored.read()["source_row"].to_list() + [int(r) for r in stored.rejected()["source_row"].to_list()]
        )
        assert both == list(range(2, len(rows) + 2))


@settings(max_examples=10, deadline=None)
@given(frame=dst.frame("shipments", max_size=8))
def test_canonical_shipments_round_trip_through_parquet(frame: object) -> None:
    import polars as pl

    assert isinstance(frame, pl.DataFrame)
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "s.parquet"
        frame.write_parquet(path)
        stored = Workspace(pathlib.Path(folder) / "ws").fetch("parquet", {"path": str(path), "table": "shipments"})
        assert stored.manifest.rows_rejected == 0
        got = stored.read()
        assert got.select(frame.columns).drop("source", "source_row").equals(frame.drop("source", "source_row"))
