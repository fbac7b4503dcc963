"""Every example in the docs runs: ```python blocks and every command of ```console blocks.

Blocks of one page run in page order in one temporary folder (so a command can read the file a
Python block wrote), python blocks sharing one namespace. The folder starts with the few input
files the pages name without writing them (``flows.parquet``, ``my_pairs.csv``, ...).

In a console block, a line starting with ``$ `` is a command (``\\`` continues it); other lines
are its output. ``dualuse`` (or ``.venv/bin/dualuse``) commands run in-process and must exit 0. A
command that needs the internet runs with the network cut off: it must get as far as its first
request (settings valid, query planned) and stop there, with nothing else wrong. Set-up commands
are checked, not run: ``pip install`` and ``pytest`` paths must exist, ``make`` targets must be
in the Makefile, ``export`` sets the variable for the following commands. Synopses with
placeholders are ```text blocks.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import httpx
import polars as pl
import pytest

from dualuse.cli.app import run
from dualuse.screening.evaluate import regional_pairs
from dualuse.synth import build_scenario, write_scenario

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
BLOCK = re.compile(r"^```(python|console)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
PAGES = sorted(
    p for p in DOCS.rglob("*.md") if p.name != "changelog.md" and BLOCK.search(p.read_text(encoding="utf-8"))
)
MAKE_TARGETS = set(re.findall(r"^([a-z]+):", (ROOT / "Makefile").read_text(encoding="utf-8"), re.MULTILINE))


class OfflineError(Exception):
    """Raised instead of any network request."""


@pytest.fixture(scope="session")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Input files the docs name without writing them."""
    folder = tmp_path_factory.mktemp("docs-inputs")
    scenario = build_scenario()
    scenario.flows.write_parquet(folder / "flows.parquet")
    files = write_scenario(scenario, folder / "scenario")
    for name in ("sdn.csv", "add.csv", "alt.csv"):  # the watch list in OFAC's layout
        shutil.copy(files.watchlist / name, folder / name)
    # A declaration extract in the Russian customs layout (the ru-declarations preset).
    kz = pl.read_parquet(files.shipments["KZ"]).head(200)
    kz.select(
        pl.col("shipment_id").alias("Номер декларации"),
        pl.lit(1).alias("Номер товара"),
        pl.col("date").dt.strftime("%d.%m.%Y").alias("Дата регистрации"),
        pl.col("hs_code").alias("Код ТН ВЭД"),
        pl.col("description").alias("Описание товара"),
        pl.col("brand").alias("Товарный знак"),
        pl.col("exporter_name").alias("Отправитель"),
        pl.col("exporter_country").alias("Страна отправителя"),
        pl.col("importer_name").alias("Получатель"),
        pl.col("importer_country").alias("Страна получателя"),
        pl.col("value_usd").alias("Статистическая стоимость, USD"),
        pl.col("quantity").alias("Количество"),
    ).write_csv(folder / "declarations_kz.csv", separator=";")
    shutil.rmtree(folder / "scenario")
    shutil.copy(regional_pairs(), folder / "my_pairs.csv")
    shutil.copy(DOCS / "example-plugin" / "tests" / "data" / "companies.jsonl", folder / "companies.jsonl")
    (folder / "comtrade.toml").write_text(
        'reporters = "KZ"\npartners = "RU"\nhs_codes = "8542"\nperiods = "2023"\n', encoding="utf-8"
    )
    return folder


def _commands(block: str) -> list[str]:
    """The ``$ `` lines of a console block, continuation lines joined."""
    commands: list[str] = []
    joining = False
    for line in block.splitlines():
        if joining:
            commands[-1] += " " + line.strip()
        elif line.startswith("$ "):
            commands.append(line[2:].strip())
        else:
            continue
        joining = commands[-1].endswith("\\")
        commands[-1] = commands[-1].rstrip("\\").rstrip()
    return commands


def _run_command(command: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    words = shlex.split(command, comments=True)
    program, args = words[0], words[1:]
    if any(a.startswith("../shared") for a in args) and not (ROOT.parent / "shared").is_dir():
        return  # the public reference data beside the clone: CI has it, a user's fresh clone may not
    if program in ("dualuse", ".venv/bin/dualuse"):
        capsys.readouterr()
        code = run(args)
        err = capsys.readouterr().err
        if "OfflineError: no network:" in err:  # got as far as its first request, and failed only there
            assert code == 1 and err.count("\n") == 1, err
        else:
            assert code == 0, f"`{command}` exited {code}: {err}"
    elif program == "export":
        name, _, value = args[0].partition("=")
        monkeypatch.setenv(name, value)
    elif program in ("pip", ".venv/bin/pip"):
        paths = [a for a in args if a.startswith((".", "plugins/", "docs/"))]
        packages = [a for a in args if a.startswith("dualuse")]  # dualuse itself, an extra or a plugin
        assert paths or packages, command
        assert all((ROOT / p).exists() for p in paths), command
    elif program == "pytest":
        assert all((ROOT / a).exists() for a in args), command
    elif program in ("python3", "python") and args[:2] == ["-m", "venv"]:
        pass  # creates a virtual environment: nothing to check
    elif program == "make":
        assert set(args) <= MAKE_TARGETS, command
    else:
        pytest.fail(f"a command the docs test does not know how to run: {command}")


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_page_examples_run(
    page: Path,
    inputs: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The page's folder sits where a clone would, so ../shared is the reference data beside it.
    work = tmp_path / "clone"
    shutil.copytree(inputs, work)
    if (ROOT.parent / "shared").is_dir():
        (tmp_path / "shared").symlink_to(ROOT.parent / "shared")
    monkeypatch.chdir(work)
    monkeypatch.setenv("DUALUSE_WORKSPACE", str(work / "workspace"))
    monkeypatch.setenv("DUALUSE_DOCS_DIR", str(DOCS))

    def no_network(self: object, request: httpx.Request) -> httpx.Response:
        if request.url.host in ("127.0.0.1", "localhost"):  # the local stand-ins some pages start
            return original(self, request)  # type: ignore[arg-type]
        raise OfflineError(f"no network: {request.url.host}")

    original = httpx.HTTPTransport.handle_request
    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", no_network)
    # `dualuse explore` builds its database, then would serve it until Ctrl-C: it stops at serving.
    monkeypatch.setattr("dualuse.explore.serve.serve", lambda *args, **kwargs: None)
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    blocks = BLOCK.findall(page.read_text(encoding="utf-8"))
    for number, (kind, block) in enumerate(blocks, start=1):
        if kind == "python":
            code = compile(block, f"{page.relative_to(DOCS)} block {number}", "exec", dont_inherit=True)
            exec(code, namespace)
        else:
            for command in _commands(block):
                _run_command(command, capsys, monkeypatch)
    assert blocks


def test_console_blocks_hold_commands_not_synopses() -> None:
    # A placeholder (FILE, [--option]) in a console block would be run as written: use ```text.
    placeholders = []
    for page in PAGES:
        for kind, block in BLOCK.findall(page.read_text(encoding="utf-8")):
            placeholders += [
                f"{page.name}: {c}"
                for c in _commands(block)
                if kind == "console" and re.search(r"\[-|\b[A-Z]{4,}\b(?!=)", c)
            ]
    assert placeholders == []
