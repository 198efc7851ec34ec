"""A fast .xlsx writer for the benchmark's many small workbooks: ``ZipBook`` writes one worksheet
through the sample generator's ``Book`` interface (``samples.books``), so ``samples.tables.write_table``
lays the sheet out exactly as it does with xlsxwriter, but the file is assembled from a template.

The template is one workbook written by xlsxwriter (``samples.books.XlsxBook``, the same styles) whose
every part is reused byte for byte except three written per file: the worksheet, its shared strings
and the document properties (author and creation time). A year of daily files (23k workbooks of a
dozen rows) then costs about a millisecond each instead of xlsxwriter's whole-workbook machinery;
``python bench/gen_xlsx.py`` measures both on the same sheet.
"""

from __future__ import annotations

import functools
import re
import tempfile
import time
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path
from xml.sax.saxutils import escape

from xlsxwriter.utility import xl_rowcol_to_cell

from samples.books import Book, Sheet, XlsxBook

STYLES = ("plain", "bold", "title", "header", "cell", "date", "total")  # samples.books.XlsxBook's formats
SHEET_PART, STRINGS_PART, CORE_PART = "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "docProps/core.xml"
_EXCEL_EPOCH = date(1899, 12, 30)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # as xlsxwriter stamps its parts: the same bytes for the same content
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         f'<worksheet xmlns="{_MAIN}" '
         'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">')
_CORE = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties '
         'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
         'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
         'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
         '<dc:title>{title}</dc:title><dc:creator>{author}</dc:creator><cp:lastModifiedBy>{author}</cp:lastModifiedBy>'
         '<dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created>'
         '<dcterms:modified xsi:type="dcterms:W3CDTF">{created}</dcterms:modified></cp:coreProperties>')


@functools.lru_cache(maxsize=8)
def template(sheet_name: str) -> tuple[dict[str, bytes], dict[str, str]]:
    """The parts of an xlsxwriter workbook with one sheet named ``sheet_name`` (all but the three
    written per file), and each style's cell attribute (' s="3"'; '' for the default style)."""
    with tempfile.TemporaryDirectory(prefix="cax-template-") as tmp:
        path = Path(tmp) / "template.xlsx"
        book = XlsxBook(path, datetime(2000, 1, 1, tzinfo=UTC), "", "")
        sheet = book.sheet(sheet_name)
        for row, style in enumerate(STYLES):  # one cell per style, to read back the index each got
            sheet.text(row, 0, style, style)
        book.close(sheet)
        with zipfile.ZipFile(path) as archive:
            parts = {name: archive.read(name) for name in archive.namelist()}
    sheet_xml = parts[SHEET_PART].decode()
    styles = {}
    for row, style in enumerate(STYLES):
        cell = re.search(rf'<c r="A{row + 1}"( s="\d+")?', sheet_xml)
        assert cell is not None, f"the template lost its {style} cell"
        styles[style] = cell.group(1) or ""
    return {name: data for name, data in parts.items() if name not in (SHEET_PART, STRINGS_PART, CORE_PART)}, styles


def _column_width(chars: float) -> float:
    """A width in characters as Excel stores it (xlsxwriter's conversion for the default font)."""
    digit, padding = 7, 5
    if chars < 1:
        return int(int(chars * (digit + padding) + 0.5) / digit * 256.0) / 256.0
    return int((int(chars * digit + 0.5) + padding) / digit * 256.0) / 256.0


class ZipSheet:
    """The one worksheet of a ``ZipBook``: cells kept as XML by row, written at ``close``."""

    def __init__(self, book: ZipBook) -> None:
        self.book = book
        self.sheet = self  # the Sheet protocol's backend sheet
        self.rows: dict[int, dict[int, str]] = {}  # row -> column -> the cell's XML (a cell written again replaces it)
        self.merges: list[str] = []
        self.widths: dict[int, float] = {}

    def _cell(self, r: int, c: int, style: str, body: str = "", kind: str = "") -> None:
        ref = xl_rowcol_to_cell(r, c)
        typed = f' t="{kind}"' if kind else ""
        xml = f'<c r="{ref}"{self.book.styles[style]}{typed}>{body}</c>' if body else \
            f'<c r="{ref}"{self.book.styles[style]}/>'
        self.rows.setdefault(r, {})[c] = xml

    def text(self, r: int, c: int, value: str, style: str) -> None:
        self.book.note_text(value)
        self._cell(r, c, style, f"<v>{self.book.string_index(value)}</v>", "s")

    def number(self, r: int, c: int, value: int, style: str) -> None:
        self._cell(r, c, style, f"<v>{value}</v>")

    def day(self, r: int, c: int, value: date, style: str) -> None:
        self._cell(r, c, style, f"<v>{(value - _EXCEL_EPOCH).days}</v>")

    def blank(self, r: int, c: int, style: str) -> None:
        self._cell(r, c, style)

    def formula(self, r: int, c: int, expr: str, value: int, style: str) -> None:
        self._cell(r, c, style, f"<f>{escape(expr.lstrip('='))}</f><v>{value}</v>")

    def merge(self, r1: int, c1: int, r2: int, c2: int, style: str) -> None:
        """Merge a range, its other cells blank in ``style`` (as xlsxwriter writes them)."""
        self.merges.append(f"{xl_rowcol_to_cell(r1, c1)}:{xl_rowcol_to_cell(r2, c2)}")
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1):
                    self.blank(r, c, style)

    def width(self, c: int, chars: int) -> None:
        self.widths[c] = chars

    def hide(self) -> None:
        raise ValueError("a ZipBook writes its one visible sheet only")

    def xml(self) -> bytes:
        """The worksheet part: dimension, columns, rows in order (each row's cells by column), merges."""
        rows = sorted(self.rows)
        last_col = max((c for cells in self.rows.values() for c in cells), default=0)
        extent = f"A1:{xl_rowcol_to_cell(rows[-1], last_col)}" if rows else "A1"
        out = [_HEAD, f'<dimension ref="{extent}"/><sheetViews><sheetView tabSelected="1" workbookViewId="0"/>'
               '</sheetViews><sheetFormatPr defaultRowHeight="15"/>']
        if self.widths:
            out.append("<cols>" + "".join(
                f'<col min="{c + 1}" max="{c + 1}" width="{_column_width(w)}" customWidth="1"/>'
                for c, w in sorted(self.widths.items())) + "</cols>")
        out.append("<sheetData>")
        spans = f"1:{last_col + 1}"
        for r in rows:
            cells = self.rows[r]
            out.append(f'<row r="{r + 1}" spans="{spans}">' + "".join(cells[c] for c in sorted(cells)) + "</row>")
        out.append("</sheetData>")
        if self.merges:
            out.append(f'<mergeCells count="{len(self.merges)}">'
                       + "".join(f'<mergeCell ref="{m}"/>' for m in self.merges) + "</mergeCells>")
        out.append('<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
                   "</worksheet>")
        return "".join(out).encode()


