"""Reading a workbook's cells with python-calamine: cached values of formulas, codes as text."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from etl.config import Limits
from etl.extract.errors import PasswordProtected, UnreadableWorkbook
from etl.extract.guard import check_archive


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
    check_archive(path, limits)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several unrelated types for broken files
        name = type(exc).__name__
        if "Password" in name:
            raise PasswordProtected("the workbook is protected by a password",
                                    "tệp được đặt mật khẩu; đề nghị gỡ mật khẩu rồi gửi lại") from exc
        if "Zip" in name or "zip" in str(exc).lower():
            raise UnreadableWorkbook(f"the workbook is damaged or truncated ({exc})",
                                     f"tệp bị hỏng hoặc không trọn vẹn ({exc}); đề nghị gửi lại") from exc
        raise UnreadableWorkbook(f"not a readable Excel workbook ({exc})",
                                 f"không phải tệp Excel đọc được ({exc})") from exc
    sheets = []
    try:
        for meta in workbook.sheets_metadata:
            sheet = workbook.get_sheet_by_name(meta.name)
            # skip_empty_area=False keeps row 1 at index 0 even when the top rows are blank.
            grid = sheet.to_python(skip_empty_area=False, nrows=limits.max_rows)
            merged = [((a[0], a[1]), (b[0], b[1])) for a, b in (sheet.merged_cell_ranges or [])]
            sheets.append(Sheet(meta.name, str(meta.visible).endswith("Visible"), grid, merged))
    except UnreadableWorkbook:
        raise
    except Exception as exc:
        raise UnreadableWorkbook(f"the workbook is damaged ({exc})", f"tệp bị hỏng ({exc})") from exc
    finally:
        workbook.close()
    return sheets
