"""The registry of legal forms: spellings in any script mapped to generic tags.

The built-in forms live in ``data/legal_forms.toml``. Users add forms with
:func:`register_legal_form`; plugins implement the hook ``register_legal_forms(register)``
(read lazily, on first use; a missing or broken plugin host leaves the built-in forms).

Examples:
    >>> strip_legal_forms(["limited", "liability", "partnership", "elem", "group"])
    (['elem', 'group'], ('llp',))
    >>> register_legal_form("Kft", "llc", country="HU")
    >>> strip_legal_forms(["alfa", "kft"])
    (['alfa'], ('llc',))
"""

from __future__ import annotations

import threading
import tomllib
from dataclasses import dataclass
from importlib import resources

from dualuse.errors import ConfigError
from dualuse.screening.tokens import tokenize

__all__ = ["LegalForm", "legal_forms", "register_legal_form", "strip_legal_forms"]


@dataclass(frozen=True, slots=True)
class LegalForm:
    """One spelling of a legal form, its generic ``tag`` and, when specific, its ``country``."""

    form: str
    tag: str
    country: str | None = None

    @property
    def tokens(self) -> tuple[str, ...]:
        """The form as name tokens (so that ``"ТОО"`` and ``"TOO"`` give the same tokens)."""
        return tuple(tokenize(self.form))


_lock = threading.RLock()
_forms: list[LegalForm] = []
_by_tokens: dict[tuple[str, ...], str] = {}
_longest = 0
_loaded = False
_ready = False  # set once loading has finished (_loaded is set when it starts)
_words: set[str] = set()  # every token of every form: a name without one has nothing to strip
# Forms indexed by their first and by their last token, longest first: (tokens, tag, distinctive).
_by_first: dict[str, list[tuple[tuple[str, ...], str, bool]]] = {}
_by_last: dict[str, list[tuple[tuple[str, ...], str, bool]]] = {}


def _add(form: LegalForm) -> None:
    global _longest
    tokens = form.tokens
    if not tokens:
        raise ConfigError(f"legal form {form.form!r}: has no letters or digits")
    if not form.tag or not form.tag.isidentifier():
        raise ConfigError(f"legal form {form.form!r}: tag {form.tag!r} must be a short identifier such as 'llc'")
    _forms.append(form)
    if tokens not in _by_tokens:
        _by_tokens[tokens] = form.tag
        entry = (tokens, form.tag, _is_distinctive(tokens))
        for index, token in ((_by_first, tokens[0]), (_by_last, tokens[-1])):
            index.setdefault(token, []).append(entry)
            index[token].sort(key=lambda item: -len(item[0]))
    _words.update(tokens)
    _longest = max(_longest, len(tokens))


def _load_builtin() -> None:
    text = resources.files("dualuse.screening").joinpath("data/legal_forms.toml").read_text(encoding="utf-8")
    for entry in tomllib.loads(text)["forms"]:
        _add(LegalForm(entry["form"], entry["tag"], entry.get("country")))


def _load_plugins() -> None:
    try:
        from dualuse.connectors import get_plugin_manager
    except ImportError:  # the plugin host is optional for screening
        return
    hook = getattr(get_plugin_manager().hook, "register_legal_forms", None)
    if hook is not None:
        hook(register=lambda form, tag, *, country=None: _add(LegalForm(form, tag, country)))


def _ensure_loaded() -> None:
    global _loaded, _ready
    with _lock:
        if not _loaded:
            _loaded = True
            _load_builtin()
            _load_plugins()
            _ready = True


def register_legal_form(form: str, tag: str, *, country: str | None = None) -> None:
    """Add a legal form: ``form`` as written (any script), mapped to the generic ``tag``.

    Examples:
        >>> register_legal_form("ЖАҚ", "cjsc", country="KZ")
        >>> strip_legal_forms(["zhak", "nur", "invest"])
        (['nur', 'invest'], ('cjsc',))
    """
    _ensure_loaded()
    with _lock:
        _add(LegalForm(form, tag, country))


def legal_forms() -> tuple[LegalForm, ...]:
    """Every registered legal form (built-in, plugins, then user additions).

    Examples:
        >>> any(f.form == "ОсОО" and f.tag == "llc" for f in legal_forms())
        True
    """
    _ensure_loaded()
    with _lock:
        return tuple(_forms)


def _is_distinctive(tokens: tuple[str, ...]) -> bool:
    """Long forms are removed wherever they stand; short ones ("too", "ao") only at the edges,
    because they are also words of names ("Ala-Too", "Ak Zhol")."""
    return len(tokens) > 1 or len(tokens[0]) >= 4


def _match_at(tokens: list[str], i: int, *, anywhere: bool) -> tuple[int, str] | None:
    for form, tag, distinctive in _by_first.get(tokens[i], ()):
        if (distinctive or not anywhere) and tuple(tokens[i : i + len(form)]) == form:
            return len(form), tag
    return None


def _match_ending(tokens: list[str]) -> tuple[int, str] | None:
    for form, tag, _ in _by_last.get(tokens[-1], ()):
        if len(form) <= len(tokens) and tuple(tokens[len(tokens) - len(form) :]) == form:
            return len(form), tag
    return None


def strip_legal_forms(tokens: list[str]) -> tuple[list[str], tuple[str, ...]]:
    """Remove legal forms from name tokens; return the rest and the generic tags found.

    Long forms ("limited liability partnership", "llc") go wherever they stand, short ones
    ("too", "ao", "ip") only at the start or the end. A name that is only legal forms keeps
    its tokens (and no tag).

    Examples:
        >>> strip_legal_forms(["too", "elem", "grupp"])
        (['elem', 'grupp'], ('llp',))
        >>> strip_legal_forms(["osoo", "ala", "too", "treid"])
        (['ala', 'too', 'treid'], ('llc',))
        >>> strip_legal_forms(["ooo"])
        (['ooo'], ())
    """
    if not _ready:  # checked without the lock first: this runs once per name
        _ensure_loaded()
    if _words.isdisjoint(tokens):
        return list(tokens), ()
    tags: list[str] = []
    kept: list[str] = []
    i = 0
    while i < len(tokens):  # long forms anywhere, longest match first
        found = _match_at(tokens, i, anywhere=True)
        if found is None:
            kept.append(tokens[i])
            i += 1
        else:
            i += found[0]
            tags.append(found[1])
    while kept:  # then short forms peeled off both edges
        head = _match_at(kept, 0, anywhere=False)
        if head is not None:
            kept = kept[head[0] :]
            tags.append(head[1])
            continue
        tail = _match_ending(kept)
        if tail is None:
            break
        kept = kept[: len(kept) - tail[0]]
        tags.append(tail[1])
    if not kept:
        return list(tokens), ()
    return kept, tuple(dict.fromkeys(tags))
