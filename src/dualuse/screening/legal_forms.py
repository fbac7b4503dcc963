"""The registry of legal forms: spellings in any script mapped to a tag, a family and jurisdictions.

The built-in forms live in ``data/legal_forms.toml``: every form of the region in its
abbreviations, full names, Latin transliterations (every Cyrillic spelling is registered under
every romanisation scheme of :data:`dualuse.screening.translit.SCHEMES`) and English
translations, each with the jurisdictions where it is registered and its family (``llc``,
``llp``, ``jsc``, ``sole_trader``, ``state`` ...). Words of four letters or more are matched on
their phonetic keys, so "Obshchestvo", "Obshestvo" and "Obschestvo" are one spelling. Forms of
the rest of the world ("Aktiengesellschaft", "S.A.R.L.", "Sp. z o.o.") are recognised by
OpenSanctions' ``rigour`` (:func:`rigour.names.org_types.extract_org_types`) and mapped to a
family by its generic type.

Users add forms with :func:`register_legal_form`; plugins implement the hook
``register_legal_forms(register)`` (read lazily, on first use; a missing or broken plugin host
leaves the built-in forms).

Examples:
    >>> strip_legal_forms(["limited", "liability", "partnership", "elem", "group"])
    (['elem', 'group'], ('llp',))
    >>> strip_legal_forms(["obshestvo", "s", "ogranichennoy", "otvetstvennostyu", "ukon"])
    (['ukon'], ('llc',))
    >>> register_legal_form("Kft", "llc", country="HU")
    >>> strip_legal_forms(["alfa", "kft"])
    (['alfa'], ('llc',))
"""

from __future__ import annotations

import threading
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from dualuse.errors import ConfigError
from dualuse.plugins.host import get_plugin_manager
from dualuse.screening.tokens import tokenize
from dualuse.screening.translit import has_cyrillic, phonetic_key, romanizations

__all__ = [
    "DESCRIPTOR_FAMILIES",
    "LegalForm",
    "find_legal_forms",
    "legal_forms",
    "register_legal_form",
    "strip_legal_forms",
]

# The family of a tag registered without one (plugins and users that pass only a tag).
_TAG_FAMILY = {
    "llc": "llc",
    "ltd": "llc",
    "gmbh": "llc",
    "srl": "llc",
    "bv": "llc",
    "oy": "llc",
    "fze": "llc",
    "fzco": "llc",
    "dmcc": "llc",
    "alc": "llc",
    "llp": "llp",
    "jsc": "jsc",
    "cjsc": "jsc",
    "ojsc": "jsc",
    "pjsc": "jsc",
    "plc": "jsc",
    "ag": "jsc",
    "sa": "jsc",
    "lp": "partnership",
    "sole_trader": "sole_trader",
    "private_enterprise": "private_enterprise",
    "unitary_enterprise": "state",
    "state_enterprise": "state",
    "state_corporation": "state",
    "nonprofit": "nonprofit",
}

DESCRIPTOR_FAMILIES = frozenset({"research_production", "subsidiary", "national_company"})
"""Families of descriptors: stripped like forms, never in conflict with another form."""

# rigour's generic org types -> families; types that say nothing about the form map to "any".
_RIGOUR_FAMILY = {
    "llc": "llc",
    "llp": "llp",
    "jsc": "jsc",
    "lp": "partnership",
    "gp": "partnership",
    "sp": "sole_trader",
    "soe": "state",
    "coop": "cooperative",
    "ngo": "nonprofit",
}
# rigour reads these as forms; in trade names they are numbers or words ("Fund II", "Trust").
_RIGOUR_IGNORED = frozenset({"i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"})


