"""Shipment chains: goods that enter an intermediary and leave it for the target, hop by hop.

:func:`chains` resolves the parties (:mod:`dualuse.trace.parties`), allocates each intermediary's
outbound legs to its inbound legs first in first out (:mod:`dualuse.trace.allocate`), and follows
the allocations back from every leg that reaches the target, through up to ``max_hops`` legs
(``CN>KZ>KG>RU`` is three legs). Each chain carries the quantity and value that flowed along it,
the shipment rows behind it, and a confidence score with its components.

Examples:
    >>> from dualuse.synth.shipments import generate_shipments
    >>> scenario = generate_shipments(seed=7, chains=30, background=60)
    >>> result = chains(scenario.shipments, target="RU")
    >>> found = set(result.chains["chain_id"]); true = set(scenario.truth["chain_id"])
    >>> len(found & true) / len(true) >= 0.9, len(found & true) / len(found) >= 0.9
    (True, True)
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import polars as pl

from dualuse.display import Frames, html_card, short_repr
from dualuse.errors import DualuseWarning, InputError
from dualuse.execution import Engine
from dualuse.execution.plan import wants_partitions
from dualuse.frames import delivers, stable_mean, stable_sum
from dualuse.inputs import as_countries, as_country, read
from dualuse.lists import DualUseList, ListSpec, resolve
from dualuse.schema import ReadOptions
from dualuse.trace.allocate import Allocation, fifo_allocate
from dualuse.trace.fuzzy import FUZZY_THRESHOLD
from dualuse.trace.parties import resolve_parties

__all__ = [
    "DEFAULT_HUBS",
    "SCORE_WEIGHTS",
    "ChainPart",
    "ChainResult",
    "ChainSettings",
    "assemble",
    "chain_id",
    "chains",
    "chains_of_lines",
    "inbound_leg",
    "outbound_leg",
    "warn_missing_side",
]

DEFAULT_HUBS: tuple[str, ...] = ("AE", "AM", "GE", "HK", "KG", "KZ", "RS", "TJ", "TR", "UZ")
"""The ``transit_hubs`` country group without China (the origin of most goods, see :mod:`dualuse.geo`)."""

SCORE_WEIGHTS: dict[str, float] = {"identifiers": 0.25, "product": 0.35, "time": 0.2, "quantity": 0.2}
"""Weights of the score components (they add up to 1)."""


def chain_id(shipment_ids: Sequence[str]) -> str:
    """The stable id of a chain: a digest of its shipment ids, first leg first.

    Examples:
        >>> chain_id(["a", "b"])
        'ch-9abe6de24a871364'
    """
    return _digest("|".join(shipment_ids))


def _digest(joined: str) -> str:
    return "ch-" + hashlib.sha1(joined.encode()).hexdigest()[:16]


class _LoadedOnDemand:
    """A frame field that may be given as a loader: read when first asked for, then kept.

    An out-of-core run (:mod:`dualuse.trace.partitioned`) gives the resolved shipments this way:
    they stay on disk unless asked for.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self._slot = f"_{name}_value"

    def __get__(self, result: object, owner: type | None = None) -> pl.DataFrame:
        if result is None:
            raise AttributeError("no default")  # a dataclass field without default
        value: pl.DataFrame | Callable[[], pl.DataFrame] = result.__dict__[self._slot]
        if not isinstance(value, pl.DataFrame):
            value = value()
            result.__dict__[self._slot] = value
        return value

    def __set__(self, result: object, value: pl.DataFrame | Callable[[], pl.DataFrame]) -> None:
        result.__dict__[self._slot] = value

    def loaded(self, result: object) -> bool:
        """Whether the frame is in memory (given as one, or already read)."""
        return isinstance(result.__dict__.get(self._slot), pl.DataFrame)


