"""The workbook backends' common interface: a ``Book`` being written, its ``Sheet``s (text,
number, date, blank, formula, merge, width, hide) and its cell styles by name; and the .xlsx
backend (xlsxwriter), whose metadata is fixed so that the bytes are the same for a seed. The
.xls backend is ``samples.legacy``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol

import xlsxwriter


class Sheet(Protocol):
    """One sheet being written, in either backend: cells by 0-based row and column, each with a
    style of the book's ``formats`` ("plain", "bold", "title", "header", "cell", "date", "total")."""

    sheet: Any  # the backend's own sheet

    def text(self, r: int, c: int, value: str, style: str) -> None:
        """A string cell, never a formula, even if it begins with "=" or "+"."""

    def number(self, r: int, c: int, value: int, style: str) -> None: ...

    def day(self, r: int, c: int, value: date, style: str) -> None: ...

    def blank(self, r: int, c: int, style: str) -> None: ...

    def formula(self, r: int, c: int, expr: str, value: int, style: str) -> None:
        """A formula with its cached value."""

    def merge(self, r1: int, c1: int, r2: int, c2: int, style: str) -> None:
        """Merge a range; the caller then writes the top-left cell."""

    def width(self, c: int, chars: int) -> None: ...

    def hide(self) -> None: ...


class Book:
    """One workbook being written; a backend subclasses it (``XlsxBook``, ``samples.legacy.XlsBook``)."""

    fmt: str
    formats: dict[str, Any]  # cell styles by name

    def __init__(self, path: Path) -> None:
        self.path = path
        self.formula_like = False  # some text cell begins with "=" or "+"
        self.sheets: list[Sheet] = []
        self.names: list[str] = []

    def note_text(self, value: str) -> None:
        if value[:1] in ("=", "+"):
            self.formula_like = True

    def sheet(self, name: str) -> Sheet:
        handle = self._add_sheet(name)
        self.sheets.append(handle)
        self.names.append(name)
        return handle

    def chartsheet(self, name: str) -> Any:
        """A chart sheet; its chart is set later."""
        raise ValueError(f"{self.fmt} workbooks get no chart sheets")

    def close(self, active: Sheet) -> None:
        """Save, with ``active`` (a visible sheet) the active one."""
        raise NotImplementedError

    def _add_sheet(self, name: str) -> Sheet:
        raise NotImplementedError


class XlsxSheet:
    """A sheet of an .xlsx workbook (xlsxwriter)."""

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


class XlsxBook(Book):
    """An .xlsx workbook, written with xlsxwriter."""

    fmt = "xlsx"

    def __init__(self, path: Path, created: datetime, title: str, author: str) -> None:
        super().__init__(path)
        self.xlsx = xlsxwriter.Workbook(str(path), {"in_memory": True})
        # Fixed metadata: xlsxwriter would otherwise stamp the current time into docProps/core.xml.
        self.xlsx.set_properties({"title": title, "author": author, "company": "Bộ Công an",
                                  "created": created.astimezone(UTC).replace(tzinfo=None)})
        add = self.xlsx.add_format
        border = {"border": 1}
        self.formats = {
            "plain": None,
            "bold": add({"bold": True}),
            "title": add({"bold": True, "align": "center"}),
            "header": add({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True}),
            "cell": add(border),
            "date": add({"border": 1, "num_format": "dd/mm/yyyy"}),
            "total": add({"bold": True, "border": 1}),
        }

    def chartsheet(self, name: str) -> Any:
        self.names.append(name)
        return self.xlsx.add_chartsheet(name)

    def _add_sheet(self, name: str) -> Sheet:
        return XlsxSheet(self, self.xlsx.add_worksheet(name))

    def close(self, active: Sheet) -> None:
        """Save, with ``active`` the active sheet: xlsxwriter would unhide a hidden first sheet left
        active by default."""
        active.sheet.activate()
        self.xlsx.close()
