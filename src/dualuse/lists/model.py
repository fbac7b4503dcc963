"""The :class:`DualUseList` model, vectorised matching and diffs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, field_validator

from dualuse.display import html_card, short_repr
from dualuse.hs.code import HSCode

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["DualUseList", "ListDiff", "ListItem", "ListVersion", "combine", "diff"]


class ListItem(BaseModel):
    """One entry of a list: an HS code prefix (chapter, heading, HS6 or national) and its tier."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    tier: str | None = None
    description: str = ""
    added: dt.date | None = None
    added_inferred: bool = False
    hs2017: tuple[str, ...] = ()
    best_practices: bool = False
    note: str = ""
    source: str = ""

    @field_validator("code")
    @classmethod
    def _digits(cls, value: str) -> str:
        return HSCode.parse(value).digits

    @field_validator("hs2017")
    @classmethod
    def _digits_all(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(HSCode.parse(v).digits for v in value)


class ListVersion(BaseModel):
    """A dated version of a list; ``excludes`` names the items it did not yet have."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str
    published: dt.date | None = None
    note: str = ""
    excludes: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.version


class DualUseList(BaseModel):
    """A list of dual-use goods as HS code prefixes, in one version.

    ``match`` works on a whole column of codes at once; ``lookup`` answers for one code.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    title: str = ""
    version: ListVersion = Field(default_factory=lambda: ListVersion(version="1"))
    hs_version: str = "HS2022"
    source: str = ""
    tiers: dict[str, str] = Field(default_factory=dict)
    items: tuple[ListItem, ...] = ()

    def __len__(self) -> int:
        return len(self.items)

    def __repr__(self) -> str:
        return short_repr("DualUseList", self.name, version=self.version.version, items=len(self.items))

    __str__ = __repr__

    def _repr_html_(self) -> str:
        tiers = self.to_frame().group_by("tier").len().sort("tier")
        facts = [
            (
                "version",
                f"{self.version.version}" + (f", published {self.version.published}" if self.version.published else ""),
            ),
            ("items", f"{len(self.items)} ({self.hs_version})"),
            ("tiers", ", ".join(f"{t or 'none'}: {n}" for t, n in tiers.iter_rows())),
            ("source", self.source),
        ]
        return html_card(self.title or self.name, facts, {"items": self.to_frame()})

    def to_pandas(self) -> pd.DataFrame:
        """The items as a pandas DataFrame (one row per item; needs pandas installed).

        Examples:
            >>> from dualuse import lists
            >>> lists.get("chpl", version="2023").to_pandas().shape
            (45, 7)
        """
        return self.to_frame().to_pandas()

    def to_arrow(self) -> pa.Table:
        """The items as a pyarrow Table.

        Examples:
            >>> from dualuse import lists
            >>> lists.get("chpl").to_arrow().num_rows
            50
        """
        return self.to_frame().to_arrow()

    def codes(self) -> list[str]:
        """The item codes, in list order."""
        return [i.code for i in self.items]

    def to_frame(self) -> pl.DataFrame:
        """The items as a frame (one row per item).

        Examples:
            >>> from dualuse import lists
            >>> lists.get("chpl").to_frame().filter(pl.col("tier") == "Tier 1").height
            4
        """
        return pl.DataFrame(
            [
                {
                    "code": i.code,
                    "tier": i.tier,
                    "description": i.description,
                    "added": i.added,
                    "added_inferred": i.added_inferred,
                    "hs2017": list(i.hs2017),
                    "note": i.note,
                }
                for i in self.items
            ],
            schema={
                "code": pl.String,
                "tier": pl.String,
                "description": pl.String,
                "added": pl.Date,
                "added_inferred": pl.Boolean,
                "hs2017": pl.List(pl.String),
                "note": pl.String,
            },
            orient="row",
        )

    def _prefixes(self) -> pl.DataFrame:
        rows = []
        for i in self.items:
            rows.append((i.code, i.code, self.hs_version))
            rows.extend((p, i.code, "HS2017") for p in i.hs2017 if self.hs_version != "HS2017")
        return pl.DataFrame(
            rows, schema={"prefix": pl.String, "item": pl.String, "matched_on": pl.String}, orient="row"
        )

    def match(self, codes: pl.Series | Sequence[str], *, hs_version: str | None = None) -> pl.DataFrame:
        """Match a column of codes (6 to 10 digits, either HS version) to the items they fall under.

        Returns one row per input code, in input order: ``code``, ``item`` (null if none),
        ``tier``, ``matched_on`` (the HS version of the prefix that matched; a match through an
        HS-2017 equivalent may be broader than the item). With ``hs_version`` only prefixes of that
        version are used; the longest matching prefix wins, then the list's own HS version; an
        HS-2017 code split across several items (8541.50 -> 8541.51, 8541.59) names the lowest.

        Examples:
            >>> from dualuse import lists
            >>> lists.get("chpl").match(["8542310000", "854150", "010121"]).rows()
            [('8542310000', '854231', 'Tier 1', 'HS2022'), ('854150', '854151', 'Tier 3.A', 'HS2017'), ('010121', None, None, None)]
        """
        series = codes if isinstance(codes, pl.Series) else pl.Series(list(codes), dtype=pl.String)
        frame = pl.DataFrame({"code": series.cast(pl.String)}).with_row_index("__row")
        prefixes = self._prefixes()
        if hs_version is not None:
            prefixes = prefixes.filter(pl.col("matched_on") == hs_version)
        hits = []
        for length in sorted(set(prefixes["prefix"].str.len_chars().to_list())):
            keyed = frame.with_columns(pl.col("code").str.slice(0, length).alias("prefix"))
            hits.append(
                keyed.filter(pl.col("code").str.len_chars() >= length)
                .join(prefixes.filter(pl.col("prefix").str.len_chars() == length), on="prefix")
                .with_columns(pl.lit(length).alias("__len"))
            )
        tiers = pl.DataFrame(
            {"item": [i.code for i in self.items], "tier": [i.tier for i in self.items]},
            schema={"item": pl.String, "tier": pl.String},
        )
        best = (
            pl.concat(hits)
            .sort("__row", "__len", "matched_on", "item", descending=[False, True, True, False])
            .unique("__row", keep="first", maintain_order=True)
            .select("__row", "item", "matched_on")
            if hits
            else pl.DataFrame(schema={"__row": pl.UInt32, "item": pl.String, "matched_on": pl.String})
        )
        return (
            frame.join(best, on="__row", how="left")
            .join(tiers, on="item", how="left")
            .sort("__row")
            .select("code", "item", "tier", "matched_on")
        )

    def lookup(self, code: str | int | HSCode) -> ListItem | None:
        """The item that ``code`` falls under, or ``None``.

        Examples:
            >>> from dualuse import lists
            >>> lists.get("chpl").lookup("8541.21.0000").added is None
            True
        """
        digits = HSCode.parse(code).digits
        found = self.match([digits])["item"][0]
        return next((i for i in self.items if i.code == found), None)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, (str, int, HSCode)) and self.lookup(code) is not None


