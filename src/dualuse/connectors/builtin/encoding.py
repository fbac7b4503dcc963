"""Decide a text file's encoding from all of its bytes, or refuse when the bytes cannot tell.

The file is read once, in chunks. Valid UTF-8 throughout is UTF-8 (with a byte-order mark,
``utf-8-sig``). A file that is mostly valid UTF-8 with a few bytes that are not is *damaged*
UTF-8 (typically one cell pasted from a cp1252 editor): it is refused, naming the row of the first
bad byte, rather than re-read in another encoding that would garble every other name.

Any other file is a single-byte file, and the evidence decides between Cyrillic cp1251, Western
cp1252 (which reads Latin-1 text the same way) and Turkish cp1254: every word holding a byte
above 0x7F is decoded with each, and a reading is *plausible* when the word comes out in one
script, as real words do: ``ООО ВЕКТОР`` is all Cyrillic in cp1251 but ``ÎÎÎ ÂÅÊÒÎÐ`` (all
accented letters) in cp1252; ``MÜLLER`` is Latin in cp1252 but ``MЬLLER`` (Latin and Cyrillic
mixed) in cp1251. The encoding whose readings are plausible for nearly every word wins; cp1254
wins over cp1252 when the file holds the bytes where they differ (Turkish ``ğ ı ş İ Ş Ğ``, which
cp1252 reads as the Icelandic ``ð ý þ Ý Þ Ð``). When no reading is clearly better, the file is
refused with the first row whose reading is in doubt, and ``encoding=`` is the way out.

Examples:
    >>> detect_encoding("Код товара;Страна\\n8542;Китай\\n".encode("cp1251"))
    'cp1251'
    >>> detect_encoding("name\\nMÜLLER GMBH\\nSOCIÉTÉ GÉNÉRALE\\n".encode("cp1252"))
    'cp1252'
    >>> detect_encoding("name\\nÇELİK DIŞ TİCARET\\n".encode("cp1254"))
    'cp1254'
    >>> detect_encoding("Код\\n".encode() + b"Caf\\xe9\\n", file="mixed.csv")
    Traceback (most recent call last):
    dualuse.errors.InputError: mixed.csv, row 2: byte 0xe9 is not UTF-8, though the rest of the file is ...
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from dualuse.connectors.builtin.shape import line_blocks
from dualuse.errors import InputError

__all__ = ["SINGLE_BYTE", "decide_encoding", "detect_encoding"]

SINGLE_BYTE = ("cp1251", "cp1252", "cp1254")
"""The single-byte encodings told apart by evidence, in order of preference on a tie of identical readings."""

_WORD = re.compile(rb"[A-Za-z\x80-\xff]*[\x80-\xff][A-Za-z\x80-\xff]*")
_MAX_WORDS = 200_000  # distinct words kept as evidence: names repeat, so this is plenty
_TURKISH_BYTES = frozenset(b"\xd0\xdd\xde\xf0\xfd\xfe")  # where cp1254 and cp1252 read different letters
_DOUBT = 0.1  # a winner may find at most this share of its words implausible


@dataclass
class _Evidence:
    """What one pass over the bytes found."""

    bom: bool = False
    multibyte: int = 0  # characters above U+007F that decode as UTF-8
    invalid: int = 0  # bytes that do not
    first_invalid: tuple[int, str] | None = None  # (row, byte as hex)
    words: Counter[bytes] = field(default_factory=Counter)
    first_row: dict[bytes, int] = field(default_factory=dict)


def _collect(chunks: Iterable[bytes]) -> _Evidence:
    """Count UTF-8 characters, bad bytes, and words with high bytes, over line-aligned chunks."""
    evidence = _Evidence()
    decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
    rows_before = 0
    first = True
    for chunk in chunks:
        if first:
            evidence.bom = chunk.startswith(codecs.BOM_UTF8)
            chunk = chunk.removeprefix(codecs.BOM_UTF8) if evidence.bom else chunk
            first = False
        text = decoder.decode(chunk)
        bad = sum(1 for ch in text if "\udc80" <= ch <= "\udcff") if not text.isascii() else 0
        if bad:
            evidence.invalid += bad
            if evidence.first_invalid is None:
                position = next(i for i, ch in enumerate(text) if "\udc80" <= ch <= "\udcff")
                byte = ord(text[position]) - 0xDC00
                evidence.first_invalid = (rows_before + text.count("\n", 0, position) + 1, f"{byte:02x}")
        if not text.isascii():
            evidence.multibyte += sum(1 for ch in text if ch > "\x7f") - bad
            for match in _WORD.finditer(chunk):
                word = match.group()
                if word not in evidence.words and len(evidence.words) >= _MAX_WORDS:
                    continue
                if word not in evidence.first_row:
                    evidence.first_row[word] = rows_before + chunk.count(b"\n", 0, match.start()) + 1
                evidence.words[word] += 1
        rows_before += chunk.count(b"\n")
    return evidence


def _plausible(text: str, encoding: str) -> bool | None:
    """Whether the letters of one decoded word look like a real word (None: no non-ASCII letter)."""
    verdict: bool | None = None
    for run in re.findall(r"[^\W\d_]+", text):
        if run.isascii():
            continue
        ascii_letters = sum(ch.isascii() for ch in run)
        cyrillic = sum("\u0400" <= ch <= "\u04ff" for ch in run)
        if encoding == "cp1251":
            good = ascii_letters == 0 and cyrillic == len(run)
        else:  # Latin: letters of Latin script, the accented ones a minority of the word
            latin = all(ch <= "\u024f" for ch in run)
            good = latin and (len(run) - ascii_letters) <= max(1, len(run) // 2)
        verdict = good if verdict is None else verdict and good
    return verdict


@dataclass(frozen=True)
class _Reading:
    encoding: str
    plausible: int
    implausible: int

    @property
    def doubt(self) -> float:
        total = self.plausible + self.implausible
        return self.implausible / total if total else 1.0


def _readings(words: Counter[bytes]) -> list[_Reading]:
    """How each single-byte encoding reads the words (encodings that cannot decode a byte are left out)."""
    out = []
    for encoding in SINGLE_BYTE:
        good = bad = 0
        try:
            for word, count in words.items():
                verdict = _plausible(word.decode(encoding), encoding)
                if verdict is True:
                    good += count
                elif verdict is False:
                    bad += count
        except UnicodeDecodeError:
            continue
        out.append(_Reading(encoding, good, bad))
    return out


def _doubtful_row(evidence: _Evidence, encodings: list[str]) -> tuple[int, str]:
    """The first row holding a word that the encodings read differently, and how they read it."""
    for word, row in sorted(evidence.first_row.items(), key=lambda item: item[1]):
        shown = {enc: word.decode(enc, errors="replace") for enc in encodings}
        if len(set(shown.values())) > 1:
            return row, ", ".join(f"{text!r} in {enc}" for enc, text in shown.items())
    return 1, ""


def _decide(evidence: _Evidence, file: str) -> str:
    if evidence.invalid == 0:
        return "utf-8-sig" if evidence.bom else "utf-8"
    row, byte = evidence.first_invalid or (1, "??")
    if evidence.bom or evidence.multibyte >= evidence.invalid:
        raise InputError(
            f"byte 0x{byte} is not UTF-8, though the rest of the file is ({evidence.multibyte:,} UTF-8 characters, "
            f"{evidence.invalid:,} bad bytes); fix the row, or pass encoding= if the whole file is in another encoding",
            file=file,
            row=row,
        )
    readings = _readings(evidence.words)
    if not readings:
        raise InputError(
            f"cannot detect the encoding: byte 0x{byte} is neither UTF-8 nor {', '.join(SINGLE_BYTE)}; pass encoding=",
            file=file,
            row=row,
        )
    good = [r for r in readings if r.plausible and r.doubt <= _DOUBT]
    scripts = {"cyrillic" if r.encoding == "cp1251" else "latin" for r in good}
    if len(scripts) != 1:
        if len({w.decode(r.encoding) for r in readings for w in evidence.words}) == len(evidence.words):
            return readings[0].encoding  # every reading gives the same text: nothing is in doubt
        doubtful, shown = _doubtful_row(evidence, [r.encoding for r in readings])
        raise InputError(
            f"cannot detect the encoding from the text ({shown or 'no words to judge by'}); "
            f"pass encoding= (e.g. {' or '.join(r.encoding for r in readings)})",
            file=file,
            row=doubtful,
        )
    if scripts == {"cyrillic"}:
        return "cp1251"
    latin = [r.encoding for r in good]
    if "cp1254" in latin and (len(latin) == 1 or any(_TURKISH_BYTES.intersection(w) for w in evidence.words)):
        return "cp1254"
    return latin[0]


def decide_encoding(path: Path, *, file: str | None = None) -> str:
    """The encoding of the file at ``path``, decided on all of its bytes; InputError naming the row when in doubt.

    Examples:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "names.csv"
        >>> _ = path.write_bytes("name\\n".encode() + "ООО ВЕКТОР\\n".encode("cp1251") * 3)
        >>> decide_encoding(path)
        'cp1251'
    """
    return _decide(_collect(line_blocks(path)), file if file is not None else str(path))


def detect_encoding(data: bytes, *, file: str = "") -> str:
    """The encoding of ``data`` (a whole file's bytes), by the same rules as :func:`decide_encoding`.

    Examples:
        >>> detect_encoding("Код товара;Страна".encode("cp1251")), detect_encoding("Код".encode())
        ('cp1251', 'utf-8')
    """
    return _decide(_collect([data]), file)
