"""Reading a workbook's cells with python-calamine: cached values of formulas, codes as text."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineSheet, CalamineWorkbook

from etl.config import Limits
from etl.extract.errors import PasswordProtected, RejectedFile, UnreadableWorkbook
from etl.extract.guard import SheetSurvey, check_archive


@dataclass
class Sheet:
    """One sheet as a grid of cell values; ``grid[r][c]`` is Excel row r+1, column c+1."""

    name: str
    visible: bool
    grid: list[list[Any]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    # Formula cells whose value was never calculated (no cached value, or a workbook that asks to be
    # recalculated on opening): (0-based row, column) -> the formula's text without its "=".
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)

    # Per row, whether it holds a number (computed once, when first asked: see holds_number).
    _numbers: list[bool] | None = field(default=None, init=False, repr=False, compare=False)

    def holds_number(self, row: int) -> bool:
        """Whether row ``row`` holds a number (an int or a float, not a bool): a header never does."""
        if self._numbers is None:
            self._numbers = [any(type(v) is float or type(v) is int for v in values) for values in self.grid]
        return self._numbers[row]

    def cell(self, row: int, col: int) -> object:
        if row < len(self.grid) and col < len(self.grid[row]):
            value = self.grid[row][col]
            return None if value == "" else value
        return None


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
# An Office file saved with a password is an OLE container holding an "EncryptedPackage" stream.
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


def check_container(path: Path) -> None:
    """Refuse, with the reason a clerk can act on, a file that cannot be a readable workbook."""
    size = path.stat().st_size
    if size == 0:
        raise UnreadableWorkbook("the file is empty (0 bytes)", "tệp rỗng (0 byte), đề nghị gửi lại")
    with path.open("rb") as handle:
        head = handle.read(8)
        if head == _OLE_MAGIC and _ENCRYPTED_STREAM in handle.read(1 << 22):
            raise PasswordProtected("the workbook is protected by a password",
                                    "tệp được đặt mật khẩu; đề nghị gỡ mật khẩu rồi gửi lại")
    if head[:4] != _ZIP_MAGIC and head != _OLE_MAGIC:
        raise UnreadableWorkbook("not an Excel workbook (neither .xlsx nor .xls content)",
                                 "không phải tệp Excel (.xlsx hoặc .xls)")


def read_sheets(path: Path, limits: Limits | None = None) -> list[Sheet]:
    """All sheets of a workbook, in order; raises ``UnreadableWorkbook`` with the reason."""
    limits = limits or Limits.from_environment()
    check_container(path)
    survey = check_archive(path, limits)
    # Opened here and handed over: the reader's own open fails on a name that is not UTF-8.
    with _reader_failures("not a readable Excel workbook", "không phải tệp Excel đọc được"), path.open("rb") as handle:
        workbook = CalamineWorkbook.from_filelike(handle)
    sheets = []
    try:
        with _reader_failures("the workbook is damaged", "tệp bị hỏng"):
            for meta in workbook.sheets_metadata:
                sheet = workbook.get_sheet_by_name(meta.name)
                found = survey.sheets.get(meta.name) if survey else None
                grid = _grid(sheet, found, limits)
                merged = [((a[0], a[1]), (b[0], b[1])) for a, b in (sheet.merged_cell_ranges or [])]
                sheets.append(Sheet(meta.name, str(meta.visible).endswith("Visible"), grid, merged,
                                    dict(found.formulas) if found else {}))
    finally:
        workbook.close()
    return sheets


def _grid(sheet: CalamineSheet, survey: SheetSurvey | None, limits: Limits) -> list[list[Any]]:
    """The sheet's cells, row 1 at index 0, each row without its trailing empty cells.

    Rows are taken one at a time and cut at the last row holding a value (the guard's survey knows
    it for an .xlsx): a sheet that claims a far cell (an empty string at GR199999, say) costs its
    real cells, not a grid of 40 million.
    """
    if sheet.start is None:
        return []
    first_row, first_column = sheet.start
    last_row = min(survey.last_row if survey else limits.max_rows, limits.max_rows)
    grid: list[list[Any]] = [[] for _ in range(min(first_row, last_row))]
    for values in itertools.islice(sheet.iter_rows(), max(0, last_row - first_row)):
        end = len(values)
        while end and values[end - 1] == "":
            end -= 1
        grid.append([""] * first_column + values[:end] if end else [])
    return grid


@contextmanager
def _reader_failures(what_en: str, what_vi: str) -> Iterator[None]:
    """python-calamine's failures on a broken file, as ``UnreadableWorkbook``: it raises several unrelated
    types, and on some damaged .xls files it panics (pyo3's PanicException is a BaseException)."""
    try:
        yield
    except RejectedFile:
        raise
    except BaseException as exc:
        name = type(exc).__name__
        if not isinstance(exc, Exception) and name != "PanicException":
            raise  # KeyboardInterrupt, SystemExit, MemoryError's kin: not the file's fault
        if "Password" in name:
            raise PasswordProtected("the workbook is protected by a password",
                                    "tệp được đặt mật khẩu; đề nghị gỡ mật khẩu rồi gửi lại") from exc
        if "Zip" in name or "zip" in str(exc).lower():
            raise UnreadableWorkbook(f"the workbook is damaged or truncated ({exc})",
                                     f"tệp bị hỏng hoặc không trọn vẹn ({exc}); đề nghị gửi lại") from exc
        if name == "PanicException":
            raise UnreadableWorkbook(f"the workbook is damaged: the reader gave up on it ({exc})",
                                     f"tệp bị hỏng, chương trình đọc không đọc được ({exc}); "
                                     "đề nghị lưu lại bằng Excel và gửi lại") from exc
        raise UnreadableWorkbook(f"{what_en} ({exc})", f"{what_vi} ({exc})") from exc
