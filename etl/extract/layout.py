"""Finding the table in a sheet: the header row (one or two rows), the columns, the period
and province written in the title block, and what each row below the header is."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from etl.extract.aliases import REQUIRED, match_heading
from etl.extract.values import find_date, parse_date, parse_number, raw_text
from etl.extract.workbook import Sheet
from etl.names import clean_text, header_key, strip_diacritics

# Rows tried in full as a header; below them a row is tried only when it may be one (text, no
# figures), so a header under pages of instructions is found without slowing the usual sheet.
MAX_HEADER_SCAN = 40

_GRAND_TOTAL = re.compile(r"^((tong cong|tong|cong|tong so|tong so chung)( toan (tinh|thanh pho|quoc))?|"
                          r"toan (tinh|thanh pho)|tong cong ca tinh)$")
_SUBTOTAL = re.compile(r"^(cong|tong|tong cong|tong so)\s+(huyen|quan|thi xa|thanh pho|tp|tx|h|q|ngay)\b")
_TARGET = re.compile(r"chi tieu[^0-9]{0,40}?([0-9][0-9., ]*)[^0-9]{0,40}?(?:thoi han|han|den ngay|truoc ngay)"
                     r"[^0-9]{0,20}(\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4})")
_COLUMN_NUMBERS = re.compile(r"^\(?\s*\d{1,2}\s*\)?$|^\(?[a-z]\)?$")


@dataclass(frozen=True)
class Header:
    """Where the table starts and which sheet column holds each of our columns."""

    first_row: int  # 0-based index of the (first) header row
    data_start: int  # 0-based index of the first row below the header
    columns: dict[str, int]


def _label(sheet: Sheet, row: int, col: int) -> str:
    return raw_text(sheet.cell(row, col))


def _merged_label(sheet: Sheet, row: int, col: int) -> str:
    """A header cell's text, taken from the top-left cell when it lies inside a merged range."""
    for (r0, c0), (r1, c1) in sheet.merged:
        if r0 <= row <= r1 and c0 <= col <= c1:
            return _label(sheet, r0, c0)
    return _label(sheet, row, col)


