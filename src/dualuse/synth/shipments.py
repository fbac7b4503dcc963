"""Seeded shipment scenarios: planted chains origin -> hub -> (hub) -> target, their ground truth, and noise.

Every company name is fictitious. The scenario is built with numpy and polars column operations,
so tens of millions of lines take seconds, not hours.

How the chains are planted. Each hub trader handles *streams* (one per product it forwards); a
stream is a sequence of *lots*. A lot arrives as one consignment (or two, *merged* on departure)
and leaves as one consignment (or two, *split*), possibly through a second hub trader first.
Within a stream, lots leave in the order they arrived, so first-in-first-out is the truth; the
truth frame lists every path of shipment ids (one row per hop), with the same ``chain_id`` that
:func:`dualuse.trace.chains` derives from those ids.

Noise: name variants (case, punctuation, legal forms in three spellings, Cyrillic, typos; the
heavy variants only on records that carry an identifier, as in real declarations; with
``name_variants``, records without one carry cross-script variants too: the name in Cyrillic
with its English words as Russian writes them, translated word by word, romanised another way,
or with its legal form spelled out), missing
identifiers, missing brands and manufacturers, a different HS6 of the same heading on the last
leg, decoy traders in the hubs that import the same goods and sell them at home, domestic
exporters, direct shipments and unrelated trade.

Examples:
    >>> from dualuse.synth.shipments import generate_shipments
    >>> scenario = generate_shipments(seed=1, chains=20, background=50)
    >>> scenario.shipments.height > 90, scenario.truth["chain_id"].n_unique() >= 20
    (True, True)
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import polars as pl

from dualuse.display import Frames, short_repr
from dualuse.errors import InputError
from dualuse.route import Route
from dualuse.schema import polars_schema

__all__ = [
    "PRODUCTS",
    "PlantedCase",
    "PlantedParty",
    "Product",
    "ShipmentScenario",
    "chain_key",
    "demo_cases",
    "generate_shipments",
]

INVASION = dt.date(2022, 2, 24)


def chain_key(shipment_ids: Sequence[str]) -> str:
    """The stable id of a chain: a digest of its shipment ids, first hop first.

    Examples:
        >>> chain_key(["a", "b"])
        'ch-9abe6de24a871364'
    """
    return _digest("|".join(shipment_ids))


def _digest(joined: str) -> str:
    return "ch-" + hashlib.sha1(joined.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Product:
    """A product that travels in chains: its HS6, descriptions, brand, manufacturer and unit price."""

    hs_code: str
    description: str
    description_ru: str
    brand: str
    manufacturer: str
    model: str
    unit_value_usd: float


# Fictitious brands and manufacturers; the HS codes are real CHPL items.
PRODUCTS: tuple[Product, ...] = (
    Product(
        "854231",
        "processors and controllers",
        "процессоры и контроллеры",
        "Northbridge",
        "Northbridge Semiconductor Inc.",
        "NB-MC32",
        4.2,
    ),
    Product("854232", "memories", "микросхемы памяти", "Calder", "Calder Memory Corp.", "CM-DDR4", 3.1),
    Product("854233", "amplifiers", "усилители", "Linmark", "Linmark Devices Inc.", "LM-OP27", 1.9),
    Product(
        "854239",
        "electronic integrated circuits",
        "интегральные схемы",
        "Halvard",
        "Halvard Microsystems",
        "HV-FPGA7",
        12.5,
    ),
    Product(
        "854121",
        "transistors dissipation under 1 w",
        "транзисторы мощностью менее 1 вт",
        "Ostrava",
        "Ostrava Discrete Ltd.",
        "OD-BC847",
        0.05,
    ),
    Product("854129", "transistors power", "транзисторы силовые", "Ostrava", "Ostrava Discrete Ltd.", "OD-IRF540", 0.6),
    Product(
        "853221",
        "tantalum capacitors",
        "конденсаторы танталовые",
        "Kestrel",
        "Kestrel Passive Components",
        "KP-T491",
        0.12,
    ),
    Product(
        "853224",
        "ceramic capacitors multilayer",
        "конденсаторы керамические",
        "Kestrel",
        "Kestrel Passive Components",
        "KP-C0G",
        0.02,
    ),
    Product(
        "852691",
        "radio navigational aid apparatus",
        "аппаратура радионавигационная",
        "Polaris",
        "Polaris Navigation GmbH",
        "PN-GNSS5",
        85.0,
    ),
    Product(
        "851762",
        "machines for reception and transmission of data",
        "аппаратура для приема и передачи данных",
        "Meridian",
        "Meridian Networks Inc.",
        "MR-R4400",
        310.0,
    ),
    Product("847150", "processing units", "вычислительные блоки", "Harlow", "Harlow Computing Inc.", "HC-PU9", 640.0),
    Product("848210", "ball bearings", "подшипники шариковые", "Svarta", "Svarta Bearings AB", "SB-6204", 2.4),
    Product(
        "880240",
        "unmanned aircraft",
        "беспилотные летательные аппараты",
        "Skylark",
        "Skylark Aerial Co.",
        "SK-Q4",
        900.0,
    ),
)

_STEMS = (
    "Altyn",
    "Nur",
    "Orion",
    "Vega",
    "Sapar",
    "Kyzyl",
    "Aral",
    "Tengri",
    "Baiterek",
    "Ala",
    "Sary",
    "Zhuldyz",
    "Ak",
    "Kok",
    "Ardak",
    "Berkut",
    "Sarma",
    "Tulpar",
    "Aruna",
    "Ararat",
    "Sevan",
    "Nairi",
    "Dilijan",
    "Gyumri",
    "Bosphor",
    "Kartal",
    "Ege",
    "Efes",
    "Dubai",
    "Falcon",
    "Oasis",
    "Neva",
    "Volga",
    "Ural",
    "Baikal",
    "Amur",
    "Sever",
    "Zenit",
    "Kristall",
    "Granit",
    "Pamir",
    "Tien",
    "Issyk",
    "Naryn",
    "Talas",
    "Chui",
    "Emerald",
    "Saffron",
)
_WORDS = (
    "Trade",
    "Tech",
    "Impex",
    "Logistic",
    "Component",
    "Electronics",
    "Systems",
    "Supply",
    "Group",
    "Service",
    "Engineering",
    "Commerce",
    "Industrial",
    "Distribution",
)
_FORMS: dict[str, tuple[str, str, str]] = {  # (English, Latin local, Cyrillic local)
    "KZ": ("LLP", "TOO", "ТОО"),
    "KG": ("LLC", "OsOO", "ОсОО"),
    "RU": ("LLC", "OOO", "ООО"),
    "BY": ("LLC", "OOO", "ООО"),
    "AM": ("LLC", "OOO", "ООО"),
    "AE": ("FZE", "FZ-LLC", "FZE"),
    "TR": ("Ltd.", "Ltd. Sti.", "Ltd."),
    "CN": ("Co., Ltd.", "Co. Ltd", "Co., Ltd."),
}
_ID_WIDTH = {"RU": 10, "KZ": 12, "KG": 14, "AM": 8, "AE": 15, "TR": 10, "CN": 18, "BY": 9}
_CYR = {
    "shch": "щ",
    "kh": "х",
    "zh": "ж",
    "ch": "ч",
    "sh": "ш",
    "ts": "ц",
    "yu": "ю",
    "ya": "я",
    "a": "а",
    "b": "б",
    "v": "в",
    "g": "г",
    "d": "д",
    "e": "е",
    "z": "з",
    "i": "и",
    "y": "ы",
    "k": "к",
    "l": "л",
    "m": "м",
    "n": "н",
    "o": "о",
    "p": "п",
    "r": "р",
    "s": "с",
    "t": "т",
    "u": "у",
    "f": "ф",
    "h": "х",
    "c": "к",
    "x": "кс",
    "j": "дж",
    "w": "в",
    "q": "к",
}
_CYRILLIC_COUNTRIES = frozenset({"KZ", "KG", "RU", "BY", "AM"})
# The words of names as Russian writes the English word, and as a Russian translation.
_WORDS_CYRILLIC = {
    "Trade": ("Трейд", "Торговля"),
    "Tech": ("Тех", "Технологии"),
    "Impex": ("Импэкс", "Импекс"),
    "Logistic": ("Логистик", "Логистика"),
    "Component": ("Компонент", "Компоненты"),
    "Electronics": ("Электроникс", "Электроника"),
    "Systems": ("Системс", "Системы"),
    "Supply": ("Сапплай", "Снабжение"),
    "Group": ("Групп", "Группа"),
    "Service": ("Сервис", "Обслуживание"),
    "Engineering": ("Инжиниринг", "Инжиниринг"),
    "Commerce": ("Коммерс", "Коммерция"),
    "Industrial": ("Индастриал", "Промышленный"),
    "Distribution": ("Дистрибьюшн", "Дистрибуция"),
}
# Legal forms spelled out: in English and in the romanised local language.
_FORMS_SPELLED = {
    "KZ": ("Limited Liability Partnership", "Tovarishchestvo s Ogranichennoy Otvetstvennostyu"),
    "KG": ("Limited Liability Company", "Obshchestvo s Ogranichennoi Otvetstvennostiu"),
    "RU": ("Limited Liability Company", "Obshestvo s Ogranichennoy Otvetstvennostyu"),
    "BY": ("Limited Liability Company", "Obshchestvo s Ogranichennoy Otvetstvennostyu"),
    "AM": ("Limited Liability Company", "Limited Liability Company"),
    "AE": ("Free Zone Establishment", "Free Zone Establishment"),
    "TR": ("Limited Sirketi", "Limited Sirketi"),
    "CN": ("Company Limited", "Company Limited"),
}
# How another romanisation writes the same sounds ("Zhuldyz" / "Juldiz", "Kyzyl" / "Qyzyl").
_RESPELL = (("zh", "j"), ("kh", "h"), ("ts", "c"), ("y", "i"), ("k", "q"))
_BACKGROUND_HS = ("940360", "610910", "870899", "392690", "730890", "847130", "300490", "842139")
_ORIGINS = ("CN", "CN", "CN", "CN", "HK", "TR", "IN", "MY")


@dataclass(frozen=True)
class PlantedParty:
    """A named party of a planted case, with the registry facts the red flags look at."""

    name: str
    country: str
    identifier: str | None = None
    cyrillic: str | None = None
    founded: dt.date | None = None
    employees: int | None = None
    revenue_usd: float | None = None
    owners: tuple[str, ...] = ()
    owners_changed: dt.date | None = None
    sanctioned: bool = False
    programs: tuple[str, ...] = ()
    listed_on: dt.date | None = None


@dataclass(frozen=True)
class PlantedCase:
    """An explicit chain to plant: one party per country of ``route`` (origin exporter first).

    ``shipments`` consignments leave for the target between ``start`` and ``end``, carrying
    ``total_value_usd`` in all; each arrived at the hub a few days earlier.
    """

    name: str
    route: str
    parties: tuple[PlantedParty, ...]
    hs_code: str
    description: str
    start: dt.date
    end: dt.date
    shipments: int = 1
    total_value_usd: float = 10_000.0
    quantity: float = 1_000.0
    brand: str | None = None
    manufacturer: str | None = None
    origin_country: str | None = None


@dataclass(frozen=True, repr=False)
class ShipmentScenario(Frames):
    """A generated scenario.

    ``shipments``: the canonical shipments frame; ``truth``: the planted chains (``chain_id``,
    ``case``, ``hop``, ``shipment_id``, one row per hop); ``registry``: a canonical parties frame
    of registry facts for the hub traders (plus an ``owners_changed`` column); ``watchlist``: a
    canonical parties frame of sanctioned parties; ``exited``: manufacturers that announced they
    left Russia in this scenario (``name``, ``aliases``, ``announced``, ``source``).
    """

    shipments: pl.DataFrame
    truth: pl.DataFrame
    registry: pl.DataFrame
    watchlist: pl.DataFrame
    exited: pl.DataFrame = field(default_factory=pl.DataFrame)

    def frames(self) -> dict[str, pl.DataFrame]:
        """Every frame of the scenario by name."""
        return {
            "shipments": self.shipments,
            "truth": self.truth,
            "registry": self.registry,
            "watchlist": self.watchlist,
            "exited": self.exited,
        }

    def __repr__(self) -> str:
        return short_repr("ShipmentScenario", **{n: f.height for n, f in self.frames().items()})


def demo_cases() -> tuple[PlantedCase, ...]:
    """The two cases of the guide, with fictitious names: the Kazakh transistor trader and the Bishkek forwarder.

    Examples:
        >>> [c.route for c in demo_cases()]
        ['CN>KZ>RU', 'CN>KG>RU']
    """
    return (
        PlantedCase(
            name="kazakh transistor trader",
            route="CN>KZ>RU",
            parties=(
                PlantedParty("Shenzhen Lianfa Electronics Co., Ltd.", "CN", "91440300MA5FTEST01"),
                PlantedParty(
                    "Steppe Component Trade LLP",
                    "KZ",
                    "220340012345",
                    cyrillic="ТОО «Степпе Компонент Трейд»",
                    founded=dt.date(2022, 3, 18),
                    employees=3,
                    revenue_usd=14_500_000.0,
                    owners=("Demidov Arkady",),
                    owners_changed=dt.date(2023, 3, 14),
                ),
                PlantedParty("Uralpribor Wholesale LLC", "RU", "6671234569", cyrillic="ООО «Уралприбор Опт»"),
            ),
            hs_code="854121",
            description="transistors dissipation under 1 w",
            start=dt.date(2023, 3, 1),
            end=dt.date(2023, 8, 31),
            shipments=12,
            total_value_usd=1_150_000.0,
            quantity=2_300_000.0,
            brand="Ostrava",
            manufacturer="Ostrava Discrete Ltd.",
            origin_country="CN",
        ),
        PlantedCase(
            name="bishkek computing forwarder",
            route="CN>KG>RU",
            parties=(
                PlantedParty("Harlow Computing (Shenzhen) Co., Ltd.", "CN", "91440300MA5HARLOW"),
                PlantedParty(
                    "Ala-Too Digital Supply LLC", "KG", "01506202310123", cyrillic="ОсОО «Ала-Тоо Диджитал Саплай»"
                ),
                PlantedParty(
                    "Krasnoyarsk Vychislitel JSC",
                    "RU",
                    "2465123457",
                    cyrillic="АО «Красноярск Вычислитель»",
                    sanctioned=True,
                    programs=("RUSSIA-EO14024",),
                    listed_on=dt.date(2022, 11, 14),
                ),
            ),
            hs_code="847150",
            description="computing machine devices",
            start=dt.date(2023, 6, 1),
            end=dt.date(2023, 6, 30),
            shipments=7,
            total_value_usd=3_700.0,
            quantity=7.0,
            brand="Harlow",
            manufacturer="Harlow Computing Inc.",
            origin_country="CN",
        ),
    )


# --------------------------------------------------------------------------- parties


def _ident(rng: np.random.Generator, countries: Sequence[str]) -> list[str]:
    """Random identifiers of each country's width (digits; Chinese credit codes start with 91)."""
    digits = rng.integers(0, 10, size=(len(countries), 18)).astype(np.uint8) + ord("0")
    rows = digits.view("S18").ravel() if len(countries) else np.array([], dtype="S18")
    out = []
    for c, raw in zip(countries, rows, strict=True):
        text = raw.decode()[: _ID_WIDTH.get(c, 10)]
        if c == "CN":
            text = "91" + text[2:]
        elif c == "RU":  # a valid INN: the tenth digit is the check digit
            weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
            text = text[:9] + str(sum(w * int(d) for w, d in zip(weights, text, strict=False)) % 11 % 10)
        out.append(text)
    return out


