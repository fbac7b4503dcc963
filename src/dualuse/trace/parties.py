"""Party resolution inside shipment data: one ``party_id`` per company, whatever its spelling or script.

A side (exporter or importer) of a record is keyed by its identifier when it has one (INN, BIN, a tax
id: ``exporter_id`` / ``importer_id``), else by its normalised name (:func:`dualuse.screening.normalize_names`,
the library's one normaliser, with spaces removed so that ``Altyn-Trade`` meets ``Altyn Trade``), always
within its country. A name that appears with exactly one identifier in the data joins that
identifier's party; a name seen with several identifiers is ambiguous and stays a party of its own
(identifiers first: names never merge two identifiers). Then a party known only by a name joins the
party it is a cross-script, translated or re-spelled variant of, when the screening matcher scores
the two at least ``fuzzy`` and nothing contradicts (:mod:`dualuse.trace.fuzzy`: each member of a
merged party matches its core directly, never through a chain of weak links). ``party_id`` is a
digest of the key, so it does not depend on row order.

Examples:
    >>> import polars as pl
    >>> sides = pl.DataFrame({"exporter_name": ["Altyn Trade LLP", "ТОО «Алтын Трейд»", "ALTYN TRADE, TOO"],
    ...     "exporter_country": ["KZ"] * 3, "exporter_id": ["123456789012", "123456789012", None],
    ...     "importer_name": ["A", "B", "C"], "importer_country": ["RU"] * 3, "importer_id": [None] * 3})
    >>> resolved = resolve_parties(sides)
    >>> resolved.shipments["exporter_party"].n_unique(), resolved.parties.filter(pl.col("country") == "KZ")["name"].item()
    (1, 'ALTYN TRADE, TOO')
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import polars as pl

from dualuse.display import Frames, short_repr
from dualuse.errors import SchemaError
from dualuse.screening.normalize import normalize_names
from dualuse.trace.fuzzy import FUZZY_THRESHOLD, fuzzy_merges

__all__ = [
    "ID_SCHEMES",
    "Resolution",
    "ResolvedParties",
    "add_spellings",
    "assign_parties",
    "count_spellings",
    "match_parties",
    "parties_table",
    "party_key_id",
    "resolve_parties",
    "resolve_spellings",
]

ID_SCHEMES: dict[str, str] = {"RU": "INN", "KZ": "BIN", "KG": "INN", "BY": "UNP", "CN": "USCC"}
"""The usual identifier scheme of a company in each country (``TAX_ID`` elsewhere)."""

_SIDES = ("exporter", "importer")


@dataclass(frozen=True, repr=False)
class ResolvedParties(Frames):
    """``shipments`` with ``exporter_party``, ``importer_party`` and how each was resolved added; ``parties``.

    ``exporter_by``/``importer_by``: ``id`` (the line's own identifier), ``name+id`` (a name
    seen with exactly one identifier elsewhere), ``name`` or ``fuzzy`` (a variant of another
    party's name, see :mod:`dualuse.trace.fuzzy`).

    ``parties``: ``party_id, name`` (the most frequent spelling), ``aliases`` (the others),
    ``country``, ``identifiers`` (list of ``{scheme, value}``), ``resolved_by`` (``id``,
    ``name``, or ``fuzzy`` when a spelling joined by a fuzzy match), ``match_score`` (the lowest
    score by which a spelling joined; 1.0 when none joined by a fuzzy match) and ``records``.
    """

    shipments: pl.DataFrame
    parties: pl.DataFrame

    def frames(self) -> dict[str, pl.DataFrame]:
        """``shipments`` and ``parties`` by name."""
        return {"shipments": self.shipments, "parties": self.parties}

    def __repr__(self) -> str:
        return short_repr("ResolvedParties", shipments=self.shipments.height, parties=self.parties.height)


def party_key_id(key: str) -> str:
    """The stable ``party_id`` of a resolution key.

    Examples:
        >>> party_key_id("id:KZ:123456789012")
        'p-2c20e2158390a58f'
    """
    return "p-" + hashlib.sha1(key.encode()).hexdigest()[:16]


def _tokens() -> pl.Expr:
    """An ASCII name's tokens as the normaliser splits them (other names unchanged).

    Lower case, apostrophes and hyphens joined, other punctuation a space: the normaliser's text
    depends only on these tokens, so names that agree here need normalising once. Names with
    dotted abbreviations (``L.L.C.``) or non-ASCII letters keep their own spelling.
    """
    name = pl.col("name")
    plain = name.str.contains(r"^[\x00-\x7f]*$") & ~name.str.contains(r"\b(?:\w\.){2,}")
    tokens = name.str.to_lowercase().str.replace_all(r"['`\-]", "").str.replace_all(r"[\W_]+", " ").str.strip_chars()
    return pl.when(plain).then(tokens).otherwise(name)


def _clean_id(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.String).str.to_uppercase().str.replace_all(r"[^0-9A-Z]", "")


def resolve_parties(shipments: pl.DataFrame, *, fuzzy: float | None = FUZZY_THRESHOLD) -> ResolvedParties:
    """Group the exporter and importer sides of ``shipments`` into parties (see the module documentation).

    ``fuzzy``: the score at which a name-only party joins another (``None``: exact names only).

    Examples:
        >>> frame = pl.DataFrame({"exporter_name": ["Orion Tech LLC", "ОсОО «Орион Тех»"], "exporter_country": ["KG", "KG"],
        ...     "exporter_id": ["0150", "0150"], "importer_name": ["Vega LLC", "VEGA, OOO"],
        ...     "importer_country": ["RU", "RU"], "importer_id": [None, None]})
        >>> resolve_parties(frame).parties.select("name", "country", "resolved_by", "records").sort("country").rows()
        [('Orion Tech LLC', 'KG', 'id', 2), ('VEGA, OOO', 'RU', 'name', 2)]
    """
    resolution = resolve_spellings(count_spellings(shipments), fuzzy=fuzzy)
    out, orphans = assign_parties(shipments, resolution)
    return ResolvedParties(shipments=out, parties=parties_table(resolution, [orphans]))


@dataclass(frozen=True)
class Resolution:
    """What resolution decided for each distinct spelling: the input of :func:`assign_parties`.

    ``lookup``: ``name, country, raw_id -> party_id, by``; ``sides``: the weighted rows the
    parties table is built from (:func:`parties_table`).
    """

    lookup: pl.DataFrame
    sides: pl.DataFrame


def _sides(shipments: pl.DataFrame) -> list[pl.DataFrame]:
    needed = [f"{side}_{part}" for side in _SIDES for part in ("name", "country", "id")]
    missing = [c for c in needed if c not in shipments.columns]
    if missing:
        raise SchemaError(f"shipments: missing column(s) {', '.join(missing)} needed to resolve parties")
    return [
        shipments.select(
            pl.col(f"{side}_name").cast(pl.String).alias("name"),
            pl.col(f"{side}_country").cast(pl.String).fill_null("").alias("country"),
            pl.col(f"{side}_id").cast(pl.String).alias("raw_id"),
        )
        for side in _SIDES
    ]


def count_spellings(shipments: pl.DataFrame) -> pl.DataFrame:
    """``name, country, raw_id, n``: each distinct spelling of either side and how many sides carry it.

    Counts of several chunks of one table add up (:func:`add_spellings`) to the counts of the whole.
    """
    # every decision depends only on (name, country, id): take it once per distinct spelling
    return add_spellings(
        [frame.group_by("name", "country", "raw_id").agg(pl.len().alias("n")) for frame in _sides(shipments)]
    )


def add_spellings(counts: list[pl.DataFrame]) -> pl.DataFrame:
    """The spellings of several :func:`count_spellings` results, their counts added."""
    return pl.concat(counts).group_by("name", "country", "raw_id").agg(pl.col("n").sum())


def resolve_spellings(spellings: pl.DataFrame, *, fuzzy: float | None = FUZZY_THRESHOLD) -> Resolution:
    """Decide the party of every spelling of :func:`count_spellings` (identifiers, names, fuzzy names)."""
    combos = _merge_fuzzy(_resolve_combos(spellings), fuzzy)
    combos = combos.with_columns(_party_ids(combos["key"]))
    lookup = combos.filter(pl.col("key").is_not_null()).select("name", "country", "raw_id", "party_id", "by")
    sides = combos.filter(pl.col("party_id").is_not_null()).select(*_WEIGHTED)
    return Resolution(lookup=lookup, sides=sides)


_WEIGHTED = ("party_id", "name", "country", "id", "by", "n", "score")


def assign_parties(shipments: pl.DataFrame, resolution: Resolution) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``shipments`` with ``exporter_party``/``importer_party`` and ``*_by``, and the orphan sides.

    An orphan side has neither identifier nor usable name: it is a party of its own, keyed by its
    record (``source:source_row:shipment_id``), so the same line gets the same party in any chunk.
    """
    columns: dict[str, pl.Series] = {}
    orphan_frames: list[pl.DataFrame] = []
    for side, frame in zip(_SIDES, _sides(shipments), strict=True):
        found = frame.join(
            resolution.lookup, on=["name", "country", "raw_id"], how="left", nulls_equal=True, maintain_order="left"
        )
        lines = found.select(pl.col("party_id").is_null().arg_true()).to_series()
        if lines.len():  # a side with neither identifier nor usable name is a party of its own
            orphans = frame[lines].with_columns(
                pl.lit(None, pl.String).alias("id"),
                pl.lit("name").alias("by"),
                pl.lit(1, pl.UInt32).alias("n"),
                pl.lit(1.0).alias("score"),
                _party_ids(("row:" + side + ":" + _record_names(shipments, lines)).alias("key")),
            )
            orphan_frames.append(orphans.select(*_WEIGHTED))
            found = found.with_columns(found["party_id"].scatter(lines, orphans["party_id"]))
        columns[f"{side}_party"] = found["party_id"]
        columns[f"{side}_by"] = found["by"].fill_null("name")
    empty = resolution.sides.clear()
    return shipments.with_columns(**columns), pl.concat([empty, *orphan_frames], how="vertical_relaxed")


def parties_table(resolution: Resolution, orphans: list[pl.DataFrame]) -> pl.DataFrame:
    """The parties table of a resolution and the orphan sides of :func:`assign_parties` (of every chunk)."""
    return _party_frame(pl.concat([resolution.sides, *orphans], how="vertical_relaxed"))


def _record_names(shipments: pl.DataFrame, lines: pl.Series) -> pl.Series:
    """``source:source_row:shipment_id`` of ``lines`` (the columns the table has), else their positions.

    An orphan side is keyed by its record, so that its party does not depend on row order.
    """
    record = [c for c in ("source", "source_row", "shipment_id") if c in shipments.columns]
    if not record:
        return lines.cast(pl.String)
    return shipments.select(record)[lines].select(pl.concat_str(pl.all().cast(pl.String), separator=":")).to_series()


def _party_ids(keys: pl.Series) -> pl.Series:
    """``party_id`` for each key (null stays null), each distinct key digested once."""
    distinct = keys.drop_nulls().unique()
    digests = pl.Series([party_key_id(key) for key in distinct.to_list()], dtype=pl.String)
    return keys.replace_strict(distinct, digests, default=None, return_dtype=pl.String).alias("party_id")


def _resolve_combos(combos: pl.DataFrame) -> pl.DataFrame:
    """``key`` (null: no identifier and no usable name) and ``by`` of each distinct (name, country, id)."""
    combos = combos.with_columns(_clean_id("raw_id").alias("id")).with_columns(
        pl.when(pl.col("id") == "").then(None).otherwise(pl.col("id")).alias("id")
    )
    # spellings with the same tokens normalise alike: normalise each distinct token sequence once
    names = combos.select(pl.col("name").unique().drop_nulls()).with_columns(_tokens().alias("tokens"))
    distinct = names["tokens"].unique()
    normal = normalize_names(distinct)
    texts = pl.DataFrame({"tokens": distinct, "name_key": normal.str.replace_all(" ", ""), "name_text": normal})
    lookup = names.join(texts, on="tokens", how="left").select("name", "name_key", "name_text")
    combos = combos.join(lookup, on="name", how="left").with_columns(
        pl.when(pl.col("id").is_not_null()).then(pl.format("id:{}:{}", "country", "id")).alias("id_key"),
        pl.when(pl.col("name_key").is_not_null() & (pl.col("name_key") != ""))
        .then(pl.format("name:{}:{}", "country", "name_key"))
        .alias("name_only_key"),
    )
    # a name seen with exactly one identifier joins that identifier's party
    adopt = (
        combos.filter(pl.col("id_key").is_not_null(), pl.col("name_only_key").is_not_null())
        .group_by("name_only_key")
        .agg(pl.col("id_key").unique().alias("ids"))
        .filter(pl.col("ids").list.len() == 1)
        .select("name_only_key", pl.col("ids").list.first().alias("adopted"))
    )
    return combos.join(adopt, on="name_only_key", how="left").with_columns(
        pl.coalesce("id_key", "adopted", "name_only_key").alias("key"),
        pl.when(pl.col("id_key").is_not_null())
        .then(pl.lit("id"))
        .when(pl.col("adopted").is_not_null())
        .then(pl.lit("name+id"))
        .otherwise(pl.lit("name"))
        .alias("by"),
    )


def _merge_fuzzy(combos: pl.DataFrame, threshold: float | None) -> pl.DataFrame:
    """Re-key the name-only parties that :func:`dualuse.trace.fuzzy.fuzzy_merges` joins to another party."""
    combos = combos.with_columns(pl.lit(1.0).alias("score"))
    if threshold is None:
        return combos
    parties = combos.filter(pl.col("key").is_not_null()).select("key", "country", "name", "name_text", "n")
    merges = fuzzy_merges(parties, threshold=threshold)
    if merges.is_empty():
        return combos
    joined = combos.join(merges, on="key", how="left", suffix="_fuzzy")
    return joined.with_columns(
        pl.coalesce("core", "key").alias("key"),
        pl.when(pl.col("core").is_not_null()).then(pl.lit("fuzzy")).otherwise(pl.col("by")).alias("by"),
        pl.coalesce("score_fuzzy", "score").alias("score"),
    ).drop("core", "score_fuzzy")


def _party_frame(sides: pl.DataFrame) -> pl.DataFrame:
    """The parties table from ``sides``: ``party_id, name, country, id, by`` and ``n``, the records of that row."""
    spellings = (
        sides.filter(pl.col("name").is_not_null())
        .group_by("party_id", "name")
        .agg(pl.col("n").sum())
        .sort("party_id", "n", "name", descending=[False, True, False])
        .group_by("party_id", maintain_order=True)
        .agg(pl.col("name").first().alias("name"), pl.col("name").slice(1).alias("aliases"))
    )
    ids = (
        sides.filter(pl.col("id").is_not_null())
        .select("party_id", "country", "id")
        .unique()
        .sort("party_id", "id")
        .with_columns(
            pl.struct(
                pl.col("country").replace_strict(ID_SCHEMES, default="TAX_ID", return_dtype=pl.String).alias("scheme"),
                pl.col("id").alias("value"),
            ).alias("identifier")
        )
        .group_by("party_id", maintain_order=True)
        .agg(pl.col("identifier").alias("identifiers"))
    )
    countries = (  # the most frequent country, the first in order among equals
        sides.group_by("party_id", "country")
        .agg(pl.col("n").sum())
        .sort("party_id", "n", "country", descending=[False, True, False])
        .group_by("party_id", maintain_order=True)
        .agg(pl.col("country").first())
    )
    base = sides.group_by("party_id").agg(
        pl.when((pl.col("by") == "fuzzy").any())
        .then(pl.lit("fuzzy"))
        .when((pl.col("by") != "name").any())
        .then(pl.lit("id"))
        .otherwise(pl.lit("name"))
        .alias("resolved_by"),
        pl.col("score").min().alias("match_score"),
        pl.col("n").sum().cast(pl.UInt32).alias("records"),
    )
    empty_ids = pl.lit([], pl.List(pl.Struct({"scheme": pl.String, "value": pl.String})))
    return (
        base.join(countries, on="party_id", how="left")
        .join(spellings, on="party_id", how="left")
        .join(ids, on="party_id", how="left")
        .with_columns(
            pl.col("identifiers").fill_null(empty_ids),
            pl.col("aliases").fill_null(pl.lit([], pl.List(pl.String))),
            pl.when(pl.col("country") == "").then(None).otherwise(pl.col("country")).alias("country"),
        )
        .select("party_id", "name", "aliases", "country", "identifiers", "resolved_by", "match_score", "records")
        .sort("party_id")
    )


def _identifier_values(frame: pl.DataFrame) -> pl.Expr:
    if "identifiers" in frame.columns:
        return pl.col("identifiers").list.eval(
            pl.element().struct.field("value").str.to_uppercase().str.replace_all(r"[^0-9A-Z]", "")
        )
    if "identifier" in frame.columns:
        return pl.concat_list(pl.col("identifier").cast(pl.String).str.to_uppercase().str.replace_all(r"[^0-9A-Z]", ""))
    return pl.lit([], pl.List(pl.String))


def match_parties(parties: pl.DataFrame, other: pl.DataFrame) -> pl.DataFrame:
    """Pairs ``(party_id, __other)``: which rows of ``other`` (0-based) name which of our ``parties``.

    ``other`` needs ``name``; ``identifiers`` (list of ``{scheme, value}``) or ``identifier`` and
    ``country`` are used when present. Identifiers first; a party matched by identifier is not
    matched again by name; names match on their normalised form within a country.

    Examples:
        >>> ours = pl.DataFrame({"party_id": ["p1"], "name": ["Altyn Trade LLP"], "country": ["KZ"],
        ...     "identifiers": [[{"scheme": "BIN", "value": "1"}]]})
        >>> match_parties(ours, pl.DataFrame({"name": ["ТОО «Алтын Трейд»", "ALTYN TRADE, TOO"]})).rows()
        [('p1', 1)]
    """
    if "name" not in other.columns:
        raise SchemaError("a 'name' column is required to match parties")
    other = other.with_row_index("__other")
    ours = parties.select("party_id", _identifier_values(parties).alias("ids"), "name", "country")
    by_id = (
        ours.explode("ids")
        .filter(pl.col("ids").is_not_null())
        .join(
            other.select("__other", _identifier_values(other).alias("ids")).explode("ids").filter(pl.col("ids") != ""),
            on="ids",
        )
        .select("party_id", "__other")
    )
    names = pl.concat([ours["name"], other["name"].cast(pl.String)]).unique().drop_nulls()
    normal = pl.DataFrame({"name": names, "key": normalize_names(names).str.replace_all(" ", "")})
    ours_named = ours.join(normal, on="name").filter(pl.col("key") != "")
    other_country = pl.col("country") if "country" in other.columns else pl.lit(None, pl.String)
    other_named = other.select("__other", pl.col("name").cast(pl.String), other_country.alias("other_country")).join(
        normal, on="name"
    )
    by_name = (
        ours_named.join(other_named, on="key")
        .filter(
            pl.col("other_country").is_null()
            | pl.col("country").is_null()
            | (pl.col("country") == pl.col("other_country"))
        )
        .select("party_id", "__other")
    )
    # a party matched by identifier is not matched again by name to another entry
    by_name = by_name.join(by_id.select("party_id"), on="party_id", how="anti")
    return pl.concat([by_id, by_name]).unique().sort("party_id", "__other")