def _map_columns(sheet_code: str, labels: dict[int, str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for col in sorted(labels):
        name = match_heading(sheet_code, labels[col])
        if name and name not in columns:
            columns[name] = col
    return columns


def find_header(sheet: Sheet, sheet_code: str) -> Header | None:
    """The header of a table of ``sheet_code`` in ``sheet``, or None when there is none.

    Each row is tried (below the first MAX_HEADER_SCAN, only rows that may be a header) as a
    one-row header, and, when the row below it holds headings only, as a two-row header (merged
    "Trong đó" over "Trưởng" and "Phó"); the reading that maps the most columns wins, the two-row
    one on a tie.
    """
    best: Header | None = None
    width = max((len(r) for r in sheet.grid[:MAX_HEADER_SCAN]), default=0)
    for row in range(len(sheet.grid)):
        if row >= MAX_HEADER_SCAN:
            if best is not None:
                break
            if sheet.holds_number(row) or not _may_be_header(sheet.grid[row], sheet_code):
                continue
            width = max(width, len(sheet.grid[row]), len(sheet.grid[row + 1]) if row + 1 < len(sheet.grid) else 0)
        top = {c: _merged_label(sheet, row, c) for c in range(width)}
        if len({v for v in top.values() if v}) < 2:
            continue  # a title line, even merged across the table, is not a header
        readings = [(_map_columns(sheet_code, top), row + 1)]
        below = _second_header_row(sheet, sheet_code, row, width)
        if below is not None:
            # A sub-heading that names a column on its own ("Trưởng CA xã") is taken as it is;
            # one that does not ("Tổng số" under "Số CA chính quy") is read with its group heading.
            combined = {c: (below[c] if match_heading(sheet_code, below[c]) else f"{top[c]} {below[c]}".strip())
                        if below[c] and below[c] != top[c] else top[c] for c in range(width)}
            readings.append((_map_columns(sheet_code, combined), row + 2))
        for columns, data_start in readings:
            if not all(r in columns for r in REQUIRED[sheet_code]):
                continue
            if best is None or len(columns) > len(best.columns) or (
                    best.first_row == row and len(columns) == len(best.columns)):
                best = Header(row, data_start, columns)
        if best is not None and best.first_row < row - 1:
            break
    return best


def _may_be_header(values: list[object], sheet_code: str) -> bool:
    """Cheaply, whether a row can head a table of ``sheet_code``: no number, and a cell written as
    one of the sheet's required headings (a heading merged down starts in its top row)."""
    if any(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return False
    return any(isinstance(v, str) and match_heading(sheet_code, v) in REQUIRED[sheet_code] for v in values)


def _second_header_row(sheet: Sheet, sheet_code: str, row: int, width: int) -> dict[int, str] | None:
    """The row below ``row`` when it continues a two-row header, else None.

    It continues the header when it holds no figures and either every text in it is a heading
    of this sheet, or the row above has merged cells (group headings over sub-headings, or
    headings merged down over both rows).
    """
    if row + 1 >= len(sheet.grid):
        return None
    below = {c: _label(sheet, row + 1, c) for c in range(width)}
    texts = [v for v in below.values() if v]
    if not texts or any(_is_figure(v) for v in texts):
        return None
    merged_here = any(r0 == row and (r1 > row or c1 > c0) for (r0, c0), (r1, c1) in sheet.merged)
    if merged_here or all(match_heading(sheet_code, v) for v in texts):
        return below
    return None


def _is_figure(text: str) -> bool:
    if is_column_numbering(text):
        return True
    try:
        return parse_number(text) is not None
    except ValueError:
        return False


def title_text(sheet: Sheet, header: Header | None) -> list[str]:
    """The texts of the title block above the table (every non-empty cell, row by row)."""
    end = header.first_row if header else min(len(sheet.grid), 12)
    lines = []
    for row in range(end):
        texts = [raw_text(v) for v in sheet.grid[row] if raw_text(v)]
        if texts:
            lines.append(" ".join(texts))
    return lines


def find_period(lines: list[str]) -> tuple[int, int, date | None] | None:
    """(year, month, as-of date) from 'Tháng 4 năm 2021 (Số liệu tính đến ngày 23/4/2021)'; raises
    ValueError with the text as written when the as-of date cannot be read (values.find_date)."""
    # strip_diacritics keeps one character per NFC character, so positions carry over.
    folded = strip_diacritics(clean_text(" ".join(lines))).lower()
    as_of = None
    cut = re.search(r"tinh den|den ngay|tinh toi|ngay bao cao|so lieu ngay", folded)
    if cut:
        as_of = find_date(folded[cut.start():])
    month = re.search(r"thang\s*(\d{1,2})\s*(?:nam|/|-|\.)\s*(\d{4})", folded)
    if month and not 1 <= int(month.group(1)) <= 12:
        raise ValueError(month.group(0))  # "Tháng 13": never the as-of date's month in its place
    if month:
        return int(month.group(2)), int(month.group(1)), as_of
    if as_of:
        return as_of.year, as_of.month, as_of
    return None


# "tháng"/"T" must begin a word ("đợt 2 - 2021" is a round, not February); a month written without
# either ("BC_05.2021") is not read: "Biểu_01.2021" would be January.
_MONTH_IN_NAME = re.compile(r"(?<![a-z])(?:thang|t)\s*0?(\d{1,2})\s*(?:nam|[-./_ ])\s*(20\d\d)"
                            r"|(?<!\d)(20\d\d)\s*[-._]\s*0?(\d{1,2})\b")


def period_in_name(file_name: str) -> tuple[int, int] | None:
    """(year, month) written in a file name ('Báo cáo tháng 5 năm 2021', 'BC thang 4 - 2021', 'T04-2021',
    '2021-04'), or None."""
    match = _MONTH_IN_NAME.search(strip_diacritics(file_name).lower())
    if not match:
        return None
    month, year = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
    return (int(year), int(month)) if 1 <= int(month) <= 12 else None


def find_target(lines: list[str]) -> tuple[int, date] | None:
    """(target, deadline) from 'Chỉ tiêu được giao: 988.200 hồ sơ, thời hạn 30/6/2021'."""
    folded = strip_diacritics(clean_text(" ".join(lines))).lower()
    match = _TARGET.search(folded)
    if not match:
        return None
    try:
        target = parse_number(match.group(1).strip().rstrip(".,"))
        deadline = parse_date(re.sub(r"\s", "", match.group(2)))
    except ValueError:
        return None
    if target is None or deadline is None:
        return None
    return int(target), deadline


def is_grand_total(label: str) -> bool:
    return bool(_GRAND_TOTAL.match(header_key(label)))


def is_subtotal(label: str) -> bool:
    return bool(_SUBTOTAL.match(header_key(label)))


def is_column_numbering(label: str) -> bool:
    """Rows like '(1) (2) (3)' under the header number the columns; they are not data."""
    return bool(_COLUMN_NUMBERS.match(header_key(label) or label.strip()))