def _to_cyrillic(latin: str) -> str:
    return " ".join(_word_to_cyrillic(word) for word in latin.split(" "))


@cache
def _word_to_cyrillic(word: str) -> str:
    text, out, i = word.lower(), [], 0
    while i < len(text):
        for size in (4, 2, 1):
            chunk = text[i : i + size]
            if chunk in _CYR:
                out.append(_CYR[chunk])
                i += size
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out).capitalize()


def _typo(name: str, position: int) -> str:
    letters = [i for i, ch in enumerate(name) if ch.isalpha()]
    drop = letters[position % len(letters)] if len(letters) > 6 else -1
    return name if drop < 0 else name[:drop] + name[drop + 1 :]


def _variants(base: str, country: str, cyrillic: str | None, position: int) -> tuple[list[str], list[str]]:
    """(clean variants, heavy variants): clean ones normalise to the same text, heavy ones may not."""
    en, local, cyr_form = _FORMS.get(country, ("Ltd.", "Ltd", "Ltd."))
    clean = [f"{base} {en}", f"{base.upper()} {en.upper()}", f"{base}, {local}", f'{local} "{base}"']
    heavy = [_typo(f"{base} {en}", position)]
    if country in _CYRILLIC_COUNTRIES:
        heavy.append(cyrillic or f"{cyr_form} «{_to_cyrillic(base)}»")
    return clean, heavy