@dataclass(frozen=True, slots=True)
class LegalForm:
    """One spelling of a legal form with its generic ``tag``, its ``family`` and ``jurisdictions``.

    ``country`` (one ISO alpha-2 code) is kept for registrations that give one; ``jurisdictions``
    holds every code (``country`` included). ``family`` defaults from the tag (``"llp"`` ->
    ``"llp"``, ``"pjsc"`` -> ``"jsc"``, unknown tags -> the tag itself). ``descriptor``: a
    descriptor such as "research and production enterprise" rather than a legal form;
    ``trailing``: an abbreviation that is also a word of names ("АҚ" / "Ak"), a form only at the end.

    Examples:
        >>> form = LegalForm("ТОО", "llp", country="KZ")
        >>> form.family, form.jurisdictions, form.tokens
        ('llp', ('KZ',), ('too',))
    """

    form: str
    tag: str
    country: str | None = None
    family: str = ""
    jurisdictions: tuple[str, ...] = field(default=())
    descriptor: bool = False
    trailing: bool = False

    def __post_init__(self) -> None:
        if not self.family:
            object.__setattr__(self, "family", _TAG_FAMILY.get(self.tag, self.tag))
        codes = tuple(dict.fromkeys([*self.jurisdictions, *([self.country] if self.country else [])]))
        object.__setattr__(self, "jurisdictions", tuple(code.upper() for code in codes))
        if self.family in DESCRIPTOR_FAMILIES:
            object.__setattr__(self, "descriptor", True)

    @property
    def tokens(self) -> tuple[str, ...]:
        """The form as name tokens (so that ``"ТОО"`` and ``"TOO"`` give the same tokens)."""
        return tuple(tokenize(self.form))


_lock = threading.RLock()
_forms: list[LegalForm] = []
_longest = 0
_loaded = False
_ready = False  # set once loading has finished (_loaded is set when it starts)
_words: set[str] = set()  # the form key of every token of every form: a name without one has nothing to strip
_short: set[str] = set()  # tokens of forms compared as written (four letters or fewer)
_prefixes: set[str] = set()  # first three letters of the longer tokens, to skip the phonetic key of most words
# Spellings indexed by their first and by their last form key, longest first: (keys, form, distinctive).
_by_first: dict[str, list[tuple[tuple[str, ...], LegalForm, bool]]] = {}
_by_last: dict[str, list[tuple[tuple[str, ...], LegalForm, bool]]] = {}
_known: dict[tuple[str, ...], LegalForm] = {}


def form_key(token: str) -> str:
    """How a token is compared with the tokens of legal forms: abbreviations as written, words by sound.

    Examples:
        >>> form_key("ooo"), form_key("obshestvo") == form_key("obshchestvo")
        ('ooo', True)
    """
    return token if len(token) <= 4 else phonetic_key(token)


def _spellings(form: LegalForm) -> set[tuple[str, ...]]:
    """The token sequences of a form: as written and, when Cyrillic, in every romanisation."""
    variants = {form.tokens}
    if has_cyrillic(form.form):
        for latin in romanizations(form.form):
            variants.add(tuple(tokenize(latin)))
    return {tokens for tokens in variants if tokens}


def _add(form: LegalForm) -> None:
    global _longest
    if not form.tokens:
        raise ConfigError(f"legal form {form.form!r}: has no letters or digits")
    if not form.tag or not form.tag.isidentifier():
        raise ConfigError(f"legal form {form.form!r}: tag {form.tag!r} must be a short identifier such as 'llc'")
    _forms.append(form)
    for tokens in _spellings(form):
        keys = tuple(form_key(token) for token in tokens)
        if keys in _known:
            continue
        _known[keys] = form
        entry = (keys, form, _is_distinctive(tokens))
        for index, key in ((_by_first, keys[0]), (_by_last, keys[-1])):
            index.setdefault(key, []).append(entry)
            index[key].sort(key=lambda item: -len(item[0]))
        _words.update(keys)
        _short.update(token for token in tokens if len(token) <= 4)
        _prefixes.update(token[:3] for token in tokens if len(token) > 4)
        _longest = max(_longest, len(keys))


def _load_builtin() -> None:
    text = resources.files("dualuse.screening").joinpath("data/legal_forms.toml").read_text(encoding="utf-8")
    for entry in tomllib.loads(text)["forms"]:
        for spelling in entry["spellings"]:
            _add(
                LegalForm(
                    spelling,
                    entry["tag"],
                    family=entry.get("family", ""),
                    jurisdictions=tuple(entry.get("jurisdictions", ())),
                    descriptor=bool(entry.get("descriptor", False)),
                    trailing=bool(entry.get("trailing", False)),
                )
            )


