"""Routes: an ordered list of countries, origin first and destination last, written ``CN>KZ>RU``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

from dualuse.errors import CountryError
from dualuse.geo import country

__all__ = ["Route"]


@dataclass(frozen=True, slots=True)
class Route:
    """A route of goods: ``origin``, the ``hubs`` in between, and ``target``.

    Examples:
        >>> r = Route.parse("CN > Kazakhstan > RU")
        >>> str(r), r.origin, r.hubs, r.target
        ('CN>KZ>RU', 'CN', ('KZ',), 'RU')
    """

    countries: tuple[str, ...]

    def __post_init__(self) -> None:
        if len(self.countries) < 2:
            raise CountryError(f"route {'>'.join(self.countries)!r}: needs at least an origin and a target")

    @classmethod
    def parse(cls, text: str) -> Self:
        """Parse ``"CN>KZ>RU"`` (any country form :func:`dualuse.geo.country` accepts)."""
        return cls(tuple(country(part.strip()) for part in text.split(">") if part.strip()))

    @classmethod
    def of(cls, *countries: str) -> Self:
        """Build from countries: ``Route.of("CN", "KZ", "RU")``."""
        return cls(tuple(country(c) for c in countries))

    @property
    def origin(self) -> str:
        """The first country."""
        return self.countries[0]

    @property
    def target(self) -> str:
        """The last country."""
        return self.countries[-1]

    @property
    def hubs(self) -> tuple[str, ...]:
        """The countries between origin and target."""
        return self.countries[1:-1]

    def legs(self) -> list[tuple[str, str]]:
        """Consecutive (from, to) pairs: ``[("CN", "KZ"), ("KZ", "RU")]``."""
        return list(zip(self.countries, self.countries[1:], strict=False))

    def __str__(self) -> str:
        return ">".join(self.countries)