def _respelled(word: str) -> str:
    respelled = word.lower()
    for latin, other in _RESPELL:
        respelled = respelled.replace(latin, other)
    return respelled.capitalize()


def _cross_variants(base: str, country: str) -> list[str]:
    """Variants a record without an identifier may carry that no normaliser makes equal to the name:
    Cyrillic with the English words as Russian writes them, translated word by word, romanised
    another way, or with the legal form spelled out (in English and in the local language)."""
    en, _, cyr_form = _FORMS.get(country, ("Ltd.", "Ltd", "Ltd."))
    english, local = _FORMS_SPELLED.get(country, ("Limited", "Limited"))
    words = base.split(" ")
    variants = [f"{english.upper()} {base.upper()}", f"{local} {' '.join(_respelled(w) for w in words)}"]
    if country in _CYRILLIC_COUNTRIES:
        for which in (0, 1):
            cyr = " ".join(_WORDS_CYRILLIC[w][which] if w in _WORDS_CYRILLIC else _to_cyrillic(w) for w in words)
            variants.append(f"{cyr_form} «{cyr}»")
    else:
        variants.append(f"{' '.join(_respelled(w) for w in words)} {en}")
    return variants


@dataclass
class _Parties:
    """Party pools: index -> country, identifier, variants; built once per scenario."""

    country: list[str] = field(default_factory=list)
    ident: list[str | None] = field(default_factory=list)
    name: list[str] = field(default_factory=list)
    clean: list[list[str]] = field(default_factory=list)
    heavy: list[list[str]] = field(default_factory=list)
    cross: list[list[str]] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)  # every base name drawn so far, in any word order

    def add(
        self, base: str, country: str, ident: str | None, cyrillic: str | None = None, full: str | None = None
    ) -> int:
        index = len(self.country)
        clean, heavy = _variants(base, country, cyrillic, index)
        cross = _cross_variants(base, country)
        if full is not None:  # a planted party's name already carries its legal form
            clean = [full, full.upper(), full.replace(",", "").replace(".", ""), f"{full.title()}"]
            heavy = [_typo(full, index), *([cyrillic] if cyrillic else [])]
            cross = [cyrillic] if cyrillic else clean
        self.country.append(country)
        self.ident.append(ident)
        self.name.append(full or clean[0])
        self.clean.append(clean)
        self.heavy.append(heavy)
        self.cross.append(cross)
        return index

    def pool(self, rng: np.random.Generator, countries: Sequence[str], names: list[str]) -> np.ndarray:
        idents = _ident(rng, countries)
        return np.array([self.add(n, c, i) for n, c, i in zip(names, countries, idents, strict=True)], dtype=np.int64)


def _names(rng: np.random.Generator, count: int, taken: set[str]) -> list[str]:
    """Distinct fictitious names "Stem Stem Word" (a numeral suffix beyond the combinations).

    Two names never differ only in the order of their stems: "Altyn Nur Trade" and "Nur Altyn
    Trade" would be one name to any matcher."""
    out: list[str] = []
    total = len(_STEMS) * len(_STEMS) * len(_WORDS)
    order = rng.permutation(total)
    round_ = 0
    while len(out) < count:
        for code in order:
            a, rest = divmod(int(code), len(_STEMS) * len(_WORDS))
            b, w = divmod(rest, len(_WORDS))
            if a == b:
                continue
            name = f"{_STEMS[a]} {_STEMS[b]} {_WORDS[w]}" + (f" {round_ + 1}" if round_ else "")
            unordered = f"~{min(a, b)}|{max(a, b)}|{w}|{round_}"
            if name not in taken and unordered not in taken:
                taken.add(name)
                taken.add(unordered)
                out.append(name)
                if len(out) == count:
                    break
        round_ += 1
    return out


