"""The .xls backend (Excel 97-2003, written with xlwt) of the xls_format departure. xlwt stores
no formula's cached value and writes no charts, so an .xls workbook never gets sum_formulas or
chart_sheet."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlwt  # type: ignore[import-untyped]

from samples.books import Book, Sheet


class XlsSheet:
    """A sheet of an .xls workbook (xlwt)."""

    def __init__(self, book: Book, sheet: Any) -> None:
        self.book, self.sheet = book, sheet

    def text(self, r: int, c: int, value: str, style: str) -> None:
        self.book.note_text(value)
        self.sheet.write(r, c, value, self.book.formats[style])  # a str is a label in xlwt, never a formula

    def number(self, r: int, c: int, value: int, style: str) -> None:
        self.sheet.write(r, c, value, self.book.formats[style])

    def day(self, r: int, c: int, value: date, style: str) -> None:
        self.sheet.write(r, c, value, self.book.formats[style])

    def blank(self, r: int, c: int, style: str) -> None:
        self.sheet.write(r, c, None, self.book.formats[style])

    def formula(self, r: int, c: int, expr: str, value: int, style: str) -> None:
        raise ValueError("xlwt cannot store a formula's cached value; .xls files never get sum_formulas")

    def merge(self, r1: int, c1: int, r2: int, c2: int, style: str) -> None:
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1):
                    self.sheet.write(r, c, None, self.book.formats[style])
        self.sheet.merge(r1, r2, c1, c2)

    def width(self, c: int, chars: int) -> None:
        self.sheet.col(c).width = 256 * chars

    def hide(self) -> None:
        self.sheet.visibility = 1


class XlsBook(Book):
    """An .xls (Excel 97-2003) workbook, written with xlwt."""

    fmt = "xls"

    def __init__(self, path: Path, created: datetime, title: str, author: str) -> None:
        super().__init__(path)  # xlwt writes no creation time, title or author
        self.xls = xlwt.Workbook(encoding="utf-8")
        borders = "borders: left thin, right thin, top thin, bottom thin"
        self.formats = {
            "plain": xlwt.easyxf(""),
            "bold": xlwt.easyxf("font: bold on"),
            "title": xlwt.easyxf("font: bold on; align: horiz center"),
            "header": xlwt.easyxf(f"font: bold on; {borders}; align: horiz center, vert center, wrap on"),
            "cell": xlwt.easyxf(borders),
            "date": xlwt.easyxf(borders, num_format_str="dd/mm/yyyy"),
            "total": xlwt.easyxf(f"font: bold on; {borders}"),
        }

    def _add_sheet(self, name: str) -> Sheet:
        return XlsSheet(self, self.xls.add_sheet(name, cell_overwrite_ok=True))

    def close(self, active: Sheet) -> None:
        """Save, with ``active`` the selected and active sheet."""
        index = self.sheets.index(active)
        for i, handle in enumerate(self.sheets):
            handle.sheet.set_selected(i == index)
        self.xls.active_sheet = index
        self.xls.save(str(self.path))
