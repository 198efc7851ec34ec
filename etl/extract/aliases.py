"""The one registry of column headings: every way a province heads a column -> our column.

Headings are compared after ``names.header_key`` (no diacritics, lower case, punctuation as
spaces). Patterns are tried in order and the first match wins, so the more specific come first
("phó trưởng" before "trưởng"; "huyện, thị xã" before "xã"). To accept a new heading, add a
pattern here and a test in tests/extract/test_headers.py.
"""

from __future__ import annotations

import re

from etl.names import header_key

# (canonical column, regular expression on the heading's key)
STAFFING_COLUMNS: list[tuple[str, str]] = [
    ("row_no", r"^(stt|tt|so tt|so thu tu)$"),
    ("code_given", r"\bma (dvhc|don vi|xa|hanh chinh)\b|^ma$|^ma so$"),
    ("staffed_date", r"\bngay\b|\bthoi gian hoan thanh\b"),
    ("note", r"\bghi chu\b"),
    ("deputies", r"\bpho truong\b|^(trong do )?pho\b"),
    ("chiefs", r"\btruong (ca|cong an)\b|^(trong do )?truong\b"),
    ("officers", r"\bchinh quy\b|\bso ca\b|\bcan bo\b|\bbien che\b|\bso luong\b"),
    ("district_name", r"^(thuoc )?(huyen|quan|thi xa|thanh pho|don vi cap huyen)\b"),
    ("commune_name", r"^(xa|phuong|dac khu|ten xa|ten don vi|don vi|dvhc cap xa)\b"),
]
_COMPILED = {name: [(c, re.compile(p)) for c, p in spec] for name, spec in {"01": STAFFING_COLUMNS}.items()}
REQUIRED = {"01": ("commune_name", "officers")}


def match_heading(sheet_code: str, heading: object) -> str | None:
    """Our column for a heading of the given sheet type, or None."""
    key = header_key(heading)
    if not key:
        return None
    for column, pattern in _COMPILED[sheet_code]:
        if pattern.search(key):
            return column
    return None
