"""Parsing of cell values as provinces write them: Vietnamese numbers and dates, text cells.

A parser returns ``None`` for a blank cell and raises ``ValueError`` for a cell it cannot read,
so that the caller can tell "missing" from "wrong" and quarantine with the raw value.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from functools import lru_cache

from etl.names import clean_text, strip_diacritics

_EXCEL_EPOCH = date(1899, 12, 30)
# No figure a province reports comes near this (fines in VND are the largest, ~1e10 a month).
LARGEST_FIGURE = 1e13
_TRAILING_NOTE = re.compile(r"\s*[\(\[].*$")
_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")
# A number as a report writes it, once its separators are read: ASCII digits only (float() also takes
# '1_0', '1e3', 'inf' and the digits of every script, which no Vietnamese report means).
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_GROUPED = {",": re.compile(r"[+-]?[0-9]{1,3}(?:\.[0-9]{3})+,[0-9]+"),  # 1.234,5
            ".": re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+\.[0-9]+")}  # 1,234.5
_DMY = re.compile(r"^(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_DIGITS_APART = re.compile(r"\d\s+\d")
_SPACE_GROUPED = re.compile(r"[+-]?\s*\d{1,3}( \d{3})+([.,]\d+)?")
_DATE_TOKEN = re.compile(r"(\d{1,4})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{1,4})")
_WORDS_DATE = re.compile(r"ngay\s*(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d{4})")


def raw_text(value: object) -> str:
    """The cell as a person reads it: '' for blank, whole floats without '.0', dates as dd/mm/yyyy,
    text with its spaces tidied (NFC, no non-breaking or repeated spaces)."""
    if value is None:
        return ""
    if type(value) is str:  # most cells: first, and without the checks below
        return clean_text(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, datetime):
        return _datetime_text(value)
    if isinstance(value, date):
        return _date_text(value)
    return clean_text(value)


# Cached: a daily sheet writes each of its days on every unit's row.
@lru_cache(maxsize=4096)
def _datetime_text(value: datetime) -> str:
    return value.strftime("%d/%m/%Y") if value.time() == datetime.min.time() else value.strftime("%d/%m/%Y %H:%M")


@lru_cache(maxsize=4096)
def _date_text(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def copy_value(value: object) -> float | str | None:
    """A cell as it is staged to be written back into a workbook: a number stays a number (NaN and
    infinities too, so that the writer, etl.safe, can write them blank with a note saying what was
    sent), text stays exactly as sent, anything else becomes its text (so nothing a province sent can
    come back as a live formula, and the province sees its own cells)."""
    if type(value) is float or type(value) is int:  # most cells: first, and without the checks below
        return value  # type: ignore[return-value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value or None
    return raw_text(value) or None


def parse_number(value: object) -> float | None:
    """A number from a cell: 5, 5.0, '5', '1.234', '5,2', '5 (đủ)'; None when blank."""
    if value is None or isinstance(value, bool):
        if isinstance(value, bool):
            raise ValueError("boolean is not a number")
        return None
    if isinstance(value, int | float):
        return _sane(float(value))
    text = _TRAILING_NOTE.sub("", clean_text(value)).strip()
    written = text
    # A space between digits only groups thousands ("1 200"): "1 0" is no number, never 10.
    if _DIGITS_APART.search(text) and not _SPACE_GROUPED.fullmatch(text):
        raise ValueError(f"not a number: {written!r}")
    text = text.replace(" ", "")
    if text in ("", "-"):
        return None
    if "." in text and "," in text:
        # Whichever separator comes last is the decimal one; the other groups thousands.
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        if not _GROUPED[decimal].fullmatch(text):
            raise ValueError(f"not a number: {written!r}")
        text = text.replace(".", "").replace(",", ".") if decimal == "," else text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".")  # Vietnamese decimal comma
    elif _THOUSANDS_DOT.match(text):
        text = text.replace(".", "")
    if not _PLAIN_NUMBER.fullmatch(text):
        raise ValueError(f"not a number: {written!r}")
    return _sane(float(text))


def _sane(number: float) -> float:
    """Refuse what no report can mean: NaN, infinities, 1e308, and a negative zero (a sign typo)."""
    if math.isnan(number) or math.isinf(number) or abs(number) > LARGEST_FIGURE:
        raise ValueError(f"not a plausible figure: {number!r}")
    if number == 0 and math.copysign(1.0, number) < 0:
        raise ValueError("negative zero")
    return number


def parse_date(value: object) -> date | None:
    """A date from a cell: an Excel date, a serial number, '23/4/2021', '23-04-2021'."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise ValueError("serial number out of range")
    text = clean_text(value)
    if not text:
        return None
    if re.fullmatch(r"\d+(\.0+)?", text):
        return parse_date(float(text))
    for pattern, order in ((_DMY, (3, 2, 1)), (_YMD, (1, 2, 3))):
        match = pattern.match(text)
        if match:
            y, m, d = (int(match.group(i)) for i in order)
            return date(y, m, d)
    match = _WORDS_DATE.search(strip_diacritics(text).lower())
    if match:
        d, m, y = (int(g) for g in match.groups())
        return date(y, m, d)
    raise ValueError(f"not a date: {text!r}")


def find_date(text: str) -> date | None:
    """The first date written in ``text``: day/month/year, year-month-day or 'ngày d tháng m năm yyyy';
    None when none is written. Raises ValueError with the text as written when the first one is
    none of these ('04/23/2021'): read further, a later date would be taken for it in silence."""
    token = _DATE_TOKEN.search(text)
    words = _WORDS_DATE.search(strip_diacritics(text).lower())  # one character per character: same positions
    first = min((m for m in (token, words) if m), key=lambda m: m.start(), default=None)
    if first is None:
        return None
    a, b, c = first.groups()
    if first is words:
        day, month, year = a, b, c
    elif len(a) == 4:
        year, month, day = a, b, c
    elif len(c) == 4:
        day, month, year = a, b, c
    else:
        raise ValueError(first.group(0))
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(first.group(0)) from None
    return None
