from __future__ import annotations

from dualuse.screening import score


def test_equal_identifier_is_shown_and_never_has_a_negative_weight() -> None:
    ids = [{"scheme": "INN", "value": "7707083893"}]
    same_name = score(
        {"name": "ООО Кварсол", "identifiers": ids, "country": "RU"},
        {"name": "LIMITED LIABILITY COMPANY KVARSOL", "identifiers": ids, "country": "RU"},
    )
    other_name = score({"name": "Totally Different Name", "identifiers": ids}, {"name": "KVARSOL", "identifiers": ids})
    for result in (same_name, other_name):
        assert result.score == 1.0
        identifier = [f for f in result.explanation if f.name == "identifier"]
        assert [f.detail for f in identifier] == ["equal INN"]
        assert all(f.weight >= 0 for f in result.explanation if f.name in ("identifier", "name"))
    assert next(f.weight for f in other_name.explanation if f.name == "identifier") > 0.9


def test_an_equal_identifier_reads_as_settling_the_match() -> None:
    ids = [{"scheme": "INN", "value": "7707083893"}]
    result = score(
        {"name": "ООО Кварсол", "identifiers": ids, "country": "RU"},
        {"name": "LIMITED LIABILITY COMPANY KVARSOL", "identifiers": ids, "country": "RU"},
    )
    assert result.text.startswith("1.00 = equal INN settles the match; name ")
    assert "identifier +" not in result.text