class ZipBook(Book):
    """An .xlsx workbook of one worksheet, assembled from an xlsxwriter template (see the module)."""

    fmt = "xlsx"

    def __init__(self, path: Path, created: datetime, title: str, author: str, sheet_name: str) -> None:
        super().__init__(path)
        self.parts, self.styles = template(sheet_name)
        self.sheet_name = sheet_name
        self.properties = (created, title, author)
        self.strings: dict[str, int] = {}
        self.string_count = 0

    def string_index(self, value: str) -> int:
        self.string_count += 1
        return self.strings.setdefault(value, len(self.strings))

    def _add_sheet(self, name: str) -> ZipSheet:
        if self.sheets or name != self.sheet_name:
            raise ValueError(f"a ZipBook holds one sheet, {self.sheet_name!r}; asked for {name!r}")
        return ZipSheet(self)

    def _strings_xml(self) -> bytes:
        items = []
        for text in self.strings:  # insertion order is index order
            space = ' xml:space="preserve"' if text != text.strip() else ""
            items.append(f"<si><t{space}>{escape(text)}</t></si>")
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{_MAIN}" '
                f'count="{self.string_count}" uniqueCount="{len(self.strings)}">' + "".join(items) + "</sst>").encode()

    def close(self, active: object) -> None:
        """Write the file: the template's parts in its order, the three of this workbook in their places."""
        (sheet,) = self.sheets
        assert isinstance(sheet, ZipSheet)
        created, title, author = self.properties
        stamp = created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        own = {SHEET_PART: sheet.xml(), STRINGS_PART: self._strings_xml(),
               CORE_PART: _CORE.format(title=escape(title), author=escape(author), created=stamp).encode()}
        with zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in (*self.parts, *own):
                info = zipfile.ZipInfo(name, _ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, own.get(name) or self.parts[name])


def _sample_sheet(book: Book, rows: int) -> Sheet:
    """A sheet-03-like sheet of ``rows`` rows, for the timing in ``main``."""
    sheet = book.sheet("Biểu 03 - Thu nhận hồ sơ CCCD")
    sheet.text(0, 0, "CÔNG AN TỈNH HẢI DƯƠNG", "bold")
    sheet.merge(1, 0, 1, 2, "title")
    sheet.text(1, 0, "BÁO CÁO TIẾN ĐỘ THU NHẬN HỒ SƠ CCCD", "title")
    for c, head in enumerate(("Ngày", "Huyện, thị xã, thành phố", "Số hồ sơ thu nhận trong ngày")):
        sheet.text(2, c, head, "header")
    for r in range(rows):
        sheet.day(3 + r, 0, date(2022, 1, 5), "date")
        sheet.text(3 + r, 1, f"Huyện {r}", "cell")
        sheet.number(3 + r, 2, 100 + r, "cell")
    return sheet


def main() -> None:
    """Time both writers on the same twelve-row sheet."""
    with tempfile.TemporaryDirectory(prefix="cax-writers-") as tmp:
        created = datetime(2022, 1, 5, 18, tzinfo=UTC)
        for label, make in (("xlsxwriter", lambda p: XlsxBook(p, created, "t", "a")),
                            ("template zip", lambda p: ZipBook(p, created, "t", "a", "Biểu 03 - Thu nhận hồ sơ CCCD"))):
            count = 300
            start = time.perf_counter()
            for i in range(count):
                book = make(Path(tmp) / f"{label}-{i}.xlsx")
                book.close(_sample_sheet(book, 12))
            per_file = (time.perf_counter() - start) / count
            print(f"{label:13} {per_file * 1000:6.2f} ms a workbook; 22,995 workbooks: {per_file * 22995:5.0f} s")


if __name__ == "__main__":
    main()