@dataclass(frozen=True, repr=False)
class ChainResult(Frames):
    """What :func:`chains` returns.

    ``chains``: one row per chain (``chain_id, route, legs, parties, party_names, hs6, first_date,
    last_date, quantity, value_usd, score`` and its components ``score_identifiers,
    score_product, score_time, score_quantity``, ``shipment_ids``, ``list_item``).
    ``links``: one row per intermediary of a chain (``chain_id, hop, party_id, inbound/outbound
    shipment id, source and source_row, dates, gap_days, quantity, value_usd, product_evidence``).
    ``unexplained``: per intermediary and HS6, outbound quantity and value not covered by arrivals.
    ``parties``: the resolved parties. ``shipments``: the accepted input with ``exporter_party``
    and ``importer_party`` (after an out-of-core run, read from disk when first asked for).
    ``rejected``: input rows that do not fit the shipments table.
    """

    chains: pl.DataFrame
    links: pl.DataFrame
    unexplained: pl.DataFrame
    parties: pl.DataFrame
    shipments: _LoadedOnDemand = _LoadedOnDemand()
    # mypy takes the descriptor for a default; it has none (its __get__ on the class raises)
    rejected: pl.DataFrame  # type: ignore[misc]

    def frames(self) -> dict[str, pl.DataFrame]:
        """The six frames by name; ``to_pandas()`` and ``to_arrow()`` convert them all."""
        return {
            "chains": self.chains,
            "links": self.links,
            "unexplained": self.unexplained,
            "parties": self.parties,
            "shipments": self.shipments,
            "rejected": self.rejected,
        }

    def __repr__(self) -> str:
        heights = {name: getattr(self, name).height for name in ("chains", "links", "unexplained", "parties")}
        on_disk = not ChainResult.__dict__["shipments"].loaded(self)
        shipments = "on disk" if on_disk else self.shipments.height
        return short_repr("ChainResult", **heights, shipments=shipments, rejected=self.rejected.height)

    def _repr_html_(self) -> str:
        strongest = (
            self.chains.sort("score", "value_usd", descending=True, nulls_last=True)
            if self.chains.height
            else self.chains
        )
        shown = [
            c
            for c in ("route", "party_names", "hs6", "first_date", "last_date", "value_usd", "score")
            if c in strongest.columns
        ]
        return html_card(
            "Shipment chains",
            self._facts(),
            {"strongest chains": strongest.select(shown), "parties": self.parties},
        )


@delivers
def chains(
    shipments: object,
    *,
    target: str = "RU",
    hubs: str | Sequence[str] = DEFAULT_HUBS,
    window_days: int = 90,
    max_hops: int = 3,
    dual_use: ListSpec | None = None,
    min_similarity: float = 0.6,
    options: ReadOptions | None = None,
    fuzzy: float | None = FUZZY_THRESHOLD,
    engine: Engine = None,
    partitions: int | None = None,
) -> ChainResult:
    """Reconstruct chains origin -> intermediaries -> ``target`` from canonical shipments.

    ``shipments`` is any table the front door reads (:mod:`dualuse.inputs`: polars, pandas, Arrow,
    a file, or several files read as one, such as a hub's export extract and Russia's import
    extract); rows that cannot be read are kept in :attr:`ChainResult.rejected` with their reasons.
    An *inbound* leg enters a party in a hub from anywhere but the target; an *outbound* leg leaves
    a party in a hub for another hub or the target. ``window_days`` bounds the time between arrival
    and departure; ``max_hops`` the number of legs of a chain (at least 2). With ``dual_use`` (a
    list name such as ``"chpl"``, several, or a :class:`~dualuse.lists.DualUseList`; see
    :data:`dualuse.lists.ListSpec`) only chains that carry listed goods on some leg are kept, and
    ``list_item`` names the item. When no record enters a hub, or none leaves one for the target,
    a :class:`~dualuse.errors.DualuseWarning` says which side is missing: chains need both.
    ``fuzzy``: the score at which a party known only by a name joins the party it is a variant of
    (``None``: exact names only).

    ``engine`` (``"local"``, ``"ray"`` or an :class:`~dualuse.execution.Executor`) and
    ``partitions`` run it partitioned: parties resolved once, then the chains of each group of
    linked parties and goods on its own (:mod:`dualuse.trace.partitioned`); ``shipments`` may then
    be a partitioned Parquet dataset, read out-of-core. The result is the same.

    Examples:
        >>> from dualuse.synth.shipments import generate_shipments, demo_cases
        >>> s = generate_shipments(seed=0, chains=0, background=0, decoys=0, planted=demo_cases())
        >>> result = chains(s.shipments, hubs=["KZ", "KG"], dual_use="chpl")
        >>> result.chains.group_by("route").agg(pl.len(), pl.col("value_usd").sum().round(2)).sort("route").rows()
        [('CN>KG>RU', 7, 3700.0), ('CN>KZ>RU', 12, 1150000.0)]
    """
    if max_hops < 2:
        raise InputError(f"max_hops {max_hops}: a chain has at least 2 legs", column="max_hops")
    if window_days < 0:
        raise InputError(f"window_days {window_days}: must be 0 or more", column="window_days")
    target_code = as_country(target, "target")
    hub_codes = tuple(sorted(h for h in as_countries(hubs, "hubs") if h != target_code))
    settings = ChainSettings(target_code, hub_codes, window_days, max_hops, resolve(dual_use), min_similarity)
    if wants_partitions(shipments, engine, partitions):
        from dualuse.trace.partitioned import chains_partitioned

        return chains_partitioned(
            shipments, settings, options=options, fuzzy=fuzzy, engine=engine, partitions=partitions
        )
    validated = read(shipments, "shipments", options=options)
    resolved = resolve_parties(validated.accepted, fuzzy=fuzzy)
    part = chains_of_lines(resolved.shipments, resolved.parties.select("party_id", "name"), settings)
    warn_missing_side(part.directions, resolved.shipments.height, settings)
    chain_frame, link_frame, unexplained = assemble([part], settings)
    return ChainResult(
        chains=chain_frame,
        links=link_frame,
        unexplained=unexplained,
        parties=resolved.parties,
        shipments=resolved.shipments,
        rejected=validated.rejected,
    )