def _load_plugins() -> None:
    hook = getattr(get_plugin_manager().hook, "register_legal_forms", None)
    if hook is not None:
        hook(register=_register_from_plugin)


def _register_from_plugin(
    form: str, tag: str, *, country: str | None = None, family: str = "", jurisdictions: Sequence[str] = ()
) -> None:
    _add(LegalForm(form, tag, country, family=family, jurisdictions=tuple(jurisdictions)))


def _ensure_loaded() -> None:
    global _loaded, _ready
    with _lock:
        if not _loaded:
            _loaded = True
            _load_builtin()
            _load_plugins()
            _ready = True


def register_legal_form(
    form: str,
    tag: str,
    *,
    country: str | None = None,
    family: str = "",
    jurisdictions: Sequence[str] = (),
) -> None:
    """Add a legal form: ``form`` as written (any script), mapped to the generic ``tag``.

    ``family`` (default: from the tag) and ``jurisdictions`` (plus ``country``) decide when two
    names' forms agree or conflict (see :doc:`/scoring`).

    Examples:
        >>> register_legal_form("ЖАҚ", "cjsc", country="KZ")
        >>> strip_legal_forms(["zhak", "nur", "invest"])
        (['nur', 'invest'], ('cjsc',))
    """
    _ensure_loaded()
    with _lock:
        _add(LegalForm(form, tag, country, family=family, jurisdictions=tuple(jurisdictions)))


def legal_forms() -> tuple[LegalForm, ...]:
    """Every registered legal form (built-in, plugins, then user additions).

    Examples:
        >>> any(f.form == "ОсОО" and f.tag == "llc" and f.jurisdictions == ("KG",) for f in legal_forms())
        True
    """
    _ensure_loaded()
    with _lock:
        return tuple(_forms)


def _is_distinctive(tokens: tuple[str, ...]) -> bool:
    """Long forms are removed wherever they stand; short ones ("too", "ao") only at the edges,
    because they are also words of names ("Ala-Too", "Ak Zhol")."""
    return len(tokens) > 1 or len(tokens[0]) >= 4


def _match_at(keys: list[str], i: int, *, anywhere: bool) -> tuple[int, LegalForm] | None:
    for form_keys, form, distinctive in _by_first.get(keys[i], ()):
        if form.trailing and (anywhere or i + len(form_keys) < len(keys)):
            continue  # a word of names at the start ("Ak Zhol"): a form only at the end
        if (distinctive or not anywhere) and tuple(keys[i : i + len(form_keys)]) == form_keys:
            return len(form_keys), form
    return None


def _match_ending(keys: list[str]) -> tuple[int, LegalForm] | None:
    for form_keys, form, _ in _by_last.get(keys[-1], ()):
        if len(form_keys) <= len(keys) and tuple(keys[len(keys) - len(form_keys) :]) == form_keys:
            return len(form_keys), form
    return None


def find_legal_forms(tokens: Sequence[str]) -> tuple[list[str], tuple[LegalForm, ...]]:
    """Remove legal forms from name tokens; return the rest and the forms found (in order found).

    Long forms ("limited liability partnership", "llc") go wherever they stand, short ones
    ("too", "ao", "ip") only at the start or the end. A name that is only legal forms keeps
    its tokens (and no form).

    Examples:
        >>> kept, forms = find_legal_forms(["ao", "npp", "pulsar"])
        >>> kept, [(f.tag, f.family, f.jurisdictions) for f in forms]
        (['pulsar'], [('jsc', 'jsc', ('RU', 'KZ', 'KG', 'BY', 'UZ')), ('research_production', 'research_production', ())])
    """
    if not _ready:  # checked without the lock first: this runs once per name
        _ensure_loaded()
    # a set lookup per token rules out most words before any phonetic key is computed
    keys = [
        (token if token in _short else "\x00")
        if len(token) <= 4
        else (phonetic_key(token) if token[:3] in _prefixes else "\x00")
        for token in tokens
    ]
    if _words.isdisjoint(keys):
        return list(tokens), ()
    found: list[LegalForm] = []
    kept: list[int] = []
    i = 0
    while i < len(tokens):  # long forms anywhere, longest match first
        match = _match_at(keys, i, anywhere=True)
        if match is None:
            kept.append(i)
            i += 1
        else:
            i += match[0]
            found.append(match[1])
    while kept:  # then short forms peeled off both edges
        kept_keys = [keys[k] for k in kept]
        head = _match_at(kept_keys, 0, anywhere=False)
        if head is not None:
            kept = kept[head[0] :]
            found.append(head[1])
            continue
        tail = _match_ending(kept_keys)
        if tail is None:
            break
        kept = kept[: len(kept) - tail[0]]
        found.append(tail[1])
    if not kept:
        return list(tokens), ()
    return [tokens[k] for k in kept], tuple(dict.fromkeys(found))


