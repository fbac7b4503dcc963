from __future__ import annotations

import pytest

from dualuse.errors import CountryError
from dualuse.route import Route


def test_route_parses_and_prints() -> None:
    route = Route.parse("China > Kazakhstan>KG > Россия")
    assert str(route) == "CN>KZ>KG>RU"
    assert (route.origin, route.hubs, route.target) == ("CN", ("KZ", "KG"), "RU")
    assert route.legs() == [("CN", "KZ"), ("KZ", "KG"), ("KG", "RU")]
    assert Route.of("CN", "RU") == Route.parse("CN>RU")


def test_route_needs_two_countries() -> None:
    with pytest.raises(CountryError):
        Route.parse("CN")