@dataclass(frozen=True)
class ChainSettings:
    """The arguments of one :func:`chains` call, read (countries as codes, the list resolved)."""

    target: str
    hubs: tuple[str, ...]
    window_days: int = 90
    max_hops: int = 3
    listed: DualUseList | None = None
    min_similarity: float = 0.6


@dataclass(frozen=True)
class ChainPart:
    """The chains of some lines, before :func:`assemble` (``part`` numbers the partition).

    ``chains`` and ``links`` carry ``__part`` and ``path`` (to keep one path per chain id);
    ``directions``: the leg directions seen (``in``, ``out``), for the missing-side warning.
    """

    chains: pl.DataFrame
    links: pl.DataFrame
    unexplained: pl.DataFrame
    directions: frozenset[str]


def chains_of_lines(lines: pl.DataFrame, names: pl.DataFrame, settings: ChainSettings, part: int = 0) -> ChainPart:
    """The chains through resolved ``lines`` (``exporter_party``/``importer_party`` set).

    ``names``: ``party_id, name`` of every party the lines name. Closed under the groups of
    :mod:`dualuse.trace.partitioned`: the lines of whole groups give exactly their chains.
    """
    item = (
        settings.listed.match(lines["hs_code"])["item"]
        if settings.listed is not None
        else pl.Series(values=[None] * lines.height, dtype=pl.String)
    )
    lines = lines.with_columns(
        _line_keys(lines), pl.col("hs_code").str.slice(0, 6).alias("__hs6"), item.alias("__item")
    )
    legs = _legs(lines, settings.hubs, settings.target)
    directions = frozenset(legs.get_column("direction").unique().to_list())
    allocation = fifo_allocate(legs, window_days=settings.window_days, min_similarity=settings.min_similarity)
    unexplained = _unexplained(allocation, legs)
    del legs  # the largest working frame: free it before chains are described
    paths = _paths(allocation.links, lines, settings.target, settings.max_hops)
    chain_parts, link_parts = _describe_in_slices(paths, allocation, lines, names, settings.window_days)
    del paths, allocation  # free them before the results are assembled: those copies are the peak
    number = pl.lit(part, pl.Int64).alias("__part")
    chain_frame = pl.concat(chain_parts, rechunk=False).with_columns(number)  # no copy
    chain_parts.clear()
    link_frame = pl.concat(link_parts, rechunk=False).with_columns(number)
    link_parts.clear()
    return ChainPart(chain_frame, link_frame, unexplained, directions)


def _line_keys(accepted: pl.DataFrame) -> pl.Series:
    """``__k``: each line's position in (shipment_id, source, source_row, date) order.

    Every later step orders by these keys, so results do not depend on the order of the input;
    numbering the lines, rather than sorting them, spares a copy of the whole table.
    """
    order = accepted.select(pl.arg_sort_by("shipment_id", "source", "source_row", "date")).to_series()
    return order.arg_sort().cast(pl.Int64).alias("__k")  # the inverse permutation