def strip_legal_forms(tokens: list[str]) -> tuple[list[str], tuple[str, ...]]:
    """Remove legal forms from name tokens; return the rest and the generic tags found.

    Examples:
        >>> strip_legal_forms(["too", "elem", "grupp"])
        (['elem', 'grupp'], ('llp',))
        >>> strip_legal_forms(["osoo", "ala", "too", "treid"])
        (['ala', 'too', 'treid'], ('llc',))
        >>> strip_legal_forms(["ooo"])
        (['ooo'], ())
    """
    kept, forms = find_legal_forms(tokens)
    return kept, tuple(dict.fromkeys(form.tag for form in forms))


@lru_cache(maxsize=4096)
def _rigour_form(matched: str, compare: str) -> LegalForm | None:
    """Our form for a spelling rigour recognised: the registered one when we know its short
    spelling (it says where it is used), else one with the family of rigour's generic type."""
    compare_keys = tuple(form_key(token) for token in tokenize(compare))
    if not compare_keys or compare_keys[-1] in _RIGOUR_IGNORED:
        return None
    known = _known.get(compare_keys)
    if known is not None:
        return known
    if not _is_distinctive(tuple(tokenize(matched))):
        return None  # short forms we do not know are too often words of names ("Ege", "Ak")
    from rigour.names.org_types import extract_org_types

    generic = extract_org_types(matched, generic=True)
    family = _RIGOUR_FAMILY.get(generic[0][1].casefold(), "any") if generic else "any"
    tag = "".join(compare_keys)
    return LegalForm(matched, tag if tag.isidentifier() else "org", family=family) if tag else None


def rigour_legal_forms(name: str, tokens: list[str]) -> tuple[list[str], tuple[LegalForm, ...]]:
    """Strip the forms that ``rigour`` recognises in ``name`` from its ``tokens``.

    A recognised form is removed when its tokens stand in ``tokens`` (long ones anywhere, short
    ones at the edges, as :func:`find_legal_forms` does); a name is never left empty.

    Examples:
        >>> kept, forms = rigour_legal_forms("Siemens Aktiengesellschaft", ["siemens", "aktiengesellschaft"])
        >>> kept, [(f.tag, f.family) for f in forms]
        (['siemens'], [('ag', 'jsc')])
    """
    if not _ready:
        _ensure_loaded()
    from rigour.names.org_types import extract_org_types

    found: list[LegalForm] = []
    for matched, compare in extract_org_types(name.casefold()):
        form = _rigour_form(matched, compare)
        part = tokenize(matched)
        if form is None or not part or len(part) >= len(tokens):
            continue
        distinctive = _is_distinctive(tuple(part))
        starts = [i for i in range(len(tokens) - len(part) + 1) if tokens[i : i + len(part)] == part]
        starts = [i for i in starts if distinctive or i == 0 or i + len(part) == len(tokens)]
        if form.trailing:
            starts = [i for i in starts if i + len(part) == len(tokens)]
        if starts:
            tokens = tokens[: starts[0]] + tokens[starts[0] + len(part) :]
            found.append(form)
    return tokens, tuple(found)
