"""Reading a workbook's cells with python-calamine: cached values of formulas, codes as text."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from etl.extract.errors import UnreadableWorkbook


@dataclass
class Sheet:
    """One sheet as a grid of cell values; ``grid[r][c]`` is Excel row r+1, column c+1."""

    name: str
    visible: bool
    grid: list[list[Any]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)

    def cell(self, row: int, col: int) -> object:
        if row < len(self.grid) and col < len(self.grid[row]):
            value = self.grid[row][col]
            return None if value == "" else value
        return None


def read_sheets(path: Path) -> list[Sheet]:
    """All sheets of a workbook, in order; raises ``UnreadableWorkbook`` with the reason."""
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several unrelated types for broken files
        name = type(exc).__name__
        if "Password" in name:
            raise UnreadableWorkbook("the workbook is password-protected",
                                     "tệp được đặt mật khẩu, không đọc được") from exc
        raise UnreadableWorkbook(f"not a readable Excel workbook ({exc})",
                                 f"không phải tệp Excel đọc được ({exc})") from exc
    sheets = []
    try:
        for meta in workbook.sheets_metadata:
            sheet = workbook.get_sheet_by_name(meta.name)
            # skip_empty_area=False keeps row 1 at index 0 even when the top rows are blank.
            grid = sheet.to_python(skip_empty_area=False)
            merged = [((a[0], a[1]), (b[0], b[1])) for a, b in (sheet.merged_cell_ranges or [])]
            sheets.append(Sheet(meta.name, str(meta.visible).endswith("Visible"), grid, merged))
    except UnreadableWorkbook:
        raise
    except Exception as exc:
        raise UnreadableWorkbook(f"the workbook is damaged ({exc})", f"tệp bị hỏng ({exc})") from exc
    finally:
        workbook.close()
    return sheets