def _legs(lines: pl.DataFrame, hubs: Sequence[str], target: str) -> pl.DataFrame:
    columns = [
        pl.col("__k").alias("key"),
        pl.col("date"),
        pl.col("__hs6").alias("hs6"),
        pl.col("brand"),
        pl.col("manufacturer"),
        pl.col("description"),
        pl.col("quantity"),
        pl.col("value_usd"),  # for what is unexplained
    ]
    # lazy, so that only the leg columns are filtered (an eager filter copies every column first)
    inbound = (
        lines.lazy()
        .filter(inbound_leg(hubs, target))
        .select(pl.col("importer_party").alias("party"), pl.lit("in").alias("direction"), *columns)
    )
    outbound = (
        lines.lazy()
        .filter(outbound_leg(hubs, target))
        .select(pl.col("exporter_party").alias("party"), pl.lit("out").alias("direction"), *columns)
    )
    return pl.concat([inbound, outbound]).collect()


def inbound_leg(hubs: Sequence[str], target: str) -> pl.Expr:
    """Whether a line enters a party in a hub from anywhere but the target (a leg of its importer)."""
    return pl.col("importer_country").is_in(hubs) & (pl.col("exporter_country").fill_null("") != target)


def outbound_leg(hubs: Sequence[str], target: str) -> pl.Expr:
    """Whether a line leaves a party in a hub for another hub or the target (a leg of its exporter)."""
    return (
        pl.col("exporter_country").is_in(hubs)
        & pl.col("importer_country").is_in([*hubs, target])
        & (pl.col("exporter_party") != pl.col("importer_party"))
    )


def _paths(links: pl.DataFrame, lines: pl.DataFrame, target: str, max_hops: int) -> pl.DataFrame:
    """Follow links back from every leg into the target: one row per path, legs first to last."""
    to_target = lines.select(pl.col("__k").filter(pl.col("importer_country") == target).alias("out_key"))
    qty = lines.select(pl.col("__k").alias("in_key"), pl.col("quantity").alias("in_quantity"))
    numbered = links.with_row_index("link").with_columns(pl.col("link").cast(pl.Int64))
    paths = numbered.join(to_target, on="out_key", how="semi").select(
        pl.concat_list("in_key", "out_key").alias("legs"),
        pl.concat_list("link").alias("links"),
        pl.col("quantity").alias("share"),  # quantity that flowed along the whole path
    )
    done = []
    upstream = numbered.select("link", pl.col("out_key").alias("first"), "in_key", pl.col("quantity").alias("up_qty"))
    for _ in range(max_hops - 2):
        paths = paths.with_columns(pl.col("legs").list.first().alias("first"))
        extended = (
            paths.join(upstream, on="first", how="inner")
            .join(qty.rename({"in_key": "first", "in_quantity": "first_qty"}), on="first", how="left")
            .filter(~pl.col("legs").list.contains(pl.col("in_key")))
        )
        ends = paths.join(extended.select("first").unique(), on="first", how="anti")
        done.append(ends.drop("first"))
        paths = extended.select(
            pl.concat_list(pl.col("in_key"), pl.col("legs")).alias("legs"),
            pl.concat_list(pl.col("link"), pl.col("links")).alias("links"),
            (pl.col("share") * pl.col("up_qty") / pl.col("first_qty")).alias("share"),
        )
    done.append(paths.drop("first", strict=False))
    return pl.concat(done)


_PATHS_PER_SLICE = 250_000

_LINE_INFO = (
    "shipment_id",
    "source",
    "source_row",
    "date",
    "__hs6",
    "exporter_country",
    "importer_country",
    "exporter_party",
    "importer_party",
    "exporter_by",
    "importer_by",
    "quantity",
    "value_usd",
    "__item",
)
_SIDE_INFO = ("shipment_id", "source", "source_row", "date", "quantity", "value_usd")


@dataclass(frozen=True)
class _Lookup:
    """What describing paths reads, built once for all slices: rows are fetched by position, not joined."""

    lines: pl.DataFrame  # the line columns chains report, in input order
    row_of: pl.Series  # the row in ``lines`` of each line key (``__k``)
    links: pl.DataFrame  # the allocation's links in link order, with the share of their outbound leg covered
    names: pl.DataFrame  # party_id, name

    def line_rows(self, keys: pl.Series, columns: Sequence[str] = _LINE_INFO) -> pl.DataFrame:
        """The lines of ``keys``, in that order."""
        return self.lines.select(columns).gather(self.row_of.gather(keys))


