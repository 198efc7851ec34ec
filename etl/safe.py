"""Names and values made safe for the writers (feedback workbooks, extracts, logs).

A province chooses its file names, sheet names and cell contents; a writer must never stop or
produce a file Excel refuses because of them. One place decides what is legal: sheet names
(Excel: at most 31 UTF-16 units, none of []:*?/\\, no apostrophe at either end, unique without
regard to case, never "History"), file names (at most 200 bytes of UTF-8, no separators, control
characters or names reserved on Windows) and cell values (finite numbers, text XML can hold and
Excel's cell can take). What had to change is said in Vietnamese, for the province to read.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

CELL_LIMIT = 32_767  # UTF-16 units in one Excel cell
SHEET_NAME_LIMIT = 31  # UTF-16 units in an Excel sheet name
FILE_NAME_LIMIT = 200  # bytes of UTF-8, leaving room under the 255 of most file systems
TRUNCATED = " …[đã cắt bớt / truncated]"
# Characters XML 1.0 cannot hold (the control characters but tab and line breaks, lone surrogates
# from undecodable file names, U+FFFE and U+FFFF): replaced by U+FFFD, which every reader shows.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NOT_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
_NOT_IN_FILE_NAME = re.compile(r'[\\/:*?"<>|]')
_WINDOWS_RESERVED = re.compile(r"(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)", re.IGNORECASE)


@dataclass(frozen=True)
class Cell:
    """A value as a writer may write it, and why it differs from what was sent (None when it does not)."""

    value: float | int | str | None
    note: str | None = None


def utf16_len(text: str) -> int:
    """Length as Excel counts it: an emoji outside the Basic Multilingual Plane counts two."""
    return len(text.encode("utf-16-le")) // 2


def _cut_utf16(text: str, limit: int) -> str:
    """The longest prefix of ``text`` of at most ``limit`` UTF-16 units (never half a surrogate pair)."""
    if utf16_len(text) <= limit:
        return text
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return text[:index]
    return text


def _cut_bytes(text: str, limit: int) -> str:
    """The longest prefix of ``text`` of at most ``limit`` bytes of UTF-8 (never half a character)."""
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def safe_text(text: object, limit: int = CELL_LIMIT) -> str:
    """Text a writer may put in a cell: characters XML cannot hold replaced by U+FFFD, and at most
    ``limit`` UTF-16 units, ending with a visible mark when it was cut."""
    text = _xml_safe(str(text))
    if utf16_len(text) <= limit:
        return text
    return _cut_utf16(text, limit - utf16_len(TRUNCATED)) + TRUNCATED


def safe_cell(value: object) -> Cell:
    """A cell value for a writer: a finite number stays a number, text stays text (made safe); NaN,
    infinities, booleans, dates or anything else are written blank with a note, never as a number
    Excel refuses nor as a formula."""
    if value is None:
        return Cell(None)
    if isinstance(value, str):
        notes = []
        if _NOT_XML.search(value):
            notes.append("ký tự không hiển thị được đã thay bằng \ufffd")
        if utf16_len(_xml_safe(value)) > CELL_LIMIT:
            notes.append(f"ô dài hơn {CELL_LIMIT // 1000}.{CELL_LIMIT % 1000:03d} ký tự, đã cắt bớt")
        return Cell(safe_text(value) or None, "; ".join(notes) or None)
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            number = float(value)  # an int beyond the float range raises, like NaN it has no cell
        except OverflowError:
            number = math.inf
        if math.isfinite(number):
            return Cell(value)
    return Cell(None, f"giá trị không hợp lệ: {safe_text(_describe(value), 60)}")


def _describe(value: object) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, int) and not isinstance(value, bool):
        return "số quá lớn"
    if isinstance(value, float):
        return "vô cực (inf)" if value > 0 else "âm vô cực (-inf)"
    return f"{value!r} ({type(value).__name__})"


def _name_key(name: str) -> str:
    """How Excel and case-insensitive file systems compare names: case and Unicode form ignored."""
    return unicodedata.normalize("NFC", name).casefold()


def _numbered(base: str, taken: set[str], fits) -> str:
    """``base``, or ``base`` with the first free " (n)" suffix; ``fits(stem, suffix)`` builds a
    candidate within the writer's limit. A free number is found within len(taken) + 1 tries."""
    for number in range(1, len(taken) + 2):
        candidate = fits(base, "" if number == 1 else f" ({number})")
        if _name_key(candidate) not in taken:
            taken.add(_name_key(candidate))
            return candidate
    raise AssertionError("unreachable: more candidates than taken names")  # pragma: no cover


def sheet_names(names: Iterable[str], reserved: Iterable[str] = ()) -> list[str]:
    """Legal, distinct Excel sheet names for ``names`` in order, none equal to a ``reserved`` one:
    forbidden and control characters become '_', apostrophes and spaces at the ends go, an empty
    name becomes "Trang", a name Excel reserves or one already used gets a " (n)" suffix, and each
    is cut to 31 UTF-16 units (the suffix kept)."""
    taken = {_name_key(r) for r in reserved} | {"history"}
    result = []
    for name in names:
        clean = _NOT_IN_SHEET_NAME.sub("_", _control_to_underscore(unicodedata.normalize("NFC", str(name))))
        clean = clean.strip().strip("'").strip() or "Trang"
        result.append(_numbered(clean, taken, _sheet_fits))
    return result


def _sheet_fits(stem: str, suffix: str) -> str:
    # The stem is cut before the suffix is added, and may not end with an apostrophe once cut.
    return (_cut_utf16(stem, SHEET_NAME_LIMIT - len(suffix)).rstrip().rstrip("'") or "Trang") + suffix


def _control_to_underscore(text: str) -> str:
    """Control, format (direction overrides) and unpaired surrogate characters become '_'."""
    return "".join("_" if unicodedata.category(c) in ("Cc", "Cf", "Cs") or c in "\ufffe\uffff" else c
                   for c in text)


def file_name(name: str, taken: set[str] | None = None, extension: str = ".xlsx") -> str:
    """A file name any file system takes for ``name`` (a province's file name, any path before it
    dropped): separators, control and reserved characters become '_', spaces, dots and dashes at
    the ends go, Windows device names get a '_' first, ``extension`` is added, and a name over 200
    bytes is cut with a short hash of the whole name so two long names stay apart. With ``taken``
    (keys of names already used this night, updated), a name already used gets a " (n)" suffix."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = _NOT_IN_FILE_NAME.sub("_", _control_to_underscore(unicodedata.normalize("NFC", base)))
    base = base.strip(" .-\t") or "tep"
    if _WINDOWS_RESERVED.fullmatch(base.split(".", 1)[0].rstrip(" ")):
        base = "_" + base
    stem = base[: -len(extension)] if base.lower().endswith(extension) else base
    # A name cut to fit keeps a hash of the whole name, so two long names stay apart.
    mark = ("~" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:10]
            if len(stem.encode("utf-8")) + len(extension) > FILE_NAME_LIMIT else "")

    def fits(stem: str, suffix: str) -> str:
        room = FILE_NAME_LIMIT - len(extension) - len(suffix) - len(mark)
        return _cut_bytes(stem, room).rstrip(" .") + mark + suffix + extension

    return _numbered(stem, taken if taken is not None else set(), fits)


def path_part(text: str) -> str:
    """``text`` as one part of a path: letters, digits, '-', '_' and '.' kept, anything else '_'
    (Airflow's run ids hold ':' and '+')."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)