@dataclass(frozen=True)
class ListDiff:
    """What changed between two lists: codes added, removed, and re-tiered."""

    added: tuple[ListItem, ...]
    removed: tuple[ListItem, ...]
    retiered: tuple[tuple[ListItem, ListItem], ...]

    def __repr__(self) -> str:
        return short_repr(
            "ListDiff",
            added=[i.code for i in self.added],
            removed=[i.code for i in self.removed],
            retiered=[a.code for a, _ in self.retiered],
        )

    def _repr_html_(self) -> str:
        return html_card("List changes", [("changes", str(self.to_frame().height))], {"changes": self.to_frame()})

    def to_frame(self) -> pl.DataFrame:
        """One row per change: ``change``, ``code``, ``tier_before``, ``tier_after``."""
        rows: list[tuple[str, str, str | None, str | None]] = [("added", i.code, None, i.tier) for i in self.added]
        rows += [("removed", i.code, i.tier, None) for i in self.removed]
        rows += [("retiered", a.code, a.tier, b.tier) for a, b in self.retiered]
        return pl.DataFrame(
            rows,
            schema={
                "change": pl.String,
                "code": pl.String,
                "tier_before": pl.String,
                "tier_after": pl.String,
            },
            orient="row",
        )


def diff(before: DualUseList, after: DualUseList) -> ListDiff:
    """Compare two lists (usually two versions of one).

    Examples:
        >>> from dualuse import lists
        >>> d = lists.diff(lists.get("chpl", version="2023"), lists.get("chpl", version="2024-02-23"))
        >>> [i.code for i in d.added]
        ['845710', '845811', '845891', '845961', '846693']
    """
    a = {i.code: i for i in before.items}
    b = {i.code: i for i in after.items}
    return ListDiff(
        added=tuple(b[c] for c in b if c not in a),
        removed=tuple(a[c] for c in a if c not in b),
        retiered=tuple((a[c], b[c]) for c in a if c in b and a[c].tier != b[c].tier),
    )


def combine(*parts: DualUseList) -> DualUseList:
    """Several lists as one, e.g. the CHPL and the drone list together.

    Items keep their own tiers; a code on more than one list is taken from the first. The
    combined list's name joins the parts' (``chpl+uav``) and its version names each part's
    version, so a report says exactly which lists it used.

    Examples:
        >>> from dualuse import lists
        >>> both = combine(lists.get("chpl"), lists.get("uav"))
        >>> both.name, str(both.version), both.lookup("8806.22").tier, both.lookup("8542.31").tier
        ('chpl+uav', 'chpl 2024-02-23, uav 2022', 'Unmanned aircraft', 'Tier 1')
    """
    if not parts:
        raise ValueError("combine: give at least one list")
    if len(parts) == 1:
        return parts[0]
    versions = {p.hs_version for p in parts}
    if len(versions) > 1:
        raise ValueError(f"combine: the lists use different HS versions ({', '.join(sorted(versions))})")
    items: dict[str, ListItem] = {}
    for part in parts:
        for item in part.items:
            items.setdefault(item.code, item)
    tiers: dict[str, str] = {}
    for part in parts:
        for key, text in part.tiers.items():
            tiers.setdefault(key, text)
    return DualUseList(
        name="+".join(p.name for p in parts),
        title=" + ".join(p.title or p.name for p in parts),
        version=ListVersion(version=", ".join(f"{p.name} {p.version}" for p in parts)),
        hs_version=parts[0].hs_version,
        source="; ".join(p.source for p in parts if p.source),
        tiers=tiers,
        items=tuple(items.values()),
    )