def _describe_in_slices(
    paths: pl.DataFrame, allocation: Allocation, lines: pl.DataFrame, parties: pl.DataFrame, window_days: int
) -> tuple[list[pl.DataFrame], list[pl.DataFrame]]:
    """:func:`_describe` a slice of paths at a time, so that its working memory stays bounded.

    Returns the chains and the links of each slice.
    """
    covered = allocation.outflow.select(
        "out_key", (pl.col("allocated") / pl.col("requested")).clip(0.0, 1.0).alias("covered")
    )
    lookup = _Lookup(
        lines=lines.select(_LINE_INFO),
        row_of=lines["__k"].arg_sort(),  # __k is a permutation of the rows: its inverse finds them
        links=allocation.links.join(covered, on="out_key", how="left", maintain_order="left"),
        names=parties.select("party_id", "name"),
    )
    chain_parts: list[pl.DataFrame] = []
    link_parts: list[pl.DataFrame] = []
    for start in range(0, max(paths.height, 1), _PATHS_PER_SLICE):
        chains_of_slice, links_of_slice = _describe(paths.slice(start, _PATHS_PER_SLICE), start, lookup, window_days)
        chain_parts.append(chains_of_slice)
        link_parts.append(links_of_slice)
    return chain_parts, link_parts


def assemble(parts: list[ChainPart], settings: ChainSettings) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The chains, links and unexplained outflow of all parts, in their final order.

    A path found twice (the same shipment ids through different lines) is one chain: the path
    whose lines come first in ``(source, source_row)`` order is kept, with its links, whichever
    part found it. With a list, only chains whose own lines carry a listed good are kept. The parts
    are emptied as they are used: these are the largest frames :func:`chains` holds.
    """
    chain_frame = pl.concat([part.chains for part in parts], rechunk=False)
    link_frame = pl.concat([part.links for part in parts], rechunk=False)
    unexplained = pl.concat([part.unexplained for part in parts]).sort("party_id", "hs6")
    parts.clear()
    twice = chain_frame.select(pl.col("chain_id").is_duplicated().any()).item()
    if twice:
        chain_frame = _one_path_per_chain(chain_frame, link_frame)
    if settings.listed is not None:
        chain_frame = chain_frame.filter(pl.col("list_item").is_not_null())
    if twice or settings.listed is not None:
        link_frame = link_frame.join(chain_frame.select("__part", "path"), on=["__part", "path"], how="semi")
    chain_frame = chain_frame.drop("__part", "path")  # the frame with them is let go: its columns can be freed
    chain_frame = _sorted_column_by_column(chain_frame, ["first_date", "route", "chain_id"])
    link_frame = link_frame.drop("__part", "path")
    link_frame = _sorted_column_by_column(link_frame, ["chain_id", "hop"])
    return chain_frame, link_frame, unexplained


def _sorted_column_by_column(frame: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """``frame`` sorted by the (unique) keys ``by``, one column moved at a time.

    A plain sort holds the frame twice at its peak; here each column is freed as soon as its
    sorted copy is made, which matters for the largest frames chains returns.
    """
    order = frame.select(pl.arg_sort_by(by)).to_series()
    names = frame.columns
    sorted_columns = {}
    for name in names:
        sorted_columns[name] = frame.drop_in_place(name).gather(order)
    return pl.DataFrame(sorted_columns)


def _one_path_per_chain(chain_frame: pl.DataFrame, link_frame: pl.DataFrame) -> pl.DataFrame:
    """Of the paths with one chain id, the one whose lines come first in ``(source, source_row)`` order."""
    twice = chain_frame.filter(pl.col("chain_id").is_duplicated()).select("chain_id", "__part", "path")
    lines = (
        link_frame.join(twice, on=["__part", "path"], how="semi")
        .sort("__part", "path", "hop")
        .group_by("__part", "path", maintain_order=True)
        .agg(
            pl.concat_list(pl.col("inbound_source"), pl.col("outbound_source").last()).alias("__sources"),
            pl.concat_list(pl.col("inbound_source_row"), pl.col("outbound_source_row").last()).alias("__rows"),
        )
    )
    first = (
        twice.join(lines, on=["__part", "path"], how="left")
        .sort("chain_id", "__sources", "__rows", "__part", "path")
        .unique("chain_id", keep="first", maintain_order=True)
    )
    dropped = twice.join(first, on=["__part", "path"], how="anti")
    return chain_frame.join(dropped, on=["__part", "path"], how="anti", maintain_order="left")


def _describe(paths: pl.DataFrame, offset: int, lookup: _Lookup, window_days: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Chains and their links for ``paths`` (numbered from ``offset``), both with a ``path`` column."""
    numbered = paths.with_row_index("path", offset=offset).with_columns(pl.col("path").cast(pl.Int64))
    legs = numbered.select("path", "legs", "share").explode("legs")  # in path order, first leg first
    legs = pl.concat([legs, lookup.line_rows(legs["legs"])], how="horizontal")
    ids = legs.group_by("path", maintain_order=True).agg(
        pl.col("shipment_id").alias("shipment_ids"),
        pl.col("exporter_country").first().alias("origin"),
        pl.col("importer_country").alias("countries"),
        pl.col("exporter_party").first().alias("first_party"),
        pl.col("importer_party").alias("next_parties"),
        pl.col("date").min().alias("first_date"),
        pl.col("date").max().alias("last_date"),
        pl.col("__hs6").first().alias("hs6"),
        pl.col("quantity").last().alias("final_quantity"),
        pl.col("value_usd").last().alias("final_value"),
        stable_mean((_side_score("exporter_by") + _side_score("importer_by")) * 0.5).alias("id_share"),
        pl.col("share").first().alias("quantity"),
        pl.len().alias("legs"),
        pl.col("__item").drop_nulls().sort().first().alias("list_item"),  # the first item its lines carry
    )
    ids = ids.with_columns(
        pl.concat_str(pl.col("origin"), pl.lit(">"), pl.col("countries").list.join(">")).alias("route"),
        pl.concat_list(pl.col("first_party"), pl.col("next_parties")).alias("parties"),
        (pl.col("final_value") * pl.col("quantity") / pl.col("final_quantity")).alias("value_usd"),
        pl.col("id_share").alias("score_identifiers"),
    )
    link_rows = (
        numbered.select("path", "links", "share")
        .with_columns(pl.int_ranges(1, pl.col("links").list.len() + 1).alias("hop"))
        .explode("links", "hop")
    )
    link_rows = pl.concat([link_rows, lookup.links.gather(link_rows["links"])], how="horizontal")
    scores = link_rows.group_by("path").agg(
        pl.col("product_score").min().alias("score_product"),
        # times a number, never divided by one: polars divides a long column through the inverse and
        # a short one exactly, and a partitioned run must not differ from a whole one in the last bit
        (1.0 - pl.col("gap_days") * (0.5 / max(window_days, 1))).clip(0.0, 1.0).min().alias("score_time"),
        pl.col("covered").min().alias("score_quantity"),
    )
    weights = SCORE_WEIGHTS
    joined = ids["shipment_ids"].list.join("|").to_list()
    ids = ids.with_columns(pl.Series("chain_id", [_digest(text) for text in joined], dtype=pl.String))
    party_names = (
        ids.select("path", "parties")
        .with_columns(pl.int_ranges(0, pl.col("parties").list.len()).alias("position"))
        .explode("parties", "position")
        .join(lookup.names, left_on="parties", right_on="party_id", how="left")
        .sort("path", "position")
        .group_by("path", maintain_order=True)
        .agg(pl.col("name").alias("party_names"))
    )
    chain_frame = (
        ids.join(scores, on="path", how="left")
        .join(party_names, on="path", how="left")
        .with_columns(
            (
                weights["identifiers"] * pl.col("score_identifiers")
                + weights["product"] * pl.col("score_product")
                + weights["time"] * pl.col("score_time")
                + weights["quantity"] * pl.col("score_quantity")
            )
            .clip(0.0, 1.0)
            .round(4)
            .alias("score"),
        )
        .select(
            "path",
            "chain_id",
            "route",
            pl.col("legs").cast(pl.Int32),
            "parties",
            "party_names",
            "hs6",
            "first_date",
            "last_date",
            pl.col("quantity").round(6),
            pl.col("value_usd").round(2),
            "score",
            pl.col("score_identifiers").round(4),
            pl.col("score_product").round(4),
            pl.col("score_time").round(4),
            pl.col("score_quantity").round(4),
            "shipment_ids",
            "list_item",
        )
    )
    sides = [
        lookup.line_rows(link_rows[f"{side}_key"], _SIDE_INFO).select(pl.all().name.prefix(f"{side}bound_"))
        for side in ("in", "out")
    ]
    link_frame = (
        pl.concat([link_rows, *sides], how="horizontal")
        .join(chain_frame.select("path", "chain_id"), on="path", how="inner", maintain_order="left")
        .with_columns(
            (pl.col("share") * pl.col("outbound_value_usd") / pl.col("outbound_quantity")).round(2).alias("value_usd")
        )
        .select(
            "path",
            "chain_id",
            pl.col("hop").cast(pl.Int32),
            pl.col("party").alias("party_id"),
            "inbound_shipment_id",
            "inbound_source",
            "inbound_source_row",
            "inbound_date",
            "outbound_shipment_id",
            "outbound_source",
            "outbound_source_row",
            "outbound_date",
            "gap_days",
            pl.col("share").round(6).alias("quantity"),
            "value_usd",
            "product_evidence",
            "product_score",
        )
    )
    return chain_frame, link_frame


