"""US CSL, EU FSF, UK Sanctions List and OpenSanctions: small files written in their documented layouts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from dualuse_sanctions.csl import ENTITY_LIST, parse_csl_csv, parse_csl_json
from dualuse_sanctions.eu import parse_eu_csv, parse_eu_xml
from dualuse_sanctions.opensanctions import parse_ftm_json, parse_targets_simple
from dualuse_sanctions.records import ParseResult, collect
from dualuse_sanctions.uk import parse_uk_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dualuse.errors import InputError
from dualuse.schema import validate

CSL_COLUMNS = [
    "_id", "source", "entity_number", "type", "programs", "name", "title", "addresses", "federal_register_notice",
    "start_date", "end_date", "standard_order", "license_requirement", "license_policy", "call_sign", "vessel_type",
    "gross_tonnage", "gross_registered_tonnage", "vessel_flag", "vessel_owner", "remarks", "source_list_url",
    "alt_names", "citizenships", "dates_of_birth", "nationalities", "places_of_birth", "source_information_url", "ids",
]  # fmt: skip
SDN = "Specially Designated Nationals (SDN) - Treasury Department"


def _csv(columns: list[str], rows: list[dict[str, str]], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _rows(result: ParseResult) -> dict[str, dict[str, object]]:
    assert validate(result.parties, "parties").ok
    return {str(r["party_id"]): r for r in result.parties.iter_rows(named=True)}


def _check_tally(result: ParseResult, source: str, rows: int, parties: int, merged: int, rejected: int) -> None:
    tally = result.tally(source)
    assert (tally.rows, tally.parties, tally.merged, tally.rejected) == (rows, parties, merged, rejected)


CSL_ROWS = [
    {"_id": "a1", "source": SDN, "entity_number": "41962", "type": "Entity", "programs": "RUSSIA-EO14024",
     "name": "BRAND SERVER OPTIONS", "addresses": "ul. Butlerova d. 17B, Moscow, 117342, RU",
     "alt_names": "BSO", "remarks": "Tax ID No. 7724317936 (Russia); Registration Number 1157746419082 (Russia).",
     "start_date": "2022-05-08", "ids": "Tax ID No., 7724317936, RU"},
    {"_id": "b2", "source": ENTITY_LIST, "type": "", "name": "LIMITED LIABILITY PARTNERSHIP ELEM GROUP",
     "addresses": "Ulitsa Nauriyzbai Batiyra, Dom 8, Almaty, KZ", "start_date": "2023-12-06",
     "alt_names": "ELEM GROUP LLP; TOO ELEM GROUP"},
    {"_id": "c3", "source": SDN, "type": "Individual", "programs": "RUSSIA-EO14024; UKRAINE-EO13662",
     "name": "GREF, Herman Oskarovich", "nationalities": "RU", "ids": "Passport, 760508990, RU"},
    {"_id": "d4", "source": SDN, "type": "Entity", "name": ""},
    {"_id": "e5", "source": SDN, "type": "Submarine", "name": "X"},
]  # fmt: skip


def test_csl_csv(tmp_path: Path) -> None:
    path = tmp_path / "consolidated.csv"
    path.write_text(_csv(CSL_COLUMNS, CSL_ROWS) + "f6,too,few\n")
    result = collect(parse_csl_csv(path))
    _check_tally(result, "us-csl:consolidated.csv", 6, 3, 0, 3)
    rows = _rows(result)
    bso = rows["us-csl:a1"]
    assert (bso["kind"], bso["country"], bso["aliases"], bso["listed_on"]) == (
        "company",
        "RU",
        ["BSO"],
        dt.date(2022, 5, 8),
    )
    assert bso["identifiers"] == [
        {"scheme": "INN", "value": "7724317936"},
        {"scheme": "OGRN", "value": "1157746419082"},
    ]
    elem = rows["us-csl:b2"]
    assert (elem["kind"], elem["country"], elem["programs"], elem["list_name"]) == (
        "unknown",
        "KZ",
        ["EL"],
        ENTITY_LIST,
    )
    assert elem["aliases"] == ["ELEM GROUP LLP", "TOO ELEM GROUP"]
    gref = rows["us-csl:c3"]
    assert (gref["kind"], gref["country"], gref["programs"]) == ("person", "RU", ["RUSSIA-EO14024", "UKRAINE-EO13662"])
    assert gref["identifiers"] == [{"scheme": "PASSPORT", "value": "760508990"}]
    assert sorted(zip(result.rejected["row"].to_list(), result.rejected["reason"].to_list(), strict=True)) == [
        (3, "no name"),
        (4, "expected Individual, Entity, Vessel, Aircraft or empty"),
        (5, "the row's cell count differs from the header's"),
    ]


def test_csl_json_matches_csv(tmp_path: Path) -> None:
    records = [
        {"id": "a1", "source": SDN, "type": "Entity", "programs": ["RUSSIA-EO14024"], "name": "BRAND SERVER OPTIONS",
         "addresses": [{"address": "ul. Butlerova d. 17B", "city": "Moscow", "country": "RU"}], "alt_names": ["BSO"],
         "ids": [{"type": "Tax ID No.", "number": "7724317936", "country": "RU"}], "start_date": "2022-05-08"},
        {"id": "b2", "source": ENTITY_LIST, "type": None, "name": "LIMITED LIABILITY PARTNERSHIP ELEM GROUP",
         "addresses": [{"city": "Almaty", "country": "KZ"}], "start_date": "2023-12-06", "alt_names": []},
        "not an object",
    ]  # fmt: skip
    path = tmp_path / "consolidated.json"
    path.write_text(json.dumps({"sources_used": [], "results": records}))
    result = collect(parse_csl_json(path))
    _check_tally(result, "us-csl:consolidated.json", 3, 2, 0, 1)
    rows = _rows(result)
    assert rows["us-csl:a1"]["identifiers"] == [{"scheme": "INN", "value": "7724317936"}]
    assert (rows["us-csl:b2"]["country"], rows["us-csl:b2"]["programs"]) == ("KZ", ["EL"])


EU_COLUMNS = [
    "fileGenerationDate", "Entity_LogicalId", "Entity_EU_ReferenceNumber", "Entity_UnitedNationId",
    "Entity_DesignationDate", "Entity_DesignationDetails", "Entity_Remark", "Entity_SubjectType",
    "Entity_SubjectType_ClassificationCode", "Entity_Regulation_Type", "Entity_Regulation_PublicationDate",
    "Entity_Regulation_Programme", "NameAlias_LastName", "NameAlias_FirstName", "NameAlias_WholeName",
    "Address_City", "Address_CountryIso2Code", "Address_CountryDescription", "Identification_Number",
    "Identification_TypeCode", "Identification_TypeDescription", "Identification_CountryIso2Code",
    "Citizenship_CountryIso2Code",
]  # fmt: skip


def _eu(**cells: str) -> dict[str, str]:
    return {"fileGenerationDate": "2024-05-03", **cells}


def test_eu_csv_groups_sub_records(tmp_path: Path) -> None:
    company = {
        "Entity_LogicalId": "7001",
        "Entity_SubjectType": "enterprise",
        "Entity_SubjectType_ClassificationCode": "E",
        "Entity_Regulation_Programme": "RUS",
        "Entity_Regulation_PublicationDate": "2023-06-23",
    }
    person = {
        "Entity_LogicalId": "7002",
        "Entity_SubjectType": "person",
        "Entity_SubjectType_ClassificationCode": "P",
        "Entity_DesignationDate": "2022-02-28",
        "Entity_Regulation_Programme": "RUS",
    }
    rows = [
        _eu(**company, NameAlias_WholeName="Joint Stock Company Alfa"),
        _eu(**person, NameAlias_WholeName="Herman Oskarovich GREF"),
        _eu(**company, NameAlias_WholeName="АО Альфа"),
        _eu(**company, Address_City="Moscow", Address_CountryIso2Code="RU"),
        _eu(**company, Identification_Number="7724317936", Identification_TypeCode="tax",
            Identification_TypeDescription="Tax Identification Number", Identification_CountryIso2Code="RU"),
        _eu(**person, Citizenship_CountryIso2Code="RU"),
        _eu(**person, Identification_Number="760508990", Identification_TypeCode="passport",
            Identification_CountryIso2Code="00"),
        _eu(Entity_LogicalId="7003", Entity_SubjectType_ClassificationCode="E", Address_CountryIso2Code="KZ"),
        _eu(Entity_LogicalId="", NameAlias_WholeName="orphan"),
    ]  # fmt: skip
    path = tmp_path / "eu.csv"
    path.write_text(_csv(EU_COLUMNS, rows, delimiter=";"))
    result = collect(parse_eu_csv(path))
    # 9 rows: 2 entities (rows 1, 2) + 5 merged sub-records; entity 7003 has no name; one row has no id.
    _check_tally(result, "eu-fsf:eu.csv", 9, 2, 5, 2)
    parties = _rows(result)
    alfa = parties["eu-fsf:7001"]
    assert (alfa["name"], alfa["aliases"], alfa["kind"], alfa["country"]) == (
        "Joint Stock Company Alfa",
        ["АО Альфа"],
        "company",
        "RU",
    )
    assert alfa["identifiers"] == [{"scheme": "INN", "value": "7724317936"}]
    assert (alfa["programs"], alfa["listed_on"]) == (["RUS"], dt.date(2023, 6, 23))
    assert (alfa["source_row"], alfa["merged_from"]) == (1, ["eu-fsf:eu.csv#3", "eu-fsf:eu.csv#4", "eu-fsf:eu.csv#5"])
    gref = parties["eu-fsf:7002"]
    assert (gref["kind"], gref["country"], gref["listed_on"]) == ("person", "RU", dt.date(2022, 2, 28))
    assert gref["identifiers"] == [{"scheme": "PASSPORT", "value": "760508990"}]
    reasons = sorted(zip(result.rejected["row"].to_list(), result.rejected["reason"].to_list(), strict=True))
    assert reasons == [(7, "entity 7003 has no name in any row"), (8, "no Entity_LogicalId")]


def test_eu_csv_without_its_key_column(tmp_path: Path) -> None:
    path = tmp_path / "eu.csv"
    path.write_text("a;b\n1;2\n")
    with pytest.raises(InputError, match="column Entity_LogicalId: missing column"):
        list(parse_eu_csv(path))


def test_eu_xml(tmp_path: Path) -> None:
    path = tmp_path / "eu.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2024-05-03T09:00:00">'
        '<sanctionEntity designationDetails="" unitedNationId="" euReferenceNumber="EU.9001.12" logicalId="7001">'
        '<regulation regulationType="amendment" publicationDate="2023-06-23" programme="RUS" logicalId="1">'
        "<publicationUrl>https://eur-lex.europa.eu/</publicationUrl></regulation>"
        '<subjectType code="enterprise" classificationCode="E"/>'
        '<nameAlias wholeName="Joint Stock Company Alfa" nameLanguage="" strong="true" logicalId="2"/>'
        '<nameAlias wholeName="АО Альфа" nameLanguage="RU" strong="true" logicalId="3"/>'
        '<identification identificationTypeCode="regnumber" identificationTypeDescription="Registration Number"'
        ' number="1157746419082" countryIso2Code="RU" logicalId="4"/>'
        '<address city="Moscow" countryIso2Code="RU" countryDescription="RUSSIAN FEDERATION" logicalId="5"/>'
        "</sanctionEntity>"
        '<sanctionEntity logicalId="7002"><subjectType code="person" classificationCode="P"/></sanctionEntity>'
        "</export>"
    )
    result = collect(parse_eu_xml(path))
    _check_tally(result, "eu-fsf:eu.xml", 2, 1, 0, 1)
    alfa = _rows(result)["eu-fsf:7001"]
    assert (alfa["aliases"], alfa["country"], alfa["listed_on"]) == (["АО Альфа"], "RU", dt.date(2023, 6, 23))
    assert alfa["identifiers"] == [{"scheme": "OGRN", "value": "1157746419082"}]
    assert result.rejected.row(0, named=True)["reason"] == "no nameAlias with a wholeName"


UK_HEADER = [
    "Last Updated",
    "Unique ID",
    "OFSI Group ID",
    "UN Reference Number",
    "Name 6",
    "Name 1",
    "Name 2",
    "Name 3",
    "Name 4",
    "Name 5",
    "Name type",
    "Alias strength",
    "Title",
    "Name non-latin script",
    "Non-latin script type",
    "Non-latin script language",
    "Regime Name",
    "Designation Type",
    "Designation source",
    "Sanctions Imposed",
    "Other Information",
    "UK Statement of Reasons",
    "Address Line 1",
    "Address Line 2",
    "Address Line 3",
    "Address Line 4",
    "Address Line 5",
    "Address Line 6",
    "Address Postal Code",
    "Address Country",
    "Phone number",
    "Website",
    "Email address",
    "Date Designated",
    "D.O.B",
    "Nationality(/ies)",
    "National Identifier number",
    "National Identifier additional information",
    "Passport number",
    "Passport additional information",
    "Position",
    "Gender",
    "Town of birth",
    "Country of birth",
    "Type of entity",
    "Subsidiaries",
    "Parent company",
    "Business registration number (s)",
    "IMO number",
    "Current owner/operator (s)",
    "Previous owner/operator (s)",
    "Current believed flag of ship",
    "Previous flags",
    "Type of ship",
    "Tonnage of ship",
    "Length of ship",
    "Year Built",
    "Hull identification number (HIN)",
]


def test_uk_csv(tmp_path: Path) -> None:
    rows = [
        {"Unique ID": "RUS2001", "Name 6": "ELEM GROUP LLP", "Name type": "Alias", "Regime Name": "Russia",
         "Designation Type": "Entity", "Date Designated": "15/03/2024"},
        {"Unique ID": "RUS2001", "Name 6": "LIMITED LIABILITY PARTNERSHIP ELEM GROUP", "Name type": "Primary Name",
         "Name non-latin script": "ТОО ЭЛЕМ ГРУПП", "Regime Name": "Russia", "Designation Type": "Entity",
         "Address Country": "Kazakhstan", "Date Designated": "15/03/2024",
         "Business registration number (s)": "220340015717|BAD-1"},
        {"Unique ID": "RUS0296", "Name 6": "GREF", "Name 1": "Herman", "Name 2": "Oskarovich", "Name type": "Primary Name",
         "Regime Name": "Russia", "Designation Type": "Individual", "Nationality(/ies)": "Russia",
         "Passport number": "760508990", "Date Designated": "24/02/2022"},
        {"Unique ID": "RUS0297", "Name type": "Primary Name"},
    ]  # fmt: skip
    path = tmp_path / "UK-Sanctions-List.csv"
    path.write_text("Report Date: 13-Feb-2026\n" + _csv(UK_HEADER, rows))
    result = collect(parse_uk_csv(path))
    _check_tally(result, "uk-sanctions:UK-Sanctions-List.csv", 4, 2, 1, 1)
    parties = _rows(result)
    elem = parties["uk-sanctions:RUS2001"]
    assert elem["name"] == "LIMITED LIABILITY PARTNERSHIP ELEM GROUP"
    assert elem["aliases"] == ["ELEM GROUP LLP", "ТОО ЭЛЕМ ГРУПП"]
    assert (elem["kind"], elem["country"], elem["listed_on"]) == ("company", "KZ", dt.date(2024, 3, 15))
    assert elem["identifiers"] == [{"scheme": "BIN", "value": "220340015717"}, {"scheme": "REG_NO", "value": "BAD-1"}]
    assert (elem["source_row"], elem["merged_from"]) == (1, ["uk-sanctions:UK-Sanctions-List.csv#2"])
    gref = parties["uk-sanctions:RUS0296"]
    assert (gref["name"], gref["kind"], gref["country"]) == ("Herman Oskarovich GREF", "person", "RU")
    assert gref["identifiers"] == [{"scheme": "PASSPORT", "value": "760508990"}]
    assert result.rejected.row(0, named=True)["reason"] == "no name in Name 1 to Name 6"


def test_opensanctions_targets_simple(tmp_path: Path) -> None:
    columns = ["id", "schema", "name", "aliases", "birth_date", "countries", "addresses", "identifiers", "sanctions",
               "phones", "emails", "program_ids", "dataset", "first_seen", "last_seen", "last_change"]  # fmt: skip
    rows = [
        {"id": "NK-elem", "schema": "Company", "name": "LIMITED LIABILITY PARTNERSHIP ELEM GROUP",
         "aliases": "ELEM GROUP LLP;ТОО ЭЛЕМ ГРУПП", "countries": "kz", "identifiers": "220340015717",
         "program_ids": "US-RUSSIA-EO14024", "dataset": "US OFAC Specially Designated Nationals (SDN) List",
         "first_seen": "2024-02-24T08:00:00"},
        {"id": "NK-gref", "schema": "Person", "name": "Herman Gref", "countries": "ru;kz",
         "sanctions": "Specially Designated Nationals - RUSSIA-EO14024"},
        {"id": "NK-addr", "schema": "Address", "name": "Almaty"},
    ]  # fmt: skip
    path = tmp_path / "targets.simple.csv"
    path.write_text(_csv(columns, rows))
    result = collect(parse_targets_simple(path))
    _check_tally(result, "opensanctions:targets.simple.csv", 3, 2, 0, 1)
    parties = _rows(result)
    elem = parties["opensanctions:NK-elem"]
    assert (elem["country"], elem["programs"], elem["listed_on"]) == ("KZ", ["US-RUSSIA-EO14024"], dt.date(2024, 2, 24))
    assert elem["identifiers"] == [{"scheme": "UNSPECIFIED", "value": "220340015717"}]
    assert parties["opensanctions:NK-gref"]["programs"] == ["Specially Designated Nationals - RUSSIA-EO14024"]
    assert result.rejected.row(0, named=True)["column"] == "schema"


def test_followthemoney_json_lines(tmp_path: Path) -> None:
    lines = [
        {"id": "NK-elem", "caption": "ELEM GROUP", "schema": "Company", "target": True,
         "properties": {"name": ["LIMITED LIABILITY PARTNERSHIP ELEM GROUP", "ELEM GROUP LLP"], "alias": ["ТОО ЭЛЕМ ГРУПП"],
                        "country": ["kz"], "registrationNumber": ["220340015717"], "program": ["RUSSIA-EO14024"],
                        "createdAt": ["2022-03-14"]}, "first_seen": "2024-02-24T08:00:00"},
        {"id": "NK-bso", "schema": "LegalEntity",
         "properties": {"name": ["BRAND SERVER OPTIONS"], "jurisdiction": ["ru"], "innCode": ["7724317936"],
                        "ogrnCode": ["1157746419082"], "topics": ["sanction"]}, "first_seen": "2022-05-09T00:00:00"},
        {"id": "NK-ship", "schema": "Vessel", "properties": {"name": ["NAROON"], "flag": ["ir"], "imoNumber": ["9079066"]}},
        {"id": "NK-sanction", "schema": "Sanction", "properties": {"entity": ["NK-elem"]}},
    ]  # fmt: skip
    path = tmp_path / "entities.ftm.json"
    path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n\n{broken\n")
    result = collect(parse_ftm_json(path))
    _check_tally(result, "opensanctions:entities.ftm.json", 5, 3, 0, 2)
    parties = _rows(result)
    elem = parties["opensanctions:NK-elem"]
    assert (elem["aliases"], elem["country"]) == (["ELEM GROUP LLP", "ТОО ЭЛЕМ ГРУПП"], "KZ")
    assert elem["identifiers"] == [{"scheme": "BIN", "value": "220340015717"}]
    assert (elem["programs"], elem["listed_on"]) == (["RUSSIA-EO14024"], dt.date(2022, 3, 14))
    bso = parties["opensanctions:NK-bso"]
    assert (bso["kind"], bso["programs"], bso["listed_on"]) == ("unknown", ["sanction"], dt.date(2022, 5, 9))
    assert bso["identifiers"] == [
        {"scheme": "INN", "value": "7724317936"},
        {"scheme": "OGRN", "value": "1157746419082"},
    ]
    assert parties["opensanctions:NK-ship"]["kind"] == "vessel"
    reasons = dict(zip(result.rejected["row"].to_list(), result.rejected["reason"].to_list(), strict=True))
    assert reasons[3].startswith("not a party schema") and reasons[5] == "not a JSON object"


_ids = st.sampled_from(["", "1", "2", "3"])
_names = st.sampled_from(["", "ACME", "AKME", "ТОО Ромашка"])


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(_ids, _names), max_size=12))
def test_grouped_lists_account_for_every_row(tmp_path: Path, rows: list[tuple[str, str]]) -> None:
    eu = tmp_path / "eu.csv"
    eu.write_text(_csv(EU_COLUMNS, [_eu(Entity_LogicalId=i, NameAlias_WholeName=n) for i, n in rows], delimiter=";"))
    uk = tmp_path / "UK-Sanctions-List.csv"
    uk.write_text("Report Date: 13-Feb-2026\n" + _csv(UK_HEADER, [{"Unique ID": i, "Name 6": n} for i, n in rows]))
    for result in (collect(parse_eu_csv(eu)), collect(parse_uk_csv(uk))):
        rows_seen = sum(t.rows for t in result.tallies)
        assert rows_seen == len(rows)
        assert rows_seen == sum(t.parties + t.merged + t.rejected for t in result.tallies)
        assert result.parties.height == len({i for i, n in rows if i and any(j == i and m for j, m in rows)})
        merged = result.parties["merged_from"].explode().drop_nulls().len()
        assert merged == sum(t.merged for t in result.tallies)
