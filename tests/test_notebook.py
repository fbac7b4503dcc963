"""In a notebook: short reprs, HTML cards, one-call pandas and Arrow, and public, documented exports."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import polars as pl
import pytest

import dualuse
from dualuse import lists, screening, synth, trace
from dualuse.report import build_report
from dualuse.store import Workspace

EVIL = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def scenario() -> synth.ShipmentScenario:
    return synth.generate_shipments(seed=2, chains=8, background=20, planted=synth.demo_cases())


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory, scenario: synth.ShipmentScenario) -> Workspace:
    folder = tmp_path_factory.mktemp("ws")
    scenario.shipments.write_parquet(folder / "shipments.parquet")
    workspace = Workspace(folder / "workspace")
    workspace.fetch("parquet", {"path": str(folder / "shipments.parquet"), "table": "shipments"}, name="ships")
    return workspace


def _objects(scenario: synth.ShipmentScenario, stored: Workspace) -> dict[str, object]:
    result = trace.chains(scenario.shipments)
    flows = synth.generate_flows(n_flows=200, seed=3)
    return {
        "DualUseList": lists.get("chpl"),
        "ListDiff": lists.diff(lists.get("chpl", version="2023"), lists.get("chpl")),
        "ChainResult": result,
        "ResolvedParties": trace.resolve_parties(scenario.shipments),
        "Score": screening.score(EVIL, "ООО Кварсол"),
        "StoredTable": stored.table("ships"),
        "Workspace": stored,
        "Report": build_report(flows),
        "ShipmentScenario": scenario,
    }


def test_reprs_are_short_and_cards_are_safe_html(scenario: synth.ShipmentScenario, stored: Workspace) -> None:
    for kind, obj in _objects(scenario, stored).items():
        text = repr(obj)
        assert len(text) < 300, (kind, len(text))
        html_method = getattr(obj, "_repr_html_", None)
        if kind in ("ListDiff", "ResolvedParties", "ShipmentScenario"):
            continue
        assert html_method is not None, kind
        html = html_method()
        assert html.startswith("<div") and "<script" not in html, kind
    assert len(repr(lists.get("chpl"))) < 80  # was 21,000 characters
    assert "&lt;script&gt;" in screening.score(EVIL, "ООО Кварсол")._repr_html_()


def test_results_convert_to_pandas_and_arrow_in_one_call(scenario: synth.ShipmentScenario, stored: Workspace) -> None:
    pytest.importorskip("pandas")
    result = trace.chains(scenario.shipments)
    frames = result.to_pandas()
    assert {name: len(frame) for name, frame in frames.items()} == {
        name: frame.height for name, frame in result.frames().items()
    }
    assert result.to_arrow()["chains"].num_rows == result.chains.height
    assert lists.get("chpl").to_pandas().shape == (50, 7)
    assert lists.get("chpl").to_arrow().num_rows == 50
    table = stored.table("ships")
    assert table.to_arrow().num_rows == table.manifest.rows_accepted == len(table.to_pandas())
    report = build_report(synth.generate_flows(n_flows=200, seed=3))
    assert set(report.to_arrow()) == set(report.tables)


def _packages() -> list[str]:
    root = Path(dualuse.__file__).parent
    return ["dualuse"] + [f"dualuse.{m.name}" for m in pkgutil.iter_modules([str(root)]) if m.ispkg]


@pytest.mark.parametrize("package", _packages())
def test_every_package_exports_documented_names(package: str) -> None:
    module = importlib.import_module(package)
    exported = getattr(module, "__all__", None)
    assert exported, f"{package} exports nothing"
    assert module.__doc__
    undocumented = []
    for name in exported:
        value = getattr(module, name)
        if (inspect.isclass(value) or inspect.isfunction(value)) and not inspect.getdoc(value):
            undocumented.append(name)
    assert undocumented == []


def test_the_csv_connector_classes_are_public() -> None:
    from dualuse.connectors import CsvConfig, CsvConnector, FileConnector

    assert issubclass(CsvConnector, FileConnector) and CsvConnector.name == "csv"
    assert "delimiter" in CsvConfig.model_fields


def test_a_frame_of_lists_renders_in_a_card() -> None:
    from dualuse.display import html_card

    html = html_card("t", [], {"rows": pl.DataFrame({"ids": [["a", "b"]]})})
    assert "[&#x27;a&#x27;, &#x27;b&#x27;]" in html or "['a', 'b']" in html
