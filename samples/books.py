"""The workbook backends' common interface: a ``Book`` being written, its ``Sheet``s (text,
number, date, blank, formula, merge, width, hide) and its cell styles by name; and the .xlsx
backend (xlsxwriter), whose metadata is fixed so that the bytes are the same for a seed. The
.xls backend is ``samples.legacy``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
import xlwt  # type: ignore[import-untyped]

from samples.legacy import XlsSheet


class XlsxSheet:
    def __init__(self, book: Book, sheet: Any) -> None:
        self.book, self.sheet = book, sheet

    def text(self, r: int, c: int, value: str, style: str) -> None:
        self.book.note_text(value)
        self.sheet.write_string(r, c, value, self.book.formats[style])  # never write(): "=5 ..." is text

    def number(self, r: int, c: int, value: int, style: str) -> None:
        self.sheet.write_number(r, c, value, self.book.formats[style])

    def day(self, r: int, c: int, value: date, style: str) -> None:
        self.sheet.write_datetime(r, c, datetime.combine(value, datetime.min.time()), self.book.formats[style])

    def blank(self, r: int, c: int, style: str) -> None:
        self.sheet.write_blank(r, c, None, self.book.formats[style])

    def formula(self, r: int, c: int, expr: str, value: int, style: str) -> None:
        # The cached value is what readers (calamine, pandas) see without recalculating.
        self.sheet.write_formula(r, c, expr, self.book.formats[style], value)

    def merge(self, r1: int, c1: int, r2: int, c2: int, style: str) -> None:
        """Merge a range; the caller then writes the top-left cell."""
        self.sheet.merge_range(r1, c1, r2, c2, "", self.book.formats[style])

    def width(self, c: int, chars: int) -> None:
        self.sheet.set_column(c, c, chars)

    def hide(self) -> None:
        self.sheet.hide()


Sheet = XlsxSheet | XlsSheet


class Book:
    """One workbook being written: .xlsx with xlsxwriter, or .xls (Excel 97-2003) with xlwt."""

    def __init__(self, path: Path, fmt: str, created: datetime, title: str, author: str) -> None:
        self.path, self.fmt = path, fmt
        self.formula_like = False  # some text cell begins with "=" or "+"
        self.sheets: list[Any] = []
        self.names: list[str] = []
        if fmt == "xlsx":
            self.xlsx = xlsxwriter.Workbook(str(path), {"in_memory": True})
            # Fixed metadata: xlsxwriter would otherwise stamp the current time into docProps/core.xml.
            self.xlsx.set_properties({"title": title, "author": author, "company": "Bộ Công an",
                                      "created": created.astimezone(UTC).replace(tzinfo=None)})
            add = self.xlsx.add_format
            border = {"border": 1}
            self.formats: dict[str, Any] = {
                "plain": None,
                "bold": add({"bold": True}),
                "title": add({"bold": True, "align": "center"}),
                "header": add({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True}),
                "cell": add(border),
                "date": add({"border": 1, "num_format": "dd/mm/yyyy"}),
                "total": add({"bold": True, "border": 1}),
            }
        else:
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

    def note_text(self, value: str) -> None:
        if value[:1] in ("=", "+"):
            self.formula_like = True

    def chartsheet(self, name: str) -> Any:
        """A chart sheet (.xlsx only); its chart is set later (``_chart``)."""
        self.names.append(name)
        return self.xlsx.add_chartsheet(name)

    def sheet(self, name: str) -> Sheet:
        if self.fmt == "xlsx":
            handle: Sheet = XlsxSheet(self, self.xlsx.add_worksheet(name))
        else:
            handle = XlsSheet(self, self.xls.add_sheet(name, cell_overwrite_ok=True))
        self.sheets.append(handle)
        self.names.append(name)
        return handle

    def close(self, active: Sheet) -> None:
        """Save, with ``active`` (a visible sheet) the active one: xlsxwriter would unhide a hidden
        first sheet left active by default."""
        index = self.sheets.index(active)
        if self.fmt == "xlsx":
            active.sheet.activate()
            self.xlsx.close()
            return
        for i, handle in enumerate(self.sheets):
            handle.sheet.set_selected(i == index)
        self.xls.active_sheet = index
        self.xls.save(str(self.path))