def _side_score(column: str) -> pl.Expr:
    """How firmly a side was resolved: its own identifier 1, a name tied to one identifier 0.75, a name 0.5."""
    return pl.col(column).replace_strict({"id": 1.0, "name+id": 0.75}, default=0.5, return_dtype=pl.Float64)


def warn_missing_side(directions: frozenset[str], lines: int, settings: ChainSettings, *, stacklevel: int = 4) -> None:
    """Chains need records into the hubs and records out of them: name the side that is missing.

    ``directions``: the leg directions seen (``in``, ``out``) over all lines; ``lines``: how many.
    """
    if not lines:
        return
    into, out_of = "in" in directions, "out" in directions
    if into and out_of:
        return
    hub_text, target = ", ".join(settings.hubs), settings.target
    missing = (
        f"no record enters a hub ({hub_text}) from outside {target}"
        if not into
        else f"no record leaves a hub ({hub_text}) for {target} or another hub"
    )
    if not into and not out_of:
        missing = f"no record enters or leaves a hub ({hub_text})"
    warnings.warn(
        f"chains: {missing}, so no chain can be found; trace the extracts of both sides together",
        DualuseWarning,
        stacklevel=stacklevel,  # the caller of chains() (behind the @delivers wrapper)
    )


def _unexplained(allocation: Allocation, legs: pl.DataFrame) -> pl.DataFrame:
    outflow = allocation.outflow
    # what is known of each outbound leg, from the legs (far fewer than the lines)
    info = (
        legs.lazy()
        .filter(pl.col("direction") == "out")
        .select(pl.col("key").alias("out_key"), "hs6", "value_usd", "date")
        .collect()
    )
    inflow = (
        legs.lazy()  # lazy, so that only these columns are filtered
        .filter(pl.col("direction") == "in")
        .group_by("party", "hs6")
        .agg(stable_sum(pl.col("quantity")).alias("inflow_quantity"))
        .collect()
    )
    result: pl.DataFrame = (
        outflow.join(info, on="out_key", how="left", maintain_order="left")
        .with_columns((pl.col("requested") - pl.col("allocated")).clip(0.0).alias("unexplained"))
        .group_by("party", "hs6")
        .agg(
            pl.len().alias("outbound_shipments"),
            stable_sum(pl.col("requested")).alias("outflow_quantity"),
            stable_sum(pl.col("allocated")).alias("allocated_quantity"),
            stable_sum(pl.col("unexplained")).alias("unexplained_quantity"),
            stable_sum(pl.col("value_usd")).alias("outflow_value_usd"),
            stable_sum((pl.col("value_usd") * pl.col("unexplained") / pl.col("requested")).fill_nan(None)).alias(
                "unexplained_value_usd"
            ),
            pl.col("date").min().alias("first_date"),
            pl.col("date").max().alias("last_date"),
        )
        .join(inflow, on=["party", "hs6"], how="left")
        .with_columns(pl.col("inflow_quantity").fill_null(0.0), pl.col("unexplained_value_usd").round(2))
        .rename({"party": "party_id"})
        .sort("party_id", "hs6")
    )
    return result
