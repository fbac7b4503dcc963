"""The bundled demo scenario: seeded, small, and calibrated to the public figures of GUIDE §1.

Everything here is invented except the calibration targets, which are published figures:

- China's exports of the 45 CHPL goods to Kazakhstan + Kyrgyzstan: about $1.3 bn in 2023, +64 % on
  2022 (China's direct exports of such goods to Russia: $4.5 bn in 2023);
- drones (HS 8806): $5.9 m into Kazakhstan from China in 2023 (none in 2020 and 2021) and $2.7 m
  out of Kazakhstan to Russia; Kazakhstan makes none (no drone exports before the war);
- a Kazakh trader founded weeks after 2022-02-24 with fewer than five staff, passing US-brand
  transistors (8541.21) from China to a Russian wholesaler (Mar–Aug 2023, over $1.15 m);
- a Bishkek trader forwarding "computing machine devices" (8471) — seven shipments, $3,700, June
  2023 — from a US firm's Chinese subsidiary to a Russian firm on the watch list.

**Every company and person name is fictitious**; identifiers are random digits. The watch list is
written in the real OFAC legacy CSV layout (``sdn.csv``, ``add.csv``, ``alt.csv``: no header, CRLF,
``-0- `` for null, a trailing 0x1A byte, programs split by ``] [``), so that it goes through the
sanctions connector exactly as a real download would.

Examples:
    >>> from dualuse.synth.scenario import build_scenario
    >>> s = build_scenario()
    >>> s.flows.height > 10_000, s.shipments.height > 300, sorted(s.watchlist_files)
    (True, True, ['add.csv', 'alt.csv', 'sdn.csv'])
    >>> round(s.headline.chpl_2023_usd / 1e9, 2), round(s.headline.chpl_growth_pct)
    (1.3, 64)
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from dualuse.display import Frames, short_repr
from dualuse.lists import get as get_list
from dualuse.safe_files import ensure_folder, staged_file, write_bytes
from dualuse.schema import polars_schema

__all__ = [
    "CASE_A",
    "CASE_B",
    "INVASION",
    "CaseParties",
    "Headline",
    "Scenario",
    "ScenarioFiles",
    "build_scenario",
    "flatten_registry",
    "unflatten_registry",
    "write_scenario",
]

INVASION = dt.date(2022, 2, 24)
YEARS = (2020, 2021, 2022, 2023)
DRONES = ("880621", "880622")
CONTROLS = ("940360", "640399", "841810", "392690")
"""Goods not on any list: the control set for difference-in-differences."""

FLOWS_SOURCE = "scenario-trade-statistics"
SHIPMENT_SOURCES = {
    "KZ": "scenario-kz-import-declarations",
    "KG": "scenario-kg-import-declarations",
    "RU": "scenario-ru-import-records",
}
REGISTRY_SOURCE = "scenario-company-registry"

# Annual totals in USD, as the reporter reports them (exports FOB, imports CIF). The CN -> KZ+KG
# CHPL totals are the calibration: 2023 = 1.3 bn, 2022 = 1.3 bn / 1.64.
_CHPL_CN_EXPORTS = {
    "KZ": {2020: 352.0e6, 2021: 399.6e6, 2022: 523.2e6, 2023: 806.0e6},
    "KG": {2020: 118.0e6, 2021: 140.4e6, 2022: 1.3e9 / 1.64 - 523.2e6, 2023: 494.0e6},
    "RU": {2020: 2.6e9, 2021: 3.1e9, 2022: 3.4e9, 2023: 4.5e9},
}
_CHPL_HUB_EXPORTS_TO_RU = {
    "KZ": {2020: 30.0e6, 2021: 36.0e6, 2022: 120.0e6, 2023: 210.0e6},
    "KG": {2020: 3.0e6, 2021: 4.0e6, 2022: 60.0e6, 2023: 140.0e6},
}
# Drones: Kazakhstan's import report is the published $5.9 m; China's export report differs a little.
_DRONES_KZ_IMPORTS = {2022: 1.4e6, 2023: 5.9e6}
_DRONES_CN_EXPORTS = {"KZ": {2022: 1.33e6, 2023: 5.62e6}, "KG": {2022: 0.2e6, 2023: 0.8e6}}
_DRONES_HUB_EXPORTS_TO_RU = {"KZ": {2022: 0.3e6, 2023: 2.7e6}, "KG": {2022: 0.05e6, 2023: 0.5e6}}
_CONTROL_CN_EXPORTS = {"KZ": 60.0e6, "KG": 25.0e6, "RU": 400.0e6}
_CONTROL_HUB_EXPORTS_TO_RU = {"KZ": 4.0e6, "KG": 1.0e6}
# How the importer's report relates to the exporter's: CIF margin, and Kyrgyzstan's known
# under-recording of imports from China.
_IMPORT_FACTOR = {"KZ": 1.05, "KG": 0.55, "RU": 1.06}
_USD_PER_KG = {"84": 60.0, "85": 180.0, "88": 350.0, "90": 400.0}


@dataclass(frozen=True)
class CaseParties:
    """The parties of one planted case, as they appear in the records."""

    name: str
    hub_trader: str
    hub_trader_id: str
    buyer: str
    buyer_id: str
    supplier: str
    hs_code: str
    shipment_ids: tuple[str, ...] = ()


CASE_A = CaseParties(
    name="Kazakh trader founded weeks after the invasion (US-brand transistors)",
    hub_trader="Zharqyn Vektor LLP",
    hub_trader_id="220341098213",
    buyer="Orlanit Komplekt LLC",
    buyer_id="7729651843",
    supplier="Shenzhen Qianmo Xinke Electronics Co., Ltd.",
    hs_code="854121",
)
CASE_B = CaseParties(
    name="Bishkek trader forwarding computing devices to a listed Russian firm",
    hub_trader="Tundukbay Trade LLC",
    hub_trader_id="01406202310274",
    buyer="Kvarsol LLC",
    buyer_id="7731486205",
    supplier="Velestra Devices (Shenzhen) Co., Ltd.",
    hs_code="847150",
)


@dataclass(frozen=True)
class Headline:
    """The calibrated figures, computed from the generated flows (what the report must show)."""

    chpl_2022_usd: float
    chpl_2023_usd: float
    chpl_growth_pct: float
    drones_kz_imports_2023_usd: float
    drones_kz_exports_ru_2023_usd: float
    drones_kz_imports_prewar_usd: float
    case_b_shipments: int
    case_b_value_usd: float


@dataclass(frozen=True, repr=False)
class Scenario(Frames):
    """The generated scenario: canonical frames, the watch list files, and the ground truth."""

    flows: pl.DataFrame
    shipments: pl.DataFrame
    registry: pl.DataFrame
    watchlist_files: dict[str, bytes]
    headline: Headline
    planted_chains: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Chain name -> the shipment ids of the planted chain (inbound and outbound legs)."""

    def frames(self) -> dict[str, pl.DataFrame]:
        """``flows``, ``shipments`` and ``registry`` by name."""
        return {"flows": self.flows, "shipments": self.shipments, "registry": self.registry}

    def __repr__(self) -> str:
        return short_repr(
            "Scenario", **{n: f.height for n, f in self.frames().items()}, planted=len(self.planted_chains)
        )


