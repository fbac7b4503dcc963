"""The workspace under faults and company: real processes killed at the dangerous points (issue 14)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from dualuse.cli import main
from dualuse.errors import ConfigError
from dualuse.store import StoredTable, Workspace

WRITER = """
import sys
from dualuse.store import Workspace
workspace = Workspace(sys.argv[1], lock_timeout=float(sys.argv[4]))
stored = workspace.fetch("csv", {"path": sys.argv[2], "table": "parties"}, name=sys.argv[3], refresh=True)
print("stored", stored.manifest.rows_accepted)
"""


def _parties(folder: Path, rows: int, tag: str) -> Path:
    path = folder / f"{tag}.csv"
    path.write_text("party_id,name\n" + "".join(f"{tag}{i},FIRM {i}\n" for i in range(rows)), encoding="utf-8")
    return path


class Writer:
    """A ``Workspace.fetch`` in its own process, optionally stopped at a pause point."""

    def __init__(self, ws: Path, source: Path, name: str, *, pause: str | None = None, lock_timeout: float = 60):
        self.marker = ws.parent / f"paused-{source.stem}-{pause}"
        self.marks = ws.parent / f"marks-{source.stem}"
        env = {
            **os.environ,
            "DUALUSE_TEST_PAUSE": pause or "",
            "DUALUSE_TEST_PAUSE_FILE": str(self.marker),
            "DUALUSE_TEST_MARK_FILE": str(self.marks),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(ws), str(source), name, str(lock_timeout)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def wait_paused(self) -> None:
        self.wait_for(self.marker)

    def wait_for(self, marker: Path) -> None:
        for _ in range(6000):
            if marker.exists():
                return
            if self.process.poll() is not None:
                raise AssertionError(f"writer ended before {marker.name}: {self.process.communicate()}")
            time.sleep(0.02)
        raise AssertionError(f"writer never reached {marker.name}")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def resume(self) -> tuple[int, str, str]:
        self.marker.with_name(self.marker.name + ".go").write_text("go", encoding="utf-8")
        out, err = self.process.communicate(timeout=120)
        return self.process.returncode, out, err


def _names(ws: Path) -> list[str]:
    return sorted(p.name for p in (ws / "tables").iterdir())


@pytest.fixture
def ws_with_table(tmp_path: Path) -> tuple[Path, StoredTable]:
    ws = tmp_path / "ws"
    old = Workspace(ws).fetch("csv", {"path": str(_parties(tmp_path, 2, "old")), "table": "parties"}, name="t")
    return ws, old


def test_a_kill_between_the_two_renames_is_finished_on_open(
    tmp_path: Path, ws_with_table: tuple[Path, StoredTable]
) -> None:
    ws, _ = ws_with_table
    writer = Writer(ws, _parties(tmp_path, 5, "new"), "t", pause="mid-swap")
    writer.wait_paused()
    assert "t" not in _names(ws)  # the dangerous instant: the old table is aside, the new one not yet in
    writer.kill()
    workspace = Workspace(ws)  # recovery on open
    assert workspace.table("t").manifest.rows_accepted == 5
    assert _names(ws) == ["t"]
    assert all(check.ok for check in workspace.check())


def test_a_kill_mid_swap_with_a_damaged_new_table_rolls_back(
    tmp_path: Path, ws_with_table: tuple[Path, StoredTable]
) -> None:
    ws, old = ws_with_table
    writer = Writer(ws, _parties(tmp_path, 5, "new"), "t", pause="mid-swap")
    writer.wait_paused()
    writer.kill()
    for staging in (ws / "tables").glob(".tmp-t-*"):
        (staging / "manifest.json").unlink()  # as if the new table had never been completed
    workspace = Workspace(ws)
    assert workspace.table("t").manifest == old.manifest
    assert _names(ws) == ["t"]


def test_killed_ingests_leave_no_staging_behind(tmp_path: Path, ws_with_table: tuple[Path, StoredTable]) -> None:
    ws, old = ws_with_table
    for round_ in range(3):
        writer = Writer(ws, _parties(tmp_path, 5, f"new{round_}"), "t", pause="before-swap")
        writer.wait_paused()
        writer.kill()
    assert len(list((ws / "tables").glob(".tmp-t-*"))) == 1  # each writer's open swept the one before
    workspace = Workspace(ws)
    assert _names(ws) == ["t"] and workspace.table("t").manifest == old.manifest


def test_a_second_writer_fails_clearly_while_the_first_holds_the_table(
    tmp_path: Path, ws_with_table: tuple[Path, StoredTable]
) -> None:
    ws, _ = ws_with_table
    first = Writer(ws, _parties(tmp_path, 5, "first"), "t", pause="before-swap")
    first.wait_paused()
    second = Writer(ws, _parties(tmp_path, 7, "second"), "t", lock_timeout=0.5)
    _, err = second.process.communicate(timeout=120)
    assert second.process.returncode == 1
    assert "StoreError: table 't' in workspace" in err and "is being written by another process" in err
    code, out, _ = first.resume()
    assert code == 0 and "stored 5" in out
    assert Workspace(ws).table("t").manifest.rows_accepted == 5


def test_a_second_writer_waits_and_then_stores(tmp_path: Path, ws_with_table: tuple[Path, StoredTable]) -> None:
    ws, _ = ws_with_table
    first = Writer(ws, _parties(tmp_path, 5, "first"), "t", pause="before-swap")
    first.wait_paused()
    second = Writer(ws, _parties(tmp_path, 7, "second"), "t", lock_timeout=120)
    second.wait_for(second.marks.with_name(second.marks.name + ".lock-busy"))  # it found the table taken
    assert second.process.poll() is None  # and waits
    assert first.resume()[0] == 0
    out, _ = second.process.communicate(timeout=120)
    assert second.process.returncode == 0 and "stored 7" in out
    assert Workspace(ws).table("t").manifest.rows_accepted == 7


def test_a_reader_never_sees_a_table_being_replaced_as_missing(
    tmp_path: Path, ws_with_table: tuple[Path, StoredTable], monkeypatch: pytest.MonkeyPatch
) -> None:
    import dualuse.store

    ws, _ = ws_with_table
    writer = Writer(ws, _parties(tmp_path, 5, "new"), "t", pause="mid-swap")
    writer.wait_paused()
    waiting = threading.Event()

    class Clock:  # the store's time module, telling the test when the reader starts waiting out the swap
        monotonic = staticmethod(time.monotonic)

        @staticmethod
        def sleep(seconds: float) -> None:
            waiting.set()
            time.sleep(seconds)

    monkeypatch.setattr(dualuse.store, "time", Clock)
    seen: list[object] = []

    def read() -> None:
        try:
            seen.append(Workspace(ws).table("t").read().height)
        except ConfigError as exc:
            seen.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    assert waiting.wait(timeout=60), f"the reader did not wait for the swap: {seen}"
    assert writer.resume()[0] == 0
    reader.join(timeout=60)
    assert seen == [5]


def test_store_check_finds_a_tampered_table(
    ws_with_table: tuple[Path, StoredTable], capsys: pytest.CaptureFixture[str]
) -> None:
    ws, old = ws_with_table
    assert main(["store", "check", "-w", str(ws)]) == 0
    with (old.path / "data.parquet").open("ab") as handle:
        handle.write(b"tampered")
    assert main(["store", "check", "-w", str(ws)]) == 1
    out = capsys.readouterr().out
    assert "does not match its manifest" in out and "0 of 1 sound" in out
