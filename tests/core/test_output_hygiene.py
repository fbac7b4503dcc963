"""Nothing hostile gets out: terminal output, reports, CSVs and findings, and output folders (issue 14)."""

from __future__ import annotations

import json
import pathlib

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dualuse.cli import main
from dualuse.errors import OutputError
from dualuse.safe_files import ensure_folder, write_text
from dualuse.safe_text import BIDI_CONTROLS, neutralise_bidi, terminal_text

LINK = "[link=http://evil.example]KVARSOL[/link]"
OSC_TITLE = "KVARSOL\x1b]0;pwned\x07 LLP"
RLO = "ACME\u202eCLL"


@pytest.fixture
def names(tmp_path: pathlib.Path) -> tuple[pathlib.Path, pathlib.Path]:
    queries = tmp_path / "names.csv"
    watch = tmp_path / "watch.csv"
    rows = [LINK, OSC_TITLE, RLO]
    queries.write_text("name\n" + "".join(f'"{r}"\n' for r in rows), encoding="utf-8")
    watch.write_text("party_id,name\n" + "".join(f'p{i},"{r}"\n' for i, r in enumerate(rows)), encoding="utf-8")
    return queries, watch


def test_names_print_as_written_never_as_links_or_escape_sequences(
    names: tuple[pathlib.Path, pathlib.Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")  # a terminal that renders links, colours and titles
    monkeypatch.setenv("COLUMNS", "400")  # wide enough that no name is folded
    queries, watch = names
    assert main(["screen", str(queries), "--against", str(watch)]) == 0
    out = capsys.readouterr().out
    assert "\x1b]8;" not in out  # no OSC 8 hyperlink
    assert "\x1b]0;" not in out and "\x07" not in out  # no window title
    assert "\u202e" not in out
    assert "[link=http://ev" in out and "⟨U+001B⟩" in out and "⟨U+202E⟩" in out


def test_a_name_with_a_closing_tag_does_not_crash_the_error_handler(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "bad[/]name [red]x[/red].csv"
    assert main(["ingest", str(missing), "-w", str(tmp_path / "ws")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err
    assert "bad[/]name [red]x[/red].csv" in err  # bracketed text is kept, not swallowed as markup


def test_error_messages_show_control_characters_as_markers(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ingest", str(tmp_path / "x\x1b[2Jy.csv")]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and "x⟨U+001B⟩[2Jy.csv" in err


def _report_inputs(tmp_path: pathlib.Path) -> tuple[pathlib.Path, pathlib.Path]:
    flows = tmp_path / "flows.csv"
    flows.write_text(
        "period,freq,reporter,partner,flow,hs_code,value_usd,source,source_row\n"
        "2022-05-01,M,CN,KZ,export,854231,100,demo,1\n2023-05-01,M,CN,KZ,export,854231,164,demo,2\n",
        encoding="utf-8",
    )
    watch = tmp_path / "watch.csv"
    watch.write_text(f"party_id,name,source,source_row\np1,{RLO},list,1\n", encoding="utf-8")
    return flows, watch


def test_bidi_overrides_are_neutralised_in_the_report_csvs_and_findings(tmp_path: pathlib.Path) -> None:
    from dualuse.report import ReportOptions, build_report, write_report
    from dualuse.schema import polars_schema

    flows, _ = _report_inputs(tmp_path)
    findings = pl.DataFrame(
        [
            {
                "finding_id": "f1",
                "kind": "screening",
                "subject": RLO,
                "score": 0.9,
                "summary": f"{RLO} matches a listed party",
                "metrics": [{"name": "n", "value": 1.0}],
                "evidence": [{"table": "parties", "source": f"list{RLO}", "source_row": 1}],
            }
        ],
        schema=polars_schema("findings"),
    )
    from dualuse.store import read_table

    frame = read_table(flows, table="flows")
    report = build_report(frame, options=ReportOptions(hubs=("KZ",)), findings=findings)
    files = write_report(report, tmp_path / "out")
    written = [files.html, files.findings, *files.tables]
    for path in written:
        if path.suffix in (".html", ".json", ".csv"):
            text = path.read_text(encoding="utf-8-sig")
            assert not any(ch in text for ch in BIDI_CONTROLS), path.name
    assert "ACME⟨U+202E⟩CLL" in files.html.read_text(encoding="utf-8")
    subjects = [f["subject"] for f in json.loads(files.findings.read_text(encoding="utf-8"))]
    assert "ACME⟨U+202E⟩CLL" in subjects
    findings_csv = (tmp_path / "out" / "tables" / "findings.csv").read_text(encoding="utf-8-sig")
    assert "ACME⟨U+202E⟩CLL" in findings_csv


def test_report_out_does_not_follow_planted_links(tmp_path: pathlib.Path) -> None:
    flows, _ = _report_inputs(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    for name in ("report.html", "report.html.tmp", "findings.json", "findings.json.tmp"):
        (out / name).symlink_to(victim)
    assert main(["report", "--flows", str(flows), "--out", str(out), "--hubs", "KZ", "--quiet"]) == 0
    assert victim.read_text(encoding="utf-8") == "precious"
    assert not (out / "report.html").is_symlink() and "<html" in (out / "report.html").read_text(encoding="utf-8")


def test_report_out_refuses_a_planted_tables_link(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    flows, _ = _report_inputs(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "flows.csv").write_text("precious", encoding="utf-8")
    (out / "tables").symlink_to(elsewhere, target_is_directory=True)
    assert main(["report", "--flows", str(flows), "--out", str(out), "--hubs", "KZ", "--quiet"]) == 1
    assert "is a symbolic link; refusing to write through it" in capsys.readouterr().err
    assert [p.name for p in elsewhere.iterdir()] == ["flows.csv"]
    assert (elsewhere / "flows.csv").read_text(encoding="utf-8") == "precious"


def test_write_frame_replaces_a_link_instead_of_writing_through_it(tmp_path: pathlib.Path) -> None:
    from dualuse.cli._output import write_frame

    victim = tmp_path / "victim.csv"
    victim.write_text("precious", encoding="utf-8")
    for suffix in ("csv", "json", "parquet"):
        target = tmp_path / f"out.{suffix}"
        target.symlink_to(victim)
        write_frame(pl.DataFrame({"a": [1]}), target)
        assert not target.is_symlink()
    assert victim.read_text(encoding="utf-8") == "precious"


def test_ensure_folder_refuses_links_below_the_root_only(tmp_path: pathlib.Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    root = tmp_path / "root"
    root.symlink_to(real, target_is_directory=True)  # the user's own choice: followed
    assert ensure_folder(root / "tables", root=root).is_dir()
    (real / "sub").symlink_to(tmp_path, target_is_directory=True)
    with pytest.raises(OutputError):
        ensure_folder(root / "sub" / "deeper", root=root)
    write_text(root / "tables" / "t.txt", "ok")
    assert (real / "tables" / "t.txt").read_text(encoding="utf-8") == "ok"


@given(st.text())
def test_terminal_text_leaves_no_control_or_bidi_character(text: str) -> None:
    cleaned = terminal_text(text)
    assert not any((ord(ch) < 32 and ch not in "\n\t") or 0x7F <= ord(ch) <= 0x9F for ch in cleaned)
    assert not any(ch in BIDI_CONTROLS for ch in cleaned)
    assert not any(ch in BIDI_CONTROLS for ch in neutralise_bidi(text))


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Zl", "Zp"))))
def test_ordinary_text_is_untouched(text: str) -> None:
    assert terminal_text(text) == text == neutralise_bidi(text)
