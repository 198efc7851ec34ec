"""Folding Vietnamese names so that spelling variants of one name compare equal.

Provinces write unit names with or without diacritics, in NFD, in upper case, with the tone
mark placed the old way ("Hoà") or the new way ("Hòa"), with prefixes ("X.", "TT.") and with
stray spaces. The same names and headings recur in every workbook, so the keys are cached.
Two keys are built: ``accent_key`` keeps the diacritics (tone placement
normalised) and ``fold_key`` drops them; resolution tries the stricter key to break ties.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Old-style tone placement (on the first vowel of oa/oe/uy) -> new style, in NFC.
_OLD_TONE_STYLE = {
    "òa": "oà", "óa": "oá", "ỏa": "oả", "õa": "oã", "ọa": "oạ",
    "òe": "oè", "óe": "oé", "ỏe": "oẻ", "õe": "oẽ", "ọe": "oẹ",
    "ùy": "uỳ", "úy": "uý", "ủy": "uỷ", "ũy": "uỹ", "ụy": "uỵ",
}
_OLD_TONE_RE = re.compile("|".join(_OLD_TONE_STYLE))

# Unit-type prefixes as written in submissions, by level. Accented spellings must match with
# their accents ("Xá Lượng" is a name, not "Xã" + "Lượng"); plain-ASCII spellings are tried only
# on names written without any diacritics.
_PREFIXES = {
    "commune": {
        "thị trấn": "thị trấn", "tt.": "thị trấn", "tt": "thị trấn", "thi tran": "thị trấn",
        "xã": "xã", "x.": "xã", "xa": "xã",
        "phường": "phường", "p.": "phường", "p": "phường", "phuong": "phường",
        "đặc khu": "đặc khu", "đk.": "đặc khu", "đk": "đặc khu", "dk": "đặc khu", "dac khu": "đặc khu",
        "x": "xã",
    },
    "district": {
        "thị xã": "thị xã", "tx.": "thị xã", "tx": "thị xã", "thi xa": "thị xã",
        "thành phố": "thành phố", "tp.": "thành phố", "tp": "thành phố", "thanh pho": "thành phố",
        "quận": "quận", "q.": "quận", "q": "quận", "quan": "quận",
        "huyện": "huyện", "h.": "huyện", "h": "huyện", "huyen": "huyện",
    },
    "province": {
        "tỉnh": "tỉnh", "tinh": "tỉnh", "thành phố": "thành phố", "tp.": "thành phố",
        "thanh pho": "thành phố",
    },
}
_FOLDED_WORDS = {w for level in _PREFIXES.values() for w in level if w.isascii() and " " in w or w in {
    "xa", "phuong", "quan", "huyen", "tinh"}}
_SPACES = re.compile(r"\s+")
_TYPE_SUFFIX = re.compile(r"\s*\(([^()]{1,12})\)\s*$")


def clean_text(value: object) -> str:
    """NFC, non-breaking and repeated spaces collapsed, trimmed."""
    if value is None:
        return ""
    return _clean(value) if isinstance(value, str) else _clean(str(value))


@lru_cache(maxsize=1 << 16)
def _clean(text: str) -> str:
    # Cached: a sheet repeats its names, district headings and labels on every day and row.
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").replace("\u200b", "")
    return _SPACES.sub(" ", text).strip()


def strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=1 << 16)
def split_prefix(name: object, level: str = "commune") -> tuple[str | None, str]:
    """('xã', 'Hưng Đạo') from 'X. Hưng Đạo'; (None, name) when there is no type prefix."""
    text = clean_text(name)
    # 'Ma Đa Guôi (Thị trấn)': the type written after the name, as some lists disambiguate.
    suffix = _TYPE_SUFFIX.search(text)
    if suffix:
        kind = split_prefix(suffix.group(1) + " x", level)[0]
        if kind:
            return kind, text[: suffix.start()].strip()
    lowered = text.lower()
    is_ascii = lowered.isascii()
    for written in sorted(_PREFIXES[level], key=len, reverse=True):
        if written in _FOLDED_WORDS and not is_ascii:
            continue
        if not lowered.startswith(written):
            continue
        rest = text[len(written):]
        if written.endswith(".") or rest[:1] in (" ", "."):
            rest = rest.lstrip(" .")
            if rest:
                return _PREFIXES[level][written], rest
    return None, text


def _core(text: str) -> str:
    # "Phường 01" and "Phường 1" are one unit: drop leading zeros of numbers.
    text = re.sub(r"\b0+(\d)", r"\1", text)
    return re.sub(r"[^0-9a-zà-ỹđ]+", "", text)


@lru_cache(maxsize=1 << 16)
def accent_key(name: object, level: str = "commune") -> str:
    """Key with diacritics kept, case and spacing and prefix and tone placement ignored."""
    _, rest = split_prefix(name, level)
    text = unicodedata.normalize("NFC", rest.lower())
    text = _OLD_TONE_RE.sub(lambda m: _OLD_TONE_STYLE[m.group(0)], text)
    return _core(text)


@lru_cache(maxsize=1 << 16)
def fold_key(name: object, level: str = "commune", strip_prefix: bool = True) -> str:
    """Key without diacritics: 'X. HUNG DAO' and 'Xã Hưng Đạo' both give 'hungdao'."""
    rest = split_prefix(name, level)[1] if strip_prefix else clean_text(name)
    return _core(strip_diacritics(rest).lower())


@lru_cache(maxsize=1 << 16)
def header_key(text: object) -> str:
    """Key for column headers and labels: no diacritics, lower case, single spaces."""
    return _SPACES.sub(" ", re.sub(r"[^0-9a-z]+", " ", strip_diacritics(clean_text(text)).lower())).strip()
