"""The executor seam: order, progress, errors, the registry and the engine option."""

from __future__ import annotations

from typing import Any

import pytest

from dualuse.errors import ConfigError, InputError
from dualuse.execution import Executor, LocalExecutor, RayExecutor, executors, get_executor
from dualuse.execution.plan import wants_partitions


def _add(x: int, shared: int) -> int:
    return x + shared


def _fail_on_two(x: int, _: None) -> int:
    if x == 2:
        raise InputError("partition two is bad", row=2)
    return x


def test_local_map_keeps_partition_order_and_reports_each_partition() -> None:
    seen: list[tuple[int, int, str]] = []
    engine = LocalExecutor(progress=lambda done, total, label: seen.append((done, total, label)))
    assert engine.map(_add, [5, 1, 3], 10, label="adding") == [15, 11, 13]
    assert seen == [(1, 3, "adding"), (2, 3, "adding"), (3, 3, "adding")]


def test_a_task_error_is_raised_as_it_was() -> None:
    with pytest.raises(InputError, match="partition two is bad"):
        LocalExecutor().map(_fail_on_two, [1, 2, 3], None)


def test_reduce_runs_the_combine_over_all_results() -> None:
    engine = LocalExecutor()
    assert engine.reduce(lambda parts: sorted(parts), engine.map(_add, [3, 1], 0)) == [1, 3]


def test_registry_names_the_built_in_engines_and_builds_them_with_options() -> None:
    assert {"local", "ray"} <= set(executors())
    ray = get_executor("ray", address="ray://head:10001", max_retries=5)
    assert isinstance(ray, RayExecutor)
    assert (ray.address, ray.max_retries) == ("ray://head:10001", 5)
    assert isinstance(get_executor(None), LocalExecutor)
    assert isinstance(get_executor(" Local "), LocalExecutor)


def test_unknown_engines_and_options_are_refused_with_what_is_known() -> None:
    with pytest.raises(ConfigError, match=r"unknown engine 'dask'; known engines: local, ray"):
        get_executor("dask")
    with pytest.raises(ConfigError, match="engine 'local'"):
        get_executor("local", address="x")
    with pytest.raises(ConfigError, match="given with an executor object"):
        get_executor(LocalExecutor(), progress=None)
    with pytest.raises(ConfigError, match="max_retries"):
        RayExecutor(max_retries=-1)


def test_an_executor_object_is_used_as_it_is() -> None:
    engine = LocalExecutor()
    assert get_executor(engine) is engine


def test_a_run_is_partitioned_for_another_engine_partitions_or_a_dataset(tmp_path: Any) -> None:
    assert not wants_partitions(object(), None, None)
    assert not wants_partitions(object(), "local", None)
    assert wants_partitions(object(), "ray", None)
    assert wants_partitions(object(), LocalExecutor(), 2)
    assert wants_partitions(str(tmp_path), None, None)  # a folder: a partitioned dataset
    with pytest.raises(InputError, match="partitions must be at least 1"):
        wants_partitions(object(), None, 0)


def test_an_engine_without_map_cannot_be_built() -> None:
    class Half(Executor):
        name = "half"

    with pytest.raises(TypeError):
        Half()  # type: ignore[abstract]


def test_ray_missing_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_ray(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "ray":
            raise ImportError("no ray here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    monkeypatch.setenv("RAY_ADDRESS", "127.0.0.1:1")
    with pytest.raises(ConfigError, match=r"pip install 'dualuse\[ray\]'"):
        RayExecutor().map(_add, [1], 0)
