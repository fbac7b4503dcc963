"""OFAC's ``SDN_ENHANCED.XML``: one ``<entity>`` per listed party, read with a safe streaming parser.

Layout (namespace ``https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ENHANCED_XML``)::

    <sanctionsData>
      <publicationInfo><dataAsOf>2024-05-03T10:00:00</dataAsOf></publicationInfo>
      <entities>
        <entity id="47950">
          <generalInfo><identityId>..</identityId><entityType refId="..">Entity</entityType></generalInfo>
          <sanctionsLists><sanctionsList refId=".." id=".." datePublished="2024-02-23">SDN List</sanctionsList></sanctionsLists>
          <sanctionsPrograms><sanctionsProgram refId="..">RUSSIA-EO14024</sanctionsProgram></sanctionsPrograms>
          <names><name id=".."><isPrimary>true</isPrimary><aliasType/><translations>
            <translation id=".."><isPrimary>true</isPrimary><script>Latin</script>
              <formattedFullName>LIMITED LIABILITY PARTNERSHIP ELEM GROUP</formattedFullName></translation>
          </translations></name></names>
          <addresses><address id=".."><country refId="..">Kazakhstan</country>...</address></addresses>
          <features><feature id=".."><type featureTypeId="..">Organization Established Date</type>
            <value>13 May 2022</value></feature></features>
          <identityDocuments><identityDocument id=".."><type refId="..">Identification Number</type>
            <documentNumber>220340015717</documentNumber><issuingCountry>Kazakhstan</issuingCountry>
            <isValid>true</isValid></identityDocument></identityDocuments>
        </entity>
      </entities>
    </sanctionsData>

``source_row`` is the entity's 1-based position in the file. Entity types Individual, Entity,
Vessel and Aircraft map to person, company, vessel and aircraft; the primary Latin name is the
name and every other name an alias; the SDN List's ``datePublished`` is the listing date.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from dualuse_sanctions.countries import try_iso2
from dualuse_sanctions.identifiers import parse_date, refine_scheme, scheme_for_label
from dualuse_sanctions.reading import DEFAULT_MAX_BYTES, iter_xml
from dualuse_sanctions.records import Event, Ident, Kind, PartyRecord, Rejected

__all__ = ["parse_ofac_xml"]

_KINDS: dict[str, Kind] = {"individual": "person", "entity": "company", "vessel": "vessel", "aircraft": "aircraft"}


def _path(element: ET.Element, path: tuple[str, ...]) -> str:
    """An ElementPath for local names ``path`` in the namespace of ``element``."""
    tag = element.tag
    namespace = tag[: tag.index("}") + 1] if tag.startswith("{") else ""
    return "/".join(namespace + name for name in path)


def _children(element: ET.Element, *path: str) -> list[ET.Element]:
    """Descendants along ``path`` of local names (ElementTree's C search)."""
    return element.findall(_path(element, path))


def _text(element: ET.Element, *path: str) -> str | None:
    text = element.findtext(_path(element, path))
    return (text.strip() or None) if text else None


def _names(entity: ET.Element) -> tuple[str | None, list[str]]:
    """(primary name, other names): the primary name's primary Latin translation comes first."""
    ranked: list[tuple[tuple[bool, bool, bool], str]] = []
    for name in _children(entity, "names", "name"):
        primary = _text(name, "isPrimary") == "true"
        for translation in _children(name, "translations", "translation"):
            full = _text(translation, "formattedFullName") or " ".join(
                t for part in _children(translation, "nameParts", "namePart") if (t := _text(part, "value"))
            )
            if full:
                key = (
                    not primary,
                    _text(translation, "script") not in (None, "Latin"),
                    _text(translation, "isPrimary") != "true",
                )
                ranked.append((key, full))
    ranked.sort(key=lambda item: item[0])
    if not ranked or ranked[0][0][0]:  # no name at all, or none marked primary
        return None, [full for _, full in ranked]
    return ranked[0][1], [full for _, full in ranked[1:]]


def _identifier(document: ET.Element, kind: Kind) -> Ident | None:
    label = _text(document, "type")
    value = _text(document, "documentNumber")
    if not label or not value:
        return None
    country = try_iso2(_text(document, "issuingCountry"))
    scheme = scheme_for_label(label)
    if scheme == "IMO":
        value = re.sub(r"^IMO\s*", "", value, flags=re.IGNORECASE)
    return Ident(refine_scheme(scheme, value, country, kind), value, country, label)


def parse_ofac_xml(path: Path, *, prefix: str = "ofac-sdn-xml", max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Event]:
    """One event per ``<entity>`` of an SDN_ENHANCED XML file, streamed (elements freed as read).

    A file with a DTD or entity declarations is refused (:class:`dualuse.errors.InputError`).

    Examples:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "SDN_ENHANCED.XML"
        >>> _ = path.write_text('<sanctionsData><entities><entity id="7"><generalInfo><entityType>Entity'
        ...     '</entityType></generalInfo><names><name><isPrimary>true</isPrimary><translations><translation>'
        ...     '<formattedFullName>ACME LLP</formattedFullName></translation></translations></name></names>'
        ...     '</entity></entities></sanctionsData>')
        >>> [(p.party_id, p.name, p.kind) for p in parse_ofac_xml(path)]
        [('ofac-sdn-xml:7', 'ACME LLP', 'company')]
    """
    source = f"{prefix}:{path.name}"
    for number, entity in enumerate(iter_xml(path, "entity", max_bytes=max_bytes), start=1):
        entity_id = entity.get("id")
        type_text = _text(entity, "generalInfo", "entityType")
        cells = {"id": entity_id, "entityType": type_text}
        if not entity_id:
            yield Rejected(source, number, "id", None, "entity without an id attribute", cells)
            continue
        kind = _KINDS.get((type_text or "").casefold())
        if kind is None:
            yield Rejected(
                source, number, "entityType", type_text, "expected Individual, Entity, Vessel or Aircraft", cells
            )
            continue
        name, others = _names(entity)
        cells["name"] = name
        if name is None:
            yield Rejected(source, number, "names", None, "no primary name", cells)
            continue
        party = PartyRecord(
            party_id=f"{prefix}:{entity_id}",
            name=name,
            source=source,
            source_row=number,
            kind=kind,
            list_name="OFAC SDN",
        )
        for alias in others:
            party.add_alias(alias)
        for program in _children(entity, "sanctionsPrograms", "sanctionsProgram"):
            party.add_program((program.text or "").strip())
        dates = [
            d
            for item in _children(entity, "sanctionsLists", "sanctionsList")
            if (d := parse_date(item.get("datePublished"))) is not None
        ]
        party.listed_on = min(dates) if dates else None
        for document in _children(entity, "identityDocuments", "identityDocument"):
            ident = _identifier(document, kind)
            if ident is not None:
                party.add_identifier(ident)
        for feature in _children(entity, "features", "feature"):
            feature_type = (_text(feature, "type") or "").casefold()
            value = _text(feature, "value")
            if feature_type == "organization established date":
                party.founded = party.founded or parse_date(value)
            elif feature_type.startswith("nationality") and party.kind == "person":
                party.country = party.country or try_iso2(value)
        address_countries = [try_iso2(_text(a, "country")) for a in _children(entity, "addresses", "address")]
        party.country = (
            next((c for c in address_countries if c), None)
            or party.country
            or next((i.country for i in party.identifiers if i.country), None)
        )
        yield party
