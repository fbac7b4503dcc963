"""Every output frame of the analysis, with its columns as the code makes them: the docs' column tables.

Each :class:`Output` names a function, the description of each of its columns (kept beside the
code: :mod:`dualuse.flows.columns`, :mod:`dualuse.trace.columns`, :mod:`dualuse.screening.columns`)
and a small sample run. :func:`column_table` runs the sample and writes a Markdown table of the
columns *the code produced*, with their types and meaning; :func:`undocumented` says which
columns the code and the descriptions disagree on. The docs build puts the tables in place of
``<!-- columns: NAME -->`` markers, and a test fails when a column has no description, so the
tables cannot go stale.

Examples:
    >>> print(column_table("did").splitlines()[2])
    | `estimate` | Float64 | mean change of the treated units − mean change of the control units |
    >>> undocumented("flows.mirror")
    []
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import polars as pl

from dualuse.flows.columns import DID_COLUMNS, HUBS_COLUMNS, MIRROR_COLUMNS, SURGE_COLUMNS
from dualuse.screening.columns import SCREEN_DESCRIPTIONS
from dualuse.trace.columns import (
    CHAINS_COLUMNS,
    LINKS_COLUMNS,
    PARTIES_COLUMNS,
    RED_FLAGS_COLUMNS,
    UNEXPLAINED_COLUMNS,
)

__all__ = ["OUTPUTS", "Output", "column_table", "undocumented"]


@dataclass(frozen=True)
class Output:
    """An output frame: what makes it, what its columns mean, and a sample run that makes one."""

    title: str
    columns: dict[str, str]
    sample: Callable[[], pl.DataFrame]


@cache
def _flows() -> pl.DataFrame:
    from dualuse.synth import build_scenario

    return build_scenario().flows


@cache
def _shipments() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    from dualuse.synth import demo_cases, generate_shipments

    scenario = generate_shipments(seed=2, chains=6, background=12, planted=demo_cases())
    return scenario.shipments, scenario.watchlist, scenario.registry


def _mirror() -> pl.DataFrame:
    from dualuse.flows import mirror

    return mirror(_flows())


def _hubs() -> pl.DataFrame:
    from dualuse.flows import hubs

    return hubs(_flows(), origin="CN", hubs=["KZ"])


def _surge() -> pl.DataFrame:
    from dualuse.flows import surge
    from dualuse.lists import get

    return surge(_flows(), dual_use=get("chpl"))


def _did() -> pl.DataFrame:
    from dualuse.flows import NOT_LISTED, did

    return did(_surge(), treated=pl.col("tier") != NOT_LISTED)


def _chain_frame(name: str) -> Callable[[], pl.DataFrame]:
    def sample() -> pl.DataFrame:
        from dualuse.trace import chains

        frame: pl.DataFrame = getattr(chains(_shipments()[0]), name)
        return frame

    return sample


def _red_flags() -> pl.DataFrame:
    from dualuse.trace import red_flags

    shipments, watchlist, registry = _shipments()
    return red_flags(shipments, sanctioned=watchlist, registry=registry)


def _screen() -> pl.DataFrame:
    from dualuse.screening import screen
    from dualuse.trace import resolve_parties

    shipments, watchlist, _ = _shipments()
    return screen(resolve_parties(shipments).parties, watchlist, threshold=0.5)


OUTPUTS: dict[str, Output] = {
    "flows.mirror": Output("dualuse.flows.mirror / dualuse reconcile", MIRROR_COLUMNS, _mirror),
    "flows.hubs": Output("dualuse.flows.hubs / dualuse hubs", HUBS_COLUMNS, _hubs),
    "flows.surge": Output("dualuse.flows.surge / dualuse surge", SURGE_COLUMNS, _surge),
    "did": Output("dualuse.flows.did / dualuse surge --did", DID_COLUMNS, _did),
    "trace.chains": Output("ChainResult.chains / chains.parquet", CHAINS_COLUMNS, _chain_frame("chains")),
    "trace.links": Output("ChainResult.links / links.parquet", LINKS_COLUMNS, _chain_frame("links")),
    "trace.unexplained": Output(
        "ChainResult.unexplained / unexplained.parquet", UNEXPLAINED_COLUMNS, _chain_frame("unexplained")
    ),
    "trace.parties": Output("ChainResult.parties / parties.parquet", PARTIES_COLUMNS, _chain_frame("parties")),
    "trace.red_flags": Output("dualuse.trace.red_flags / flags.parquet", RED_FLAGS_COLUMNS, _red_flags),
    "screening.screen": Output("dualuse.screening.screen / dualuse screen", SCREEN_DESCRIPTIONS, _screen),
}
"""Every documented output frame, by the name its docs marker uses."""


@cache
def _schema(name: str) -> pl.Schema:
    return OUTPUTS[name].sample().schema


def _type(dtype: pl.DataType) -> str:
    return str(dtype).replace("|", "\\|")


def column_table(name: str) -> str:
    """A Markdown table of output ``name``'s columns, as a sample run makes them: name, type, meaning."""
    output = OUTPUTS[name]
    lines = ["| column | type | meaning |", "|---|---|---|"]
    for column, dtype in _schema(name).items():
        meaning = output.columns.get(column, "**not described**").replace("|", "\\|")
        lines.append(f"| `{column}` | {_type(dtype)} | {meaning} |")
    return "\n".join(lines)


def undocumented(name: str) -> list[str]:
    """Columns the code makes without a description, and descriptions of columns it does not make (``-name``)."""
    made = list(_schema(name))
    described = list(OUTPUTS[name].columns)
    missing = [c for c in made if c not in described]
    stale = [f"-{c}" for c in described if c not in made and not (name == "flows.surge" and c == "hs_code")]
    return missing + stale
