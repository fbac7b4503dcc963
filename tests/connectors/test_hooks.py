"""Every hook is documented with its full signature and tested (the datasette rule).

A hook ``register_x`` needs a test called ``test_hook_register_x`` in this module, and its
signature, as ``def register_x(...) -> None``, in docs/how-to/write-a-plugin.md.
"""

from __future__ import annotations

import inspect
import pathlib
import re
from typing import Any

import pytest

from dualuse.connectors import get_plugin_manager, hookimpl, presets
from dualuse.connectors.mapping import MappingPreset
from dualuse.lists.model import DualUseList
from dualuse.plugins import hookspecs

GUIDE = pathlib.Path(__file__).parents[2] / "docs" / "how-to" / "write-a-plugin.md"
HOOKS = sorted(name for name, value in vars(hookspecs).items() if hasattr(value, "dualuse_spec"))


def _signature(name: str) -> str:
    function = getattr(hookspecs, name)
    source = inspect.getsource(function)
    match = re.search(r"def \w+\(.*?\) -> None:", source, re.S)
    assert match
    return " ".join(match.group(0).split())


def test_every_hook_has_a_spec() -> None:
    assert HOOKS == [
        "register_connectors",
        "register_executors",
        "register_legal_forms",
        "register_lists",
        "register_presets",
    ]


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_documented_with_its_full_signature(hook: str) -> None:
    guide = " ".join(GUIDE.read_text(encoding="utf-8").split())
    assert f"## {hook}" in guide, f"{hook} has no section in {GUIDE.name}"
    assert _signature(hook) in guide, f"{GUIDE.name} lacks the signature {_signature(hook)}"


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_tested(hook: str) -> None:
    assert f"test_hook_{hook}" in globals(), f"no test_hook_{hook} in {__name__}"


def test_hook_register_connectors(fresh_manager: None, register_plugin: Any) -> None:
    from dualuse.connectors import connectors
    from dualuse.connectors.builtin import CsvConnector

    class Tsv(CsvConnector):
        name = "tsv-test"

    class Plugin:
        @staticmethod
        @hookimpl
        def register_connectors(register: Any) -> None:
            register(Tsv)

    register_plugin(Plugin, "tsv-test")
    assert connectors()["tsv-test"] is Tsv


def test_hook_register_lists(fresh_manager: None, register_plugin: Any) -> None:
    watched = DualUseList.model_validate(
        {
            "name": "test-watch",
            "title": "Test",
            "version": {"version": "2024-01-01"},
            "items": [{"code": "880622", "description": "drones"}],
        }
    )

    class Plugin:
        @staticmethod
        @hookimpl
        def register_lists(register: Any) -> None:
            register(watched)

    register_plugin(Plugin, "lists-test")
    received: list[DualUseList] = []
    get_plugin_manager().hook.register_lists(register=received.append)
    assert received == [watched]


def test_hook_register_presets(fresh_manager: None, register_plugin: Any) -> None:
    mine = MappingPreset.from_toml(
        'name = "mine"\ntable = "parties"\n[columns.name]\nfrom = "Company"\n', origin="test"
    )

    class Plugin:
        @staticmethod
        @hookimpl
        def register_presets(register: Any) -> None:
            register(mine)

    register_plugin(Plugin, "presets-test")
    assert presets()["mine"] is mine
    assert "ru-declarations" in presets()


def test_hook_register_legal_forms(fresh_manager: None, register_plugin: Any) -> None:
    class Plugin:
        @staticmethod
        @hookimpl
        def register_legal_forms(register: Any) -> None:
            register("ЖШС", "llp", country="KZ")

    register_plugin(Plugin, "forms-test")
    seen: list[tuple[str, str, str | None]] = []

    def register(form: str, tag: str, *, country: str | None = None) -> None:
        seen.append((form, tag, country))

    get_plugin_manager().hook.register_legal_forms(register=register)
    assert ("ЖШС", "llp", "KZ") in seen


def test_hook_register_executors(fresh_manager: None, register_plugin: Any) -> None:
    from dualuse.execution import Executor, LocalExecutor, executors, get_executor

    class Inline(LocalExecutor):
        name = "inline-test"

    class NotAnExecutor:
        name = "bogus"

    class Plugin:
        @staticmethod
        @hookimpl
        def register_executors(register: Any) -> None:
            register(Inline)
            register(NotAnExecutor)

    register_plugin(Plugin, "engines-test")
    assert executors()["inline-test"] is Inline
    assert "bogus" not in executors()
    engine = get_executor("inline-test")
    assert isinstance(engine, Executor)
    assert engine.reduce(sum, engine.map(_double, [1, 2], None)) == 6
    from dualuse.connectors import load_errors

    assert any(e.plugin == "engines-test" and "not a subclass" in e.error for e in load_errors())


def _double(x: int, _: None) -> int:
    return 2 * x