# --------------------------------------------------------------------------- lots and legs


def _strictly_increasing(frame: pl.DataFrame, column: str, by: str) -> pl.DataFrame:
    """Sort ``column`` within each ``by`` group (in row order) and make it strictly increasing."""
    rank = pl.int_range(pl.len()).over(by)
    return (
        frame.with_columns(pl.col(column).sort().over(by).alias(column))
        .with_columns((pl.col(column) - rank).cum_max().over(by).alias("__shifted"))
        .with_columns((pl.col("__shifted") + rank).alias(column))
        .drop("__shifted")
    )


def _random_lots(
    rng: np.random.Generator,
    chains: int,
    parties: _Parties,
    hubs: Sequence[str],
    *,
    start: dt.date,
    end: dt.date,
    two_hop_share: float,
    split_share: float,
    merge_share: float,
    target: str,
) -> pl.DataFrame:
    """One row per lot: stream, parties, product, quantity, lot type and the days of each leg."""
    # a stream is one trader forwarding one product; big scenarios have longer streams, so that the
    # number of companies grows more slowly than the number of lines (as in real data)
    streams = max(1, chains // (4 if chains <= 10_000 else 12))
    n_traders = max(2 * len(hubs), -(-streams * 10 // (7 * len(PRODUCTS))))
    taken = parties.taken
    traders = parties.pool(rng, [hubs[i % len(hubs)] for i in range(n_traders)], _names(rng, n_traders, taken))
    n_suppliers = max(4, min(streams // 3, 5_000))
    supplier_countries = [_ORIGINS[i % len(_ORIGINS)] for i in range(n_suppliers)]
    suppliers = parties.pool(rng, supplier_countries, _names(rng, n_suppliers, taken))
    n_buyers = max(4, min(streams // 2, 20_000))
    buyers = parties.pool(rng, [target] * n_buyers, _names(rng, n_buyers, taken))

    combos = rng.choice(len(traders) * len(PRODUCTS), size=min(streams, len(traders) * len(PRODUCTS)), replace=False)
    streams = len(combos)
    trader_of_stream = traders[combos // len(PRODUCTS)]
    product_of_stream = combos % len(PRODUCTS)
    two_hop = rng.random(streams) < two_hop_share
    hub2 = np.full(streams, -1, dtype=np.int64)
    if two_hop.any():
        # second traders sit in the next hub country; one trader forwards each product of at most one
        # stream (so first in, first out stays the truth at the second hub too)
        second = pl.DataFrame(
            {
                "stream": np.flatnonzero(two_hop),
                "product": product_of_stream[two_hop],
                "country": [parties.country[t] for t in trader_of_stream[two_hop]],
            }
        ).with_columns(pl.int_range(pl.len()).over("product", "country").alias("rank"))
        slots = second.select("country", "rank").unique().sort("country", "rank")
        next_hub = [hubs[(hubs.index(c) + 1) % len(hubs)] for c in slots["country"]]
        pool = parties.pool(rng, next_hub, _names(rng, len(next_hub), taken))
        slots = slots.with_columns(pl.Series("trader", pool, dtype=pl.Int64))
        assigned = second.join(slots, on=["country", "rank"], how="left")
        hub2[assigned["stream"].to_numpy()] = assigned["trader"].to_numpy()
    span = (end - start).days
    stream_start = rng.integers(0, max(1, span - 240), streams)

    lot_stream = np.sort(rng.integers(0, streams, chains))
    kind = rng.choice(3, size=chains, p=[1 - split_share - merge_share, merge_share, split_share])
    lots = pl.DataFrame(
        {
            "stream": lot_stream,
            "kind": kind,  # 0 simple, 1 merged on arrival (two inbound), 2 split on departure (two outbound)
            "quantity": rng.integers(50, 5000, chains).astype(np.float64) * 10,
            "in_gap": rng.integers(3, 30, chains),
            "gap1": rng.integers(3, 40, chains),
            "gap2": rng.integers(3, 40, chains),
            "supplier": suppliers[rng.integers(0, len(suppliers), chains)],
            "buyer": buyers[rng.integers(0, len(buyers), chains)],
        }
    )
    lots = lots.with_columns(
        pl.Series("hub1", trader_of_stream[lot_stream]),
        pl.Series("hub2", hub2[lot_stream]),
        pl.Series("product", product_of_stream[lot_stream]),
        pl.Series("day_in", stream_start[lot_stream]),
    ).with_columns((pl.col("day_in") + pl.col("in_gap").cum_sum().over("stream")).alias("day_in"))
    lots = lots.with_columns((pl.col("day_in") + pl.col("gap1")).alias("day_out1"))
    lots = _strictly_increasing(lots, "day_out1", "stream")
    lots = lots.with_columns(pl.when(pl.col("hub2") >= 0).then(pl.col("day_out1") + pl.col("gap2")).alias("day_out2"))
    lots = _strictly_increasing(lots, "day_out2", "stream")
    # merged and split lots never cross two hubs (keeps first-in-first-out the truth at each hub)
    lots = lots.with_columns(
        pl.when(pl.col("hub2") >= 0).then(pl.lit(0)).otherwise(pl.col("kind")).alias("kind"),
        pl.lit(None, pl.String).alias("case"),
    )
    return lots.with_columns(
        pl.col("supplier").cast(pl.Int64),
        pl.col("buyer").cast(pl.Int64),
        pl.col("hub1").cast(pl.Int64),
        pl.col("hub2").cast(pl.Int64),
        pl.col("product").cast(pl.Int64),
        pl.col("kind").cast(pl.Int64),
        pl.lit(start).alias("epoch"),
    )


def _planted_lots(
    rng: np.random.Generator, cases: Sequence[PlantedCase], parties: _Parties
) -> tuple[pl.DataFrame, dict[int, PlantedCase]]:
    rows = []
    products: dict[int, PlantedCase] = {}
    for number, case in enumerate(cases):
        route = Route.parse(case.route)
        if len(case.parties) != len(route.countries):
            raise InputError(
                f"planted case {case.name!r}: {len(case.parties)} parties for route {route} ({len(route.countries)} countries)",
                column="parties",
            )
        if case.shipments < 1 or case.end < case.start:
            raise InputError(
                f"planted case {case.name!r}: needs at least one shipment and start <= end", column="shipments"
            )
        if len(route.countries) > 4:
            raise InputError(f"planted case {case.name!r}: at most two hubs", column="route")
        idx = []
        for party, ctry in zip(case.parties, route.countries, strict=True):
            base = party.name
            idx.append(parties.add(base, ctry, party.identifier, cyrillic=party.cyrillic, full=party.name))
        product = -(number + 1)  # planted products are negative indices into ``products``
        products[product] = case
        hops = len(idx) - 2
        span = max(0, (case.end - case.start).days - 3 * hops)
        days = np.sort(rng.choice(np.arange(span + 1), size=case.shipments, replace=case.shipments > span + 1))
        share = rng.dirichlet(np.ones(case.shipments) * 4)
        cents = np.floor(share * case.total_value_usd * 100)
        cents[-1] += round(case.total_value_usd * 100) - cents.sum()  # the values add up to the total exactly
        units = np.maximum(1.0, np.floor(share * case.quantity))
        for k in range(case.shipments):
            in_day = int(days[k])
            rows.append(
                {
                    "stream": -(number + 1),
                    "kind": 0,
                    "quantity": float(units[k]),
                    "value_share": float(cents[k]) / 100,
                    "supplier": idx[0],
                    "buyer": idx[-1],
                    "hub1": idx[1],
                    "hub2": idx[2] if len(idx) == 4 else -1,
                    "product": product,
                    "day_in": in_day,
                    "day_out1": in_day + 3,
                    "day_out2": in_day + 6 if hops == 2 else None,
                    "case": case.name,
                    "epoch": case.start,
                }
            )
    schema = {
        "stream": pl.Int64,
        "kind": pl.Int64,
        "quantity": pl.Float64,
        "value_share": pl.Float64,
        "supplier": pl.Int64,
        "buyer": pl.Int64,
        "hub1": pl.Int64,
        "hub2": pl.Int64,
        "product": pl.Int64,
        "day_out1": pl.Int64,
        "day_out2": pl.Int64,
        "day_in": pl.Int64,
        "case": pl.String,
        "epoch": pl.Date,
    }
    return pl.DataFrame(rows, schema=schema, orient="row"), products


def _legs(lots: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Shipment rows of every lot (without names yet) and the truth paths (lot, part ids per hop)."""
    lots = lots.with_row_index("lot")
    n_in = pl.when(pl.col("kind") == 1).then(2).otherwise(1)
    n_out = pl.when(pl.col("kind") == 2).then(2).otherwise(1)
    first_share = pl.lit(0.6)

    def parts(frame: pl.DataFrame, count: pl.Expr) -> pl.DataFrame:
        return (
            frame.with_columns(pl.int_ranges(0, count).alias("part"), count.alias("parts"))
            .explode("part")
            .with_columns(
                pl.when(pl.col("parts") == 1)
                .then(pl.col("quantity"))
                .when(pl.col("part") == 0)
                .then((pl.col("quantity") * first_share).round())
                .otherwise(pl.col("quantity") - (pl.col("quantity") * first_share).round())
                .alias("qty")
            )
        )

    common = ["lot", "stream", "product", "case", "epoch"]
    inbound = parts(lots, n_in).select(
        *common,
        "part",
        "qty",
        pl.col("supplier").alias("exporter"),
        pl.col("hub1").alias("importer"),
        pl.col("day_in").alias("day"),
        pl.lit("in").alias("leg"),
    )
    two = lots.filter(pl.col("hub2") >= 0)
    middle = two.select(
        *common,
        pl.lit(0, pl.Int64).alias("part"),
        pl.col("quantity").alias("qty"),
        pl.col("hub1").alias("exporter"),
        pl.col("hub2").alias("importer"),
        pl.col("day_out1").alias("day"),
        pl.lit("mid").alias("leg"),
    )
    final = parts(lots, n_out).select(
        *common,
        "part",
        "qty",
        pl.when(pl.col("hub2") >= 0).then(pl.col("hub2")).otherwise(pl.col("hub1")).alias("exporter"),
        pl.col("buyer").alias("importer"),
        pl.when(pl.col("hub2") >= 0).then(pl.col("day_out2")).otherwise(pl.col("day_out1")).alias("day"),
        pl.lit("out").alias("leg"),
    )
    legs = pl.concat([inbound, middle.with_columns(pl.col("part").cast(inbound.schema["part"])), final])
    return legs, lots.select(
        "lot", pl.col("value_share") if "value_share" in lots.columns else pl.lit(None).alias("value_share")
    )


# --------------------------------------------------------------------------- main


def generate_shipments(
    *,
    seed: int = 0,
    chains: int = 80,
    background: int = 200,
    decoys: int | None = None,
    planted: Sequence[PlantedCase] = (),
    hubs: Sequence[str] = ("KZ", "KG", "AM", "AE", "TR"),
    target: str = "RU",
    start: dt.date = dt.date(2022, 3, 1),
    end: dt.date = dt.date(2024, 6, 30),
    two_hop_share: float = 0.2,
    split_share: float = 0.15,
    merge_share: float = 0.15,
    brand_missing: float = 0.3,
    id_missing: float = 0.4,
    hs_drift: float = 0.1,
    name_variants: float = 0.0,
) -> ShipmentScenario:
    """Generate a scenario: ``chains`` random planted lots, the ``planted`` cases, and noise.

    ``background`` unrelated lines (pre-war history of the hub traders, domestic exporters,
    direct shipments, trade elsewhere) and ``decoys`` lines of hub traders that import the same
    goods and sell them at home (default: as many as ``chains``). ``brand_missing`` is the share
    of inbound lines without a brand (and, independently, without a manufacturer),
    ``id_missing`` the share of party sides without an identifier, ``hs_drift`` the share of last
    legs declared under another HS6 of the same heading, ``name_variants`` the share of sides
    without an identifier that carry a cross-script variant of the name (Cyrillic, translated,
    romanised another way, legal form spelled out). The same arguments give the same frames.

    Examples:
        >>> s = generate_shipments(seed=3, chains=10, background=0, decoys=0, planted=demo_cases())
        >>> s.truth.filter(pl.col("case") == "bishkek computing forwarder")["chain_id"].n_unique()
        7
        >>> s.shipments.filter(pl.col("importer_id") == "2465123457")["value_usd"].sum()
        3700.0
    """
    if chains < 0 or background < 0 or (decoys is not None and decoys < 0):
        raise InputError("chains, background and decoys must be >= 0", column="chains")
    if not 0.0 <= name_variants <= 1.0:
        raise InputError(f"name_variants {name_variants!r}: expected a share between 0 and 1", column="name_variants")
    rng = np.random.default_rng(seed)
    parties = _Parties()
    hubs = [h for h in hubs if h != target] or ["KZ"]
    random_lots = (
        _random_lots(
            rng,
            chains,
            parties,
            hubs,
            start=start,
            end=end,
            two_hop_share=two_hop_share,
            split_share=split_share,
            merge_share=merge_share,
            target=target,
        )
        if chains
        else None
    )
    planted_lots, planted_products = _planted_lots(rng, planted, parties)
    frames = [planted_lots]
    if random_lots is not None:
        frames.insert(
            0, random_lots.with_columns(pl.lit(None, pl.Float64).alias("value_share")).select(planted_lots.columns)
        )
    lots = pl.concat(frames)
    legs, lot_values = _legs(lots)
    products = _product_frame(planted_products)

    legs = legs.join(lot_values, on="lot", how="left").join(products, on="product", how="left")
    n = legs.height
    legs = legs.with_columns(
        pl.Series("u_brand", rng.random(n)),
        pl.Series("u_manu", rng.random(n)),
        pl.Series("u_ex", rng.random(n)),
        pl.Series("u_im", rng.random(n)),
        pl.Series("u_var", rng.integers(0, 1 << 30, n)),
        pl.Series("u_hs", rng.random(n)),
        pl.Series("u_price", rng.uniform(0.9, 1.1, n)),
    )
    rows = _dress(legs, brand_missing=brand_missing, id_missing=id_missing, hs_drift=hs_drift)

    noise_decoys = chains if decoys is None else decoys
    noise = _noise(rng, parties, hubs, target, start, end, background, noise_decoys, legs)
    lines = _finish(rows, noise, parties, name_variants)
    truth = _truth(lines)
    shipments = lines.select(pl.exclude("^__truth_.*$"))
    registry, watchlist = _registry(rng, parties, legs, planted, target)
    exited = pl.DataFrame(
        {
            "name": ["Ostrava Discrete Ltd.", "Harlow Computing Inc."],
            "aliases": [["Ostrava"], ["Harlow"]],
            "announced": [dt.date(2022, 3, 9), dt.date(2022, 3, 4)],
            "source": ["synthetic scenario (fictitious announcement)"] * 2,
        }
    )
    return ShipmentScenario(shipments=shipments, truth=truth, registry=registry, watchlist=watchlist, exited=exited)


def _product_frame(planted: dict[int, PlantedCase]) -> pl.DataFrame:
    rows: list[tuple[object, ...]] = [
        (i, p.hs_code, p.description, p.description_ru, p.brand, p.manufacturer, p.model, p.unit_value_usd, None)
        for i, p in enumerate(PRODUCTS)
    ]
    rows += [
        (k, c.hs_code, c.description, None, c.brand, c.manufacturer, None, None, c.total_value_usd)
        for k, c in planted.items()
    ]
    return pl.DataFrame(
        rows,
        schema={
            "product": pl.Int64,
            "hs": pl.String,
            "desc": pl.String,
            "desc_ru": pl.String,
            "brand_": pl.String,
            "manu_": pl.String,
            "model": pl.String,
            "unit": pl.Float64,
            "case_total": pl.Float64,
        },
        orient="row",
    )


def _dress(legs: pl.DataFrame, *, brand_missing: float, id_missing: float, hs_drift: float) -> pl.DataFrame:
    """Dates, HS codes, descriptions, brands, values and the id/variant choices of each leg."""
    is_in = pl.col("leg") == "in"
    is_out = pl.col("leg") == "out"
    planted = pl.col("case").is_not_null()
    drift = is_out & ~planted & (pl.col("u_hs") < hs_drift)
    hs = pl.when(drift).then(pl.col("hs").str.slice(0, 4) + "90").otherwise(pl.col("hs"))
    model = pl.col("model").fill_null("")
    description = (
        pl.when(is_out & pl.col("desc_ru").is_not_null())
        .then(pl.col("desc_ru") + pl.lit(" ") + model)
        .when(pl.col("u_var") % 2 == 0)
        .then(pl.col("desc").str.to_uppercase() + pl.lit(" ") + model)
        .otherwise(pl.col("desc") + pl.lit(", ") + model)
        .str.strip_chars(" ,")
    )
    # Russian declarations name brand and manufacturer (boxes 31/11, 31/12); other sources often omit them
    brand = pl.when(is_in & ~planted & (pl.col("u_brand") < brand_missing)).then(None).otherwise(pl.col("brand_"))
    manufacturer = pl.when(is_in & ~planted & (pl.col("u_manu") < brand_missing)).then(None).otherwise(pl.col("manu_"))
    unit = pl.when(is_out).then(1.25).when(pl.col("leg") == "mid").then(1.1).otherwise(1.0)
    value = (
        pl.when(planted)
        .then(pl.col("value_share"))
        .otherwise((pl.col("qty") * pl.col("unit") * unit * pl.col("u_price")).round(2))
    )
    return legs.with_columns(
        (pl.col("epoch") + pl.duration(days=pl.col("day"))).alias("date"),
        hs.alias("hs_code"),
        description.alias("description"),
        brand.alias("brand"),
        manufacturer.alias("manufacturer"),
        value.round(2).alias("value_usd"),
        pl.col("qty").alias("quantity"),
        # identifiers: the importer side of Russian and hub declarations always; the rest by chance
        (is_in & (pl.col("u_ex") < id_missing)).alias("ex_no_id"),
        (~is_out & (pl.col("u_im") < id_missing)).alias("im_no_id"),
        pl.when(is_in)
        .then(pl.lit("origin_exports"))
        .when(is_out)
        .then(pl.lit("target_imports"))
        .otherwise(pl.lit("hub_imports"))
        .alias("source"),
    )


def _noise(
    rng: np.random.Generator,
    parties: _Parties,
    hubs: Sequence[str],
    target: str,
    start: dt.date,
    end: dt.date,
    background: int,
    decoys: int,
    legs: pl.DataFrame,
) -> pl.DataFrame:
    """Lines that belong to no chain: decoy imports, pre-war history, domestic exporters, direct and other trade."""
    span = (end - start).days
    taken = parties.taken
    frames = []
    if decoys:
        n_decoy = max(2, min(decoys // 50, 5_000))
        decoy_parties = parties.pool(rng, [hubs[i % len(hubs)] for i in range(n_decoy)], _names(rng, n_decoy, taken))
        sources = legs.filter(pl.col("leg") == "in", pl.col("case").is_null())
        exporters = sources["exporter"].to_numpy() if sources.height else np.array([0])
        frames.append(
            pl.DataFrame(
                {
                    "exporter": exporters[rng.integers(0, len(exporters), decoys)],
                    "importer": decoy_parties[rng.integers(0, n_decoy, decoys)],
                    "product": rng.integers(0, len(PRODUCTS), decoys),
                    "day": rng.integers(0, span, decoys),
                    "qty": rng.integers(50, 5000, decoys).astype(np.float64) * 10,
                    "epoch": [start] * decoys,
                    "kind": ["decoy"] * decoys,
                }
            )
        )
    if background:
        kinds = rng.choice(
            4, size=background
        )  # 0 pre-war history of a hub trader, 1 domestic exporter, 2 direct, 3 elsewhere
        hub_traders = (
            legs.filter(pl.col("leg") == "in", pl.col("case").is_null())["importer"].unique().sort().to_numpy()
        )
        n_bg = max(4, min(background // 100, 10_000))
        bg_countries = [[*hubs, "CN", "DE", "US", "IN"][i % (len(hubs) + 4)] for i in range(n_bg)]
        bg = parties.pool(rng, bg_countries, _names(rng, n_bg, taken))
        n_ru = max(2, min(background // 200, 5_000))
        ru = parties.pool(rng, [target] * n_ru, _names(rng, n_ru, taken))
        hubs_bg = np.array([p for p in bg if parties.country[p] in hubs] or [bg[0]])
        others = np.array([p for p in bg if parties.country[p] not in hubs] or [bg[0]])
        pick = rng.integers(0, 1 << 30, background)
        exporter = np.select(
            [kinds == 0, kinds == 1, kinds == 2],
            [others[pick % len(others)], hubs_bg[pick % len(hubs_bg)], others[pick % len(others)]],
            others[pick % len(others)],
        )
        importer = np.select(
            [kinds == 0, kinds == 1, kinds == 2],
            [
                hub_traders[pick % len(hub_traders)] if len(hub_traders) else bg[0],
                ru[pick % len(ru)],
                ru[(pick // 7) % len(ru)],
            ],
            others[(pick % len(others) + 1 + (pick // 3) % max(1, len(others) - 1)) % len(others)],
        )
        # history and trade elsewhere carry unlisted goods; domestic exporters and direct shipments listed ones
        unlisted = (kinds == 0) | (kinds == 3)
        prewar = dt.date(2020, 1, 1)
        frames.append(
            pl.DataFrame(
                {
                    "exporter": exporter,
                    "importer": importer,
                    "product": np.where(
                        unlisted, -100 - (pick % len(_BACKGROUND_HS)), rng.integers(0, len(PRODUCTS), background)
                    ),
                    "day": np.where(
                        kinds == 0,
                        rng.integers(0, (INVASION - prewar).days, background),
                        rng.integers(0, span, background),
                    ),
                    "qty": rng.integers(10, 5000, background).astype(np.float64) * 10,
                    "epoch": [prewar if k == 0 else start for k in kinds],
                    "kind": np.array(["history", "domestic", "direct", "elsewhere"])[kinds],
                }
            )
        )
    if not frames:
        return pl.DataFrame()
    noise = pl.concat(
        [
            f.with_columns(
                pl.col("exporter").cast(pl.Int64),
                pl.col("importer").cast(pl.Int64),
                pl.col("product").cast(pl.Int64),
                pl.col("day").cast(pl.Int64),
            )
            for f in frames
        ]
    )
    background_products = pl.DataFrame(
        {
            "product": [-100 - i for i in range(len(_BACKGROUND_HS))],
            "hs": list(_BACKGROUND_HS),
            "desc": [f"general goods {h}" for h in _BACKGROUND_HS],
            "unit": [15.0] * len(_BACKGROUND_HS),
        }
    )
    catalogue = pl.concat(
        [_product_frame({}).select("product", "hs", "desc", "unit", "brand_", "manu_", "model"), background_products],
        how="diagonal",
    )
    n = noise.height
    return noise.join(catalogue, on="product", how="left").with_columns(
        (pl.col("epoch") + pl.duration(days=pl.col("day"))).alias("date"),
        pl.col("hs").alias("hs_code"),
        (pl.col("desc") + pl.lit(" ") + pl.col("model").fill_null("")).str.strip_chars().alias("description"),
        pl.col("brand_").alias("brand"),
        pl.col("manu_").alias("manufacturer"),
        (pl.col("qty") * pl.col("unit") * pl.Series(rng.uniform(0.8, 1.3, n))).round(2).alias("value_usd"),
        pl.col("qty").alias("quantity"),
        pl.Series("ex_no_id", rng.random(n) < 0.5),
        pl.Series("im_no_id", rng.random(n) < 0.5),
        pl.Series("u_var", rng.integers(0, 1 << 30, n)),
        pl.lit("background").alias("leg"),
        pl.when(pl.col("kind") == "decoy")
        .then(pl.lit("hub_imports"))
        .otherwise(pl.lit("other_records"))
        .alias("source"),
        pl.lit(None, pl.String).alias("case"),
        pl.lit(None, pl.Int64).alias("lot"),
        pl.lit(None, pl.Int64).alias("part"),
    )


def _finish(rows: pl.DataFrame, noise: pl.DataFrame, parties: _Parties, name_variants: float = 0.0) -> pl.DataFrame:
    """Names and identifiers per side, ids and source rows; the canonical shipments frame (+ truth keys)."""
    keep = [
        "lot",
        "part",
        "leg",
        "case",
        "date",
        "hs_code",
        "description",
        "brand",
        "manufacturer",
        "value_usd",
        "quantity",
        "exporter",
        "importer",
        "ex_no_id",
        "im_no_id",
        "u_var",
        "source",
    ]
    frames = [rows.select(keep)]
    if noise.height:
        frames.append(noise.select(keep))
    lines = pl.concat(frames, how="vertical_relaxed")
    # sides with an identifier may carry heavy variants (Cyrillic, typos); the others clean ones,
    # or with the share name_variants a cross-script one (pool 2)
    n_parties = len(parties.country)
    variant_rows = []
    for p in range(n_parties):
        for v, name in enumerate(parties.clean[p]):
            variant_rows.append((p, 0, v, name))
        for v, name in enumerate(parties.clean[p] + parties.heavy[p]):
            variant_rows.append((p, 1, v, name))
        for v, name in enumerate(parties.cross[p]):
            variant_rows.append((p, 2, v, name))
    variants = pl.DataFrame(
        variant_rows, schema={"party": pl.Int64, "pool": pl.Int64, "v": pl.Int64, "name": pl.String}, orient="row"
    )
    counts = variants.group_by("party", "pool").agg(pl.len().alias("n"))
    info = pl.DataFrame(
        {"party": list(range(n_parties)), "country": parties.country, "ident": parties.ident},
        schema={"party": pl.Int64, "country": pl.String, "ident": pl.String},
    )

    def side(column: str, no_id: str, salt: int) -> list[pl.Expr]:
        # a draw of its own for each side: the variant number scrambled by a side-specific prime
        cross = ((pl.col("u_var") * (7_919 if salt == 1 else 104_729)) // 997 % 1000) < name_variants * 1000
        return [
            pl.col(column).alias("party"),
            (~pl.col(no_id)).alias("with_id"),
            ((pl.col("u_var") // salt) % 1000).alias("pick"),
            cross.alias("cross"),
        ]

    out = lines
    for prefix, column, no_id, salt in (
        ("exporter", "exporter", "ex_no_id", 1),
        ("importer", "importer", "im_no_id", 1000),
    ):
        picked = (
            out.select(pl.int_range(pl.len()).alias("__i"), *side(column, no_id, salt))
            .join(info, on="party", how="left")
            .with_columns(pl.col("with_id") & pl.col("ident").is_not_null())
            .with_columns(
                pl.when(pl.col("with_id"))
                .then(1)
                .when(pl.col("cross"))
                .then(2)
                .otherwise(0)
                .cast(pl.Int64)
                .alias("pool")
            )
            .join(counts, on=["party", "pool"], how="left")
            .with_columns((pl.col("pick") % pl.col("n")).alias("v"))
            .join(variants, on=["party", "pool", "v"], how="left")
            .sort("__i")
        )
        out = out.with_columns(
            picked["name"].alias(f"{prefix}_name"),
            picked["country"].alias(f"{prefix}_country"),
            pl.when(picked["with_id"]).then(picked["ident"]).otherwise(None).alias(f"{prefix}_id"),
        )
    out = out.sort("date", "source", "exporter", "importer", "lot", "part", "hs_code", nulls_last=True)
    out = out.with_columns(pl.int_range(pl.len()).over("source").alias("source_row"))
    out = out.with_columns(
        (
            pl.col("source").str.slice(0, 3).str.to_uppercase()
            + pl.lit("-")
            + pl.col("source_row").cast(pl.String).str.zfill(9)
        ).alias("shipment_id"),
        pl.col("exporter_country").alias("dispatch_country"),
        pl.when(pl.col("leg") == "background")
        .then(pl.col("exporter_country"))
        .otherwise(pl.lit(None))
        .alias("origin_country"),
        pl.lit("USD").alias("currency"),
        pl.col("value_usd").alias("value_original"),
        pl.lit("pcs").alias("quantity_unit"),
        (pl.col("quantity") * 0.001).round(3).alias("net_weight_kg"),
    )
    schema = polars_schema("shipments")
    canonical = out.select([pl.col(c).cast(t) for c, t in schema.items()])
    truth_keys = out.select("lot", "part", "leg", "case", pl.col("shipment_id").alias("__sid"))
    return canonical.hstack(truth_keys.select(pl.all().name.prefix("__truth_")))


def _truth(shipments: pl.DataFrame) -> pl.DataFrame:
    """Paths of planted lots: inbound part x (middle) x outbound part; drop the helper columns from ``shipments``."""
    keys = shipments.select(
        pl.col("__truth_lot").alias("lot"),
        pl.col("__truth_part").alias("part"),
        pl.col("__truth_leg").alias("leg"),
        pl.col("__truth_case").alias("case"),
        "shipment_id",
    ).filter(pl.col("lot").is_not_null())
    inbound = keys.filter(pl.col("leg") == "in").select("lot", "case", pl.col("shipment_id").alias("s0"))
    middle = keys.filter(pl.col("leg") == "mid").select("lot", pl.col("shipment_id").alias("s1"))
    outbound = keys.filter(pl.col("leg") == "out").select("lot", pl.col("shipment_id").alias("s2"))
    paths = inbound.join(middle, on="lot", how="left").join(outbound, on="lot")
    paths = paths.with_columns(pl.concat_list("s0", "s1", "s2").list.drop_nulls().alias("ids")).with_columns(
        pl.col("ids").list.join("|").map_elements(_digest, return_dtype=pl.String).alias("chain_id")
    )
    return (
        paths.select("chain_id", "case", "ids")
        .with_columns(pl.int_ranges(0, pl.col("ids").list.len()).alias("hop"))
        .explode("ids", "hop")
        .select("chain_id", pl.col("case"), pl.col("hop").cast(pl.Int32), pl.col("ids").alias("shipment_id"))
        .sort("chain_id", "hop")
    )


def _registry(
    rng: np.random.Generator, parties: _Parties, legs: pl.DataFrame, planted: Sequence[PlantedCase], target: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Registry facts for hub traders (random, plausible) and planted parties; the watch list."""
    hub_traders = sorted(set(legs.filter(pl.col("leg") != "out")["importer"].to_list()))
    planted_by_name = {p.name: p for case in planted for p in case.parties}
    registry_rows: list[dict[str, object]] = []
    for p in hub_traders:
        name = parties.name[p]
        given = planted_by_name.get(name)
        scheme = {"RU": "INN", "KZ": "BIN", "KG": "INN"}.get(parties.country[p], "TAX_ID")
        ident = [{"scheme": scheme, "value": parties.ident[p]}] if parties.ident[p] else []
        if given is not None:
            facts = (given.founded, given.employees, given.revenue_usd, list(given.owners), given.owners_changed)
        else:
            founded = dt.date(2003, 1, 1) + dt.timedelta(days=int(rng.integers(0, 6500)))
            facts = (
                founded,
                int(rng.integers(5, 400)),
                float(rng.integers(2, 400)) * 50_000.0,
                [f"Owner of {name}"],
                None,
            )
        registry_rows.append(
            {
                "party_id": f"reg-{p}",
                "name": name,
                "aliases": [],
                "kind": "company",
                "country": parties.country[p],
                "identifiers": ident,
                "programs": [],
                "listed_on": None,
                "source": "registry",
                "source_row": len(registry_rows),
                "founded": facts[0],
                "employees": facts[1],
                "revenue_usd": facts[2],
                "owners": facts[3],
                "owners_changed": facts[4],
            }
        )
    schema = dict(polars_schema("parties")) | {"owners_changed": pl.Date()}
    registry = pl.DataFrame(registry_rows, schema=schema, orient="row")
    listed: list[tuple[str, str, str | None, list[str], dt.date | None]] = []
    buyers = sorted(
        {p for p in legs.filter(pl.col("leg") == "out")["importer"].to_list() if parties.country[p] == target}
    )
    chosen = [b for b in buyers if rng.random() < 0.1]
    for p in chosen:
        listed.append((parties.name[p], parties.country[p], parties.ident[p], ["RUSSIA-EO14024"], dt.date(2023, 5, 19)))
    for case in planted:
        for party in case.parties:
            if party.sanctioned:
                listed.append((party.name, party.country, party.identifier, list(party.programs), party.listed_on))
    watch_rows = [
        {
            "party_id": f"wl-{i}",
            "name": name,
            "aliases": [],
            "kind": "company",
            "country": country,
            "identifiers": [{"scheme": "INN", "value": ident}] if ident else [],
            "programs": programs,
            "listed_on": listed_on,
            "source": "watchlist",
            "source_row": i,
        }
        for i, (name, country, ident, programs, listed_on) in enumerate(listed)
    ]
    watchlist = pl.DataFrame(watch_rows, schema=polars_schema("parties"), orient="row")
    return registry, watchlist