@dataclass(frozen=True)
class ScenarioFiles:
    """Where :func:`write_scenario` put each input."""

    flows: Path
    shipments: dict[str, Path]
    registry: Path
    watchlist: Path
    """The folder holding ``sdn.csv``, ``add.csv`` and ``alt.csv``."""


def _month_weights(rng: random.Random, year: int) -> list[float]:
    """Twelve monthly weights with seasonality, noise and (after the invasion) a rising trend."""
    weights = []
    for month in range(1, 13):
        seasonal = 1.0 + 0.15 * (month in (3, 4, 10, 11, 12)) - 0.2 * (month in (1, 2))
        trend = 1.0 + (0.03 * month if year >= 2022 else 0.0)
        if year == 2022 and month <= 2:
            trend = 0.8
        weights.append(seasonal * trend * rng.uniform(0.85, 1.15))
    return weights


def _split(total: float, weights: list[float]) -> list[float]:
    """Split ``total`` over ``weights`` in whole dollars; the parts add up exactly."""
    scale = sum(weights)
    parts = [float(round(total * w / scale)) for w in weights]
    parts[max(range(len(parts)), key=parts.__getitem__)] += round(total) - sum(parts)
    return parts


class _FlowRows:
    """Accumulates flow rows (one reporter's report of one flow, one month)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.rows: list[dict[str, object]] = []

    def add(self, reporter: str, partner: str, flow: str, hs: str, month: dt.date, value: float) -> None:
        if value <= 0:
            return
        price = _USD_PER_KG.get(hs[:2], 25.0) * self.rng.uniform(0.8, 1.25)
        self.rows.append(
            {
                "period": month,
                "freq": "M",
                "reporter": reporter,
                "partner": partner,
                "flow": flow,
                "hs_code": hs,
                "hs_version": "HS2022",
                "value_usd": value,
                "valuation": "FOB" if flow == "export" else "CIF",
                "net_weight_kg": round(value / price, 1),
                "quantity": None,
                "quantity_unit": None,
            }
        )

    def pair(
        self, exporter: str, importer: str, hs: str, year: int, annual: float, *, import_annual: float | None = None
    ) -> None:
        """Both reports of one flow for one year: the exporter's, and the importer's mirror."""
        weights = _month_weights(self.rng, year)
        exports = _split(annual, weights)
        reported = {"CN", "KZ", "KG"} | ({"RU"} if year <= 2021 else set())  # Russia stopped reporting in 2022
        imports = (
            _split(import_annual, weights)
            if import_annual is not None
            else [v * _IMPORT_FACTOR[importer] * self.rng.uniform(0.9, 1.1) for v in exports]
        )
        for month, (out, into) in enumerate(zip(exports, imports, strict=True), start=1):
            period = dt.date(year, month, 1)
            self.add(exporter, importer, "export", hs, period, out)
            if importer in reported:
                self.add(importer, exporter, "import", hs, period, float(round(into)))


def _product_weights(rng: random.Random, codes: list[str]) -> dict[str, float]:
    # Chips, telecom gear and bearings dominate, as in the published breakdowns.
    heavy = {"854231", "854232", "851762", "847150", "848210", "854239", "853224"}
    return {c: rng.uniform(0.2, 1.0) * (6.0 if c in heavy else 1.0) for c in codes}


def _flows(rng: random.Random) -> pl.DataFrame:
    chpl = [item.code for item in get_list("chpl", version="2023").items]
    rows = _FlowRows(rng)
    for partner, totals in _CHPL_CN_EXPORTS.items():
        weights = _product_weights(rng, chpl)
        for year, total in totals.items():
            for code, part in zip(chpl, _split(total, list(weights.values())), strict=True):
                rows.pair("CN", partner, code, year, part)
    for hub, totals in _CHPL_HUB_EXPORTS_TO_RU.items():
        weights = _product_weights(rng, chpl)
        for year, total in totals.items():
            for code, part in zip(chpl, _split(total, list(weights.values())), strict=True):
                rows.pair(hub, "RU", code, year, part)
    for hub, totals in _DRONES_CN_EXPORTS.items():
        for year, total in totals.items():
            share = 0.8 if hub == "KZ" else 0.7
            for code, part in zip(DRONES, _split(total, [1 - share, share]), strict=True):
                imports = None
                if hub == "KZ":
                    imports = _split(_DRONES_KZ_IMPORTS[year], [1 - share, share])[DRONES.index(code)]
                rows.pair("CN", hub, code, year, part, import_annual=imports)
    for hub, totals in _DRONES_HUB_EXPORTS_TO_RU.items():
        for year, total in totals.items():
            for code, part in zip(DRONES, _split(total, [0.15, 0.85]), strict=True):
                rows.pair(hub, "RU", code, year, part)
    for partner, base in _CONTROL_CN_EXPORTS.items():
        for year in YEARS:
            growth = 1.08 ** (year - 2020)
            for code, part in zip(CONTROLS, _split(base * growth, [4, 3, 2, 1]), strict=True):
                rows.pair("CN", partner, code, year, part)
    for hub, base in _CONTROL_HUB_EXPORTS_TO_RU.items():
        for year in YEARS:
            for code, part in zip(CONTROLS, _split(base * 1.05 ** (year - 2020), [1, 1, 1, 1]), strict=True):
                rows.pair(hub, "RU", code, year, part)
    frame = pl.DataFrame(rows.rows, schema={k: v for k, v in polars_schema("flows").items() if k in rows.rows[0]})
    frame = frame.sort("period", "reporter", "partner", "flow", "hs_code")
    return frame.with_columns(
        pl.lit(FLOWS_SOURCE).alias("source"), pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("source_row")
    )


# --- shipments ---------------------------------------------------------------------------------

_CN_EXPORTERS = [
    ("Shenzhen Qianmo Xinke Electronics Co., Ltd.", "91440300MA5QX7KD2L"),
    ("Dongguan Lianhuo Precision Parts Co., Ltd.", "91441900MA52LK3H8Q"),
    ("Yiwu Baochen Import & Export Co., Ltd.", "91330782MA2HT0WN4C"),
    ("Xiamen Tianmu Tongxun Technology Co., Ltd.", "91350200MA8RJ21Y5F"),
    ("Ningbo Hexun Bearing Trading Co., Ltd.", "91330206MA2GU8PL1X"),
    ("Suzhou Ruiqiao Instruments Co., Ltd.", "91320505MA1Y9QHD6K"),
    ("Velestra Devices (Shenzhen) Co., Ltd.", "91440300MA5GW2RT9M"),
]
_KZ_TRADERS = [
    ("Zharqyn Vektor LLP", "220341098213"),
    ("Kokterek Systems LLP", "150840027731"),
    ("Altynsai Elektronika LLP", "090140012854"),
    ("Sarybel Industrial LLP", "120540033169"),
    ("Nurlyzhol Tech LLP", "180240019627"),
    ("Ertisbay Supply LLP", "061140004382"),
]
_KG_TRADERS = [
    ("Tundukbay Trade LLC", "01406202310274"),
    ("Ak-Bulun Komponent LLC", "02209201510368"),
    ("Chyrakbek Import LLC", "00712201210145"),
]
_RU_BUYERS = [
    ("Orlanit Komplekt LLC", "7729651843"),
    ("Kvarsol LLC", "7731486205"),
    ("Severovolt Trading House LLC", "7810394462"),
    ("Belomir Radiodetal LLC", "5406829137"),
]
# How the same party is written in other sources: Cyrillic, legal form first, transliteration variants.
_SPELLINGS = {
    "Zharqyn Vektor LLP": ["ТОО «Жарқын Вектор»", "TOO Zharkyn Vector", "ZHARQYN VEKTOR LLP"],
    "Orlanit Komplekt LLC": ["ООО «Орланит Комплект»", "OOO Orlanit Komplekt", "ORLANIT KOMPLEKT OOO"],
    "Tundukbay Trade LLC": ["ОсОО «Тундукбай Трейд»", "OsOO Tunduk-Bai Treid", "TUNDUKBAY TRADE LLC"],
    "Kvarsol LLC": ["ООО «Кварсол»", "OOO Kvarsol", "KVARSOL LIMITED LIABILITY COMPANY"],
}
_BRANDS = {
    "854121": ("Calderon Semiconductor Inc.", "CALDERON", "US"),
    "854231": ("Marlow Logic Corp.", "MARLOWLOGIC", "US"),
    "854232": ("Hanbit Memory Co.", "HANBIT", "KR"),
    "851762": ("Qianmo Networks", "QIANMO", "CN"),
    "848210": ("Hexun Bearing", "HEXUN", "CN"),
    "847150": ("Velestra Devices Inc.", "VELESTRA", "US"),
    "853224": ("Lianhuo Ceramics", "LIANHUO", "CN"),
    "903020": ("Ruiqiao Instruments", "RUIQIAO", "CN"),
}
_DESCRIPTIONS = {
    "854121": "Transistors, dissipation < 1 W, SOT-23",
    "854231": "Microcontrollers, 32-bit, LQFP-64",
    "854232": "DRAM memory chips, DDR4",
    "851762": "Network routers and switches",
    "848210": "Ball bearings, deep groove",
    "847150": "Computing machine devices (processing units)",
    "853224": "Multilayer ceramic capacitors",
    "903020": "Digital oscilloscopes",
}
_RU_DESCRIPTIONS = {
    "854121": "Транзисторы с рассеиваемой мощностью менее 1 Вт",
    "854231": "Микроконтроллеры 32-разрядные",
    "854232": "Микросхемы памяти DDR4",
    "851762": "Маршрутизаторы и коммутаторы",
    "848210": "Подшипники шариковые радиальные",
    "847150": "Вычислительные машины (устройства обработки)",
    "853224": "Конденсаторы керамические многослойные",
    "903020": "Осциллографы цифровые",
}
_UNIT_PRICE = {
    "854121": 0.12,
    "854231": 3.5,
    "854232": 4.0,
    "851762": 240.0,
    "848210": 6.0,
    "847150": 185.0,
    "853224": 0.03,
    "903020": 900.0,
}


class _ShipmentRows:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.rows: list[dict[str, object]] = []
        self.counter = 0

    def add(
        self,
        *,
        date: dt.date,
        hs: str,
        exporter: tuple[str, str],
        exporter_country: str,
        importer: tuple[str, str],
        importer_country: str,
        value: float,
        quantity: float | None = None,
        brand: bool = True,
        spelling: bool = True,
        description: str | None = None,
        origin: str | None = None,
    ) -> str:
        self.counter += 1
        shipment_id = f"S{self.counter:05d}"
        source = SHIPMENT_SOURCES[importer_country]
        russian = importer_country == "RU"
        manufacturer, brand_name, brand_origin = _BRANDS.get(hs, (None, None, None))
        if not brand or self.rng.random() < 0.15:
            manufacturer, brand_name = None, None
        if quantity is None:
            quantity = round(value / (_UNIT_PRICE.get(hs, 10.0) * self.rng.uniform(0.9, 1.1)))
        self.rows.append(
            {
                "shipment_id": shipment_id,
                "date": date,
                "hs_code": hs + ("0000" if russian else "00"),  # national codes: 10 digits RU, 8 KZ/KG
                "description": description or (_RU_DESCRIPTIONS if russian else _DESCRIPTIONS).get(hs, "Goods"),
                "exporter_name": self._spell(exporter[0], spelling),
                "exporter_country": exporter_country,
                "exporter_id": exporter[1] if self.rng.random() < 0.9 else None,
                "importer_name": self._spell(importer[0], spelling),
                "importer_country": importer_country,
                "importer_id": importer[1],
                "manufacturer": manufacturer,
                "brand": brand_name,
                "origin_country": origin or brand_origin or "CN",
                "dispatch_country": exporter_country,
                "value_usd": round(value, 2),
                "quantity": float(quantity),
                "quantity_unit": "pcs",
                "net_weight_kg": round(value / _USD_PER_KG.get(hs[:2], 25.0), 1),
                "source": source,
            }
        )
        return shipment_id

    def _spell(self, name: str, vary: bool) -> str:
        variants = _SPELLINGS.get(name)
        if not vary or not variants or self.rng.random() < 0.4:
            return name
        return self.rng.choice(variants)


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def _chain(
    rows: _ShipmentRows,
    *,
    hs: str,
    supplier: tuple[str, str],
    hub: tuple[str, str],
    hub_country: str,
    buyer: tuple[str, str],
    start: dt.date,
    months: int,
    monthly_value: float,
    markup: float = 1.25,
    lag_days: int = 18,
) -> tuple[str, ...]:
    """A planted chain: monthly inbound lots to the hub, each sold on to the buyer within weeks."""
    ids = []
    for m in range(months):
        arrived = _add_months(start, m) + dt.timedelta(days=rows.rng.randrange(0, 10))
        value = monthly_value * rows.rng.uniform(0.8, 1.2)
        quantity = round(value / _UNIT_PRICE[hs])
        ids.append(
            rows.add(
                date=arrived,
                hs=hs,
                exporter=supplier,
                exporter_country="CN",
                importer=hub,
                importer_country=hub_country,
                value=value,
                quantity=quantity,
            )
        )
        ids.append(
            rows.add(
                date=arrived + dt.timedelta(days=rows.rng.randrange(5, lag_days)),
                hs=hs,
                exporter=hub,
                exporter_country=hub_country,
                importer=buyer,
                importer_country="RU",
                value=value * markup,
                quantity=quantity,
            )
        )
    return tuple(ids)


def _add_months(day: dt.date, months: int) -> dt.date:
    total = day.month - 1 + months
    return dt.date(day.year + total // 12, total % 12 + 1, 1)


def _shipments(rng: random.Random) -> tuple[pl.DataFrame, dict[str, tuple[str, ...]]]:
    rows = _ShipmentRows(rng)
    planted: dict[str, tuple[str, ...]] = {}
    suppliers = {name: (name, ident) for name, ident in _CN_EXPORTERS}
    kz = dict(_KZ_TRADERS)
    kg = dict(_KG_TRADERS)
    ru = dict(_RU_BUYERS)

    # Case A: transistors, April 2022 onwards; the 2023 flow to Russia is over $1.15 m (Mar-Aug).
    a_hub = (CASE_A.hub_trader, kz[CASE_A.hub_trader])
    a_buyer = (CASE_A.buyer, ru[CASE_A.buyer])
    a_supplier = suppliers[CASE_A.supplier]
    ids = _chain(
        rows,
        hs="854121",
        supplier=a_supplier,
        hub=a_hub,
        hub_country="KZ",
        buyer=a_buyer,
        start=dt.date(2022, 4, 1),
        months=9,
        monthly_value=90_000,
    )
    ids += _chain(
        rows,
        hs="854121",
        supplier=a_supplier,
        hub=a_hub,
        hub_country="KZ",
        buyer=a_buyer,
        start=dt.date(2023, 3, 1),
        months=6,
        monthly_value=160_000,
    )
    planted["A"] = ids
    # ~65 % of the trader's imports come from outside China (consignments dispatched from Hong Kong and the UAE).
    others = [
        ("Kowloon Meridian Components Ltd.", "73049218", "HK"),
        ("Jebel Arcadia Electronics FZE", "FZE-44817", "AE"),
    ]
    for _ in range(21):
        other_name, other_id, other_country = rng.choice(others)
        rows.add(
            date=_day(rng, dt.date(2022, 4, 1), dt.date(2023, 8, 31)),
            hs=rng.choice(["854231", "854232", "853224"]),
            exporter=(other_name, other_id),
            exporter_country=other_country,
            importer=a_hub,
            importer_country="KZ",
            value=rng.uniform(120_000, 200_000),
            origin="CN",
        )

    # Case B: seven shipments, $3,700 in total, June 2023; forwarded in July.
    b_hub = (CASE_B.hub_trader, kg[CASE_B.hub_trader])
    b_buyer = (CASE_B.buyer, ru[CASE_B.buyer])
    b_supplier = suppliers[CASE_B.supplier]
    values = _split(3_700.0, [rng.uniform(0.7, 1.3) for _ in range(7)])
    ids_b = []
    for k, value in enumerate(values):
        day = dt.date(2023, 6, 2 + 4 * k)
        quantity = max(1, round(value / 185.0))
        ids_b.append(
            rows.add(
                date=day,
                hs="847150",
                exporter=b_supplier,
                exporter_country="CN",
                importer=b_hub,
                importer_country="KG",
                value=value,
                quantity=quantity,
                description="Computing machine devices (processing units)",
                spelling=False,
            )
        )
        ids_b.append(
            rows.add(
                date=day + dt.timedelta(days=12 + k),
                hs="847150",
                exporter=b_hub,
                exporter_country="KG",
                importer=b_buyer,
                importer_country="RU",
                value=value * 1.3,
                quantity=quantity,
            )
        )
    planted["B"] = tuple(ids_b)

    # Background chains through other traders, and decoy traders that import and sell at home.
    background = [
        (
            "848210",
            "Ningbo Hexun Bearing Trading Co., Ltd.",
            "Kokterek Systems LLP",
            "KZ",
            "Severovolt Trading House LLC",
        ),
        (
            "851762",
            "Xiamen Tianmu Tongxun Technology Co., Ltd.",
            "Ak-Bulun Komponent LLC",
            "KG",
            "Belomir Radiodetal LLC",
        ),
        ("854231", "Shenzhen Qianmo Xinke Electronics Co., Ltd.", "Nurlyzhol Tech LLP", "KZ", "Belomir Radiodetal LLC"),
    ]
    for n, (hs, supplier, hub_name, hub_country, buyer) in enumerate(background):
        hub_id = kz.get(hub_name) or kg[hub_name]
        planted[f"background-{n + 1}"] = _chain(
            rows,
            hs=hs,
            supplier=suppliers[supplier],
            hub=(hub_name, hub_id),
            hub_country=hub_country,
            buyer=(buyer, ru[buyer]),
            start=dt.date(2022, 6 + n, 1),
            months=8,
            monthly_value=rng.uniform(40_000, 120_000),
        )
    decoys = [("Altynsai Elektronika LLP", "KZ"), ("Sarybel Industrial LLP", "KZ"), ("Chyrakbek Import LLC", "KG")]
    decoys += [("Ertisbay Supply LLP", "KZ")]
    for name, country in decoys:
        hub = (name, (kz | kg)[name])
        for _ in range(60):
            hs = rng.choice(list(_BRANDS))
            decoy_supplier = rng.choice(_CN_EXPORTERS[1:6])
            rows.add(
                date=_day(rng, dt.date(2020, 1, 1), dt.date(2023, 12, 31)),
                hs=hs,
                exporter=decoy_supplier,
                exporter_country="CN",
                importer=hub,
                importer_country=country,
                value=rng.uniform(5_000, 80_000),
            )
    frame = pl.DataFrame(rows.rows, schema={k: v for k, v in polars_schema("shipments").items() if k in rows.rows[0]})
    frame = frame.sort("source", "date", "shipment_id").with_columns(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).over("source").alias("source_row")
    )
    return frame, planted


# --- registry and watch list -------------------------------------------------------------------


def _registry() -> pl.DataFrame:
    """Registry extracts for the hub traders (founding date, staff, turnover, owners)."""
    records = [
        (
            "Zharqyn Vektor LLP",
            "KZ",
            "220341098213",
            dt.date(2022, 3, 17),
            3,
            14.5e6,
            ["Gennady P. Morozkin (RU)", "Aidos B. Serikbayev (KZ, since 2023-03)"],
        ),
        ("Kokterek Systems LLP", "KZ", "150840027731", dt.date(2015, 8, 4), 42, 9.1e6, ["Kokterek Holding JSC (KZ)"]),
        (
            "Altynsai Elektronika LLP",
            "KZ",
            "090140012854",
            dt.date(2009, 1, 20),
            118,
            21.0e6,
            ["Marat Zh. Altynsayev (KZ)"],
        ),
        ("Sarybel Industrial LLP", "KZ", "120540033169", dt.date(2012, 5, 11), 64, 12.4e6, ["Sarybel Group JSC (KZ)"]),
        ("Nurlyzhol Tech LLP", "KZ", "180240019627", dt.date(2018, 2, 9), 11, 6.3e6, ["Yerlan K. Nurtazin (KZ)"]),
        ("Ertisbay Supply LLP", "KZ", "061140004382", dt.date(2006, 11, 2), 85, 17.8e6, ["Ertisbay Group JSC (KZ)"]),
        ("Tundukbay Trade LLC", "KG", "01406202310274", dt.date(2023, 5, 3), 2, 0.4e6, ["Timur A. Osmonaliev (KG)"]),
        ("Ak-Bulun Komponent LLC", "KG", "02209201510368", dt.date(2015, 9, 22), 14, 3.2e6, ["Ak-Bulun Group (KG)"]),
        (
            "Chyrakbek Import LLC",
            "KG",
            "00712201210145",
            dt.date(2012, 12, 7),
            23,
            4.9e6,
            ["Bakyt S. Chyrakbekov (KG)"],
        ),
    ]
    scheme = {"KZ": "BIN", "KG": "INN"}
    return pl.DataFrame(
        [
            {
                "party_id": f"REG-{country}-{ident}",
                "name": name,
                "aliases": _SPELLINGS.get(name, []),
                "kind": "company",
                "country": country,
                "identifiers": [{"scheme": scheme[country], "value": ident}],
                "programs": [],
                "listed_on": None,
                "source": REGISTRY_SOURCE,
                "source_row": n,
                "founded": founded,
                "employees": staff,
                "revenue_usd": revenue,
                "owners": owners,
            }
            for n, (name, country, ident, founded, staff, revenue, owners) in enumerate(records, start=1)
        ],
        schema=polars_schema("parties"),
    )


# (ent_num, name, type, programs, remarks, addresses [(street, city, country)], aliases [(type, name)])
_WATCHLIST: list[
    tuple[int, str, str | None, str, str, list[tuple[str | None, str | None, str]], list[tuple[str, str]]]
] = [
    (
        91207,
        "LIMITED LIABILITY COMPANY KVARSOL",
        None,
        "RUSSIA-EO14024",
        "Organization Type: Wholesale of computers, computer peripheral equipment and software; Tax ID No. 7731486205 (Russia); Registration Number 1187746630519 (Russia).",
        [("ul. Primernaya 1 (fictitious)", "Moscow", "Russia")],
        [("aka", "OOO KVARSOL"), ("aka", "KVARSOL LLC")],
    ),
    (
        91388,
        "LIMITED LIABILITY PARTNERSHIP ZHARQYN VEKTOR",
        None,
        "RUSSIA-EO14024",
        "Identification Number 220341098213 (Kazakhstan); Organization Established Date 17 Mar 2022.",
        [("Obrazets Street 1 (fictitious)", "Almaty", "Kazakhstan")],
        [("aka", "ZHARQYN VEKTOR LLP"), ("aka", "TOO ZHARKYN VECTOR")],
    ),
    (
        91402,
        "LIMITED LIABILITY COMPANY SEVEROVOLT",
        None,
        "RUSSIA-EO14024",
        "Tax ID No. 7810749921 (Russia); Registration Number 1207800154471 (Russia).",
        [(None, "Saint Petersburg", "Russia")],
        [("aka", "OOO SEVEROVOLT")],
    ),
    (
        91415,
        "JOINT STOCK COMPANY NPP ORLANSKY PRIBOR",
        None,
        "UKRAINE-EO13662] [RUSSIA-EO14024",
        "Tax ID No. 5262018843 (Russia); Linked To: LIMITED LIABILITY COMPANY KVARSOL.",
        [(None, "Nizhny Novgorod", "Russia")],
        [("aka", "AO NPP ORLANSKY PRIBOR")],
    ),
    (
        91433,
        "VESTRAMAR TRADING FZE",
        None,
        "RUSSIA-EO14024",
        "Registration Number 0007741 (United Arab Emirates).",
        [("Warehouse 14, Saif Zone", "Sharjah", "United Arab Emirates")],
        [],
    ),
    (
        91450,
        "TEKHNOKOMPLEKT-SNAB LLC",
        None,
        "RUSSIA-EO14024",
        "Tax ID No. 7702965310 (Russia).",
        [(None, "Moscow", "Russia")],
        [("fka", "OOO TEKHNOSNAB-K")],
    ),
    (
        91466,
        "MOROZKIN, Gennady Petrovich",
        "individual",
        "RUSSIA-EO14024",
        "DOB 11 Apr 1978; nationality Russia; Gender Male; Tax ID No. 771502938416 (Russia).",
        [(None, None, "Russia")],
        [("aka", "MOROZKIN, Gennadiy")],
    ),
    (
        91471,
        "DRAVINSKAYA, Olesya Igorevna",
        "individual",
        "RUSSIA-EO14024",
        "DOB 02 Sep 1985; nationality Russia; Gender Female.",
        [(None, "Moscow", "Russia")],
        [],
    ),
    (
        91480,
        "SEVERNY PRIBOY",
        "vessel",
        "RUSSIA-EO14024",
        "Vessel Registration Identification IMO 9384412; Linked To: VESTRAMAR TRADING FZE.",
        [],
        [],
    ),
    (
        91495,
        "ALATOO MIKROTEKH LLC",
        None,
        "RUSSIA-EO14024",
        "Registration Number 01903202210458 (Kyrgyzstan); Linked To: LIMITED LIABILITY COMPANY KVARSOL.",
        [("Chui Avenue 219", "Bishkek", "Kyrgyzstan")],
        [("aka", "OSOO ALATOO MIKROTEKH")],
    ),
]


def _q(value: str | int | None) -> str:
    """One OFAC legacy CSV cell: ``-0- `` for null, numbers bare, text in double quotes."""
    if value is None:
        return "-0- "
    if isinstance(value, int):
        return str(value)
    return '"' + value.replace('"', "'") + '"'


def _ofac_file(rows: list[list[str | int | None]]) -> bytes:
    text = "".join(",".join(_q(v) for v in row) + "\r\n" for row in rows)
    return text.encode("utf-8") + b"\x1a"


def _watchlist_files() -> dict[str, bytes]:
    sdn: list[list[str | int | None]] = []
    add: list[list[str | int | None]] = []
    alt: list[list[str | int | None]] = []
    add_num, alt_num = 70100, 80100
    for ent, name, kind, programs, remarks, addresses, aliases in _WATCHLIST:
        vessel = kind == "vessel"
        # ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks
        row: list[str | int | None] = [ent, name, kind, programs, None, None, None, None, None, None, None, remarks]
        if vessel:
            row[6], row[9] = "General Cargo", "Russia"
        sdn.append(row)
        for street, city, country in addresses:
            add_num += 1
            add.append([ent, add_num, street, city, country, None])
        for alt_type, alias in aliases:
            alt_num += 1
            alt.append([ent, alt_num, alt_type, alias, None])
    return {"sdn.csv": _ofac_file(sdn), "add.csv": _ofac_file(add), "alt.csv": _ofac_file(alt)}


def _headline(flows: pl.DataFrame, shipments: pl.DataFrame, planted: dict[str, tuple[str, ...]]) -> Headline:
    chpl = [item.code for item in get_list("chpl", version="2023").items]
    year = pl.col("period").dt.year()

    def total(expr: pl.Expr) -> float:
        return float(flows.filter(expr)["value_usd"].sum())

    cn_exports = (pl.col("reporter") == "CN") & (pl.col("flow") == "export") & pl.col("partner").is_in(["KZ", "KG"])
    cn_exports &= pl.col("hs_code").is_in(chpl)
    kz_drones = (pl.col("reporter") == "KZ") & pl.col("hs_code").str.starts_with("8806")
    c22, c23 = total(cn_exports & (year == 2022)), total(cn_exports & (year == 2023))
    b_in = shipments.filter(pl.col("shipment_id").is_in(list(planted["B"])) & (pl.col("importer_country") == "KG"))
    return Headline(
        chpl_2022_usd=c22,
        chpl_2023_usd=c23,
        chpl_growth_pct=100.0 * (c23 / c22 - 1.0),
        drones_kz_imports_2023_usd=total(kz_drones & (pl.col("flow") == "import") & (year == 2023)),
        drones_kz_exports_ru_2023_usd=total(kz_drones & (pl.col("flow") == "export") & (year == 2023)),
        drones_kz_imports_prewar_usd=total(kz_drones & (pl.col("flow") == "import") & (year <= 2021)),
        case_b_shipments=b_in.height,
        case_b_value_usd=float(b_in["value_usd"].sum()),
    )


def build_scenario(seed: int = 20230601) -> Scenario:
    """Generate the demo scenario (deterministic for a given ``seed``; well under a second).

    Examples:
        >>> s = build_scenario()
        >>> round(s.headline.drones_kz_imports_2023_usd / 1e6, 1), round(s.headline.drones_kz_exports_ru_2023_usd / 1e6, 1)
        (5.9, 2.7)
        >>> s.headline.case_b_shipments, s.headline.case_b_value_usd
        (7, 3700.0)
    """
    rng = random.Random(seed)
    flows = _flows(rng)
    shipments, planted = _shipments(rng)
    return Scenario(
        flows=flows,
        shipments=shipments,
        registry=_registry(),
        watchlist_files=_watchlist_files(),
        headline=_headline(flows, shipments, planted),
        planted_chains=planted,
    )


def flatten_registry(registry: pl.DataFrame) -> pl.DataFrame:
    """A registry extract as a flat file carries it: one identifier, owners as ``; ``-separated text.

    Examples:
        >>> flat = flatten_registry(build_scenario().registry)
        >>> flat.row(0, named=True)["registration_id"], flat.schema["owner_history"]
        ('220341098213', String)
    """
    return registry.select(
        "party_id",
        "name",
        "kind",
        "country",
        "founded",
        "employees",
        "revenue_usd",
        pl.col("identifiers").list.first().struct.field("scheme").alias("registration_scheme"),
        pl.col("identifiers").list.first().struct.field("value").alias("registration_id"),
        pl.col("aliases").list.join("; ").alias("other_names"),
        pl.col("owners").list.join("; ").alias("owner_history"),
    )


def unflatten_registry(flat: pl.DataFrame) -> pl.DataFrame:
    """Rebuild the nested canonical columns (identifiers, aliases, owners) from :func:`flatten_registry`'s.

    Examples:
        >>> s = build_scenario()
        >>> back = unflatten_registry(flatten_registry(s.registry).with_columns(source=pl.lit("r"), source_row=pl.lit(1)))
        >>> owners = back.row(0, named=True)["owners"]
        >>> back["identifiers"].to_list() == s.registry["identifiers"].to_list(), owners.pop()
        (True, 'Aidos B. Serikbayev (KZ, since 2023-03)')
    """
    split = {
        "aliases": pl.col("other_names").str.split("; ").list.eval(pl.element().filter(pl.element() != "")),
        "owners": pl.col("owner_history").str.split("; ").list.eval(pl.element().filter(pl.element() != "")),
    }
    ident = pl.struct(pl.col("registration_scheme").alias("scheme"), pl.col("registration_id").alias("value"))
    rebuilt = flat.with_columns(
        pl.when(pl.col("registration_id").is_not_null())
        .then(pl.concat_list(ident))
        .otherwise(pl.lit([]))
        .alias("identifiers"),
        *[expr.fill_null([]).alias(name) for name, expr in split.items()],
    )
    schema = polars_schema("parties")
    return rebuilt.select(
        [pl.col(n).cast(d) if n in rebuilt.columns else pl.lit(None, d).alias(n) for n, d in schema.items()]
    )


def _write_parquet(frame: pl.DataFrame, path: Path) -> Path:
    """Write through a staged file, so a link planted at ``path`` is replaced, never followed."""
    with staged_file(path) as staged:
        frame.write_parquet(staged)
    return path


def write_scenario(scenario: Scenario, folder: Path) -> ScenarioFiles:
    """Write the scenario's inputs as files, as an analyst would receive them.

    Flows and registry as Parquet, shipments as one Parquet file per source, the watch list as the
    three OFAC legacy CSV files.

    Examples:
        >>> import tempfile, pathlib
        >>> files = write_scenario(build_scenario(), pathlib.Path(tempfile.mkdtemp()))
        >>> sorted(p.name for p in files.watchlist.iterdir()), files.flows.name
        (['add.csv', 'alt.csv', 'sdn.csv'], 'trade_statistics.parquet')
    """
    folder.mkdir(parents=True, exist_ok=True)
    flows = _write_parquet(scenario.flows.drop("source", "source_row"), folder / "trade_statistics.parquet")
    shipments = {}
    for country, source in SHIPMENT_SOURCES.items():
        path = folder / f"shipments_{country.lower()}.parquet"
        _write_parquet(scenario.shipments.filter(pl.col("source") == source).drop("source", "source_row"), path)
        shipments[country] = path
    registry = _write_parquet(flatten_registry(scenario.registry), folder / "company_registry.parquet")
    watchlist = ensure_folder(folder / "watchlist", root=folder)
    for name, content in scenario.watchlist_files.items():
        write_bytes(watchlist / name, content)
    return ScenarioFiles(flows=flows, shipments=shipments, registry=registry, watchlist=watchlist)
