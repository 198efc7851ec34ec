"""What tests build: small workbooks cell by cell, settings under a temporary folder, arrival
times, queries on a warehouse file, the leadership brief's figures and brief by hand, and the PDF
and HTML brief read back. One module, imported by every test that needs them."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pandas as pd
import xlsxwriter

from etl.clock import VIETNAM
from etl.config import Settings


def write_workbook(path: Path, rows: list[list[object]], sheet: str = "Sheet1",
                   merges: Iterable[tuple[int, int, int, int, str]] = (), hidden_first: bool = False) -> Path:
    """An .xlsx with one sheet holding ``rows`` (cell by cell; "=SUM(...)" strings as formulas, other
    text as text) and ``merges`` (first row, first column, last row, last column, text); with
    ``hidden_first`` a hidden sheet comes before it."""
    return write_sheets(path, {sheet: rows}, {sheet: merges}, hidden_first)


def write_sheets(path: Path, sheets: dict[str, list[list[object]]],
                 merges: dict[str, Iterable[tuple[int, int, int, int, str]]] | None = None,
                 hidden_first: bool = False) -> Path:
    """An .xlsx with a sheet per entry of ``sheets``, in order, each written as ``write_workbook`` does."""
    book = xlsxwriter.Workbook(str(path))
    if hidden_first:
        other = book.add_worksheet("Ẩn")
        other.write(0, 0, "STT")
        other.hide()
    for sheet, rows in sheets.items():
        page = book.add_worksheet(sheet)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, str) and value.startswith("=SUM"):
                    page.write_formula(r, c, value, None, 0)
                elif isinstance(value, str):
                    page.write_string(r, c, value)  # text stays text, even '=5 người'
                elif value is not None:
                    page.write(r, c, value)
        for first_row, first_col, last_row, last_col, text in (merges or {}).get(sheet, ()):
            page.merge_range(first_row, first_col, last_row, last_col, text)
    book.close()
    return path


def arrive(path: Path, *when: int) -> Path:
    """Set a file's arrival (its modification time) to ``datetime(*when)`` in Vietnam time."""
    stamp = datetime(*when, tzinfo=VIETNAM).timestamp()  # type: ignore[misc]
    os.utime(path, (stamp, stamp))
    return path


def make_settings(root: Path) -> Settings:
    """Settings with everything under ``root``: landing/ and var/ (warehouse, published copy, staging)."""
    var = root / "var"
    return Settings(warehouse=var / "warehouse.duckdb", landing=root / "landing",
                    published=var / "published" / "warehouse.duckdb", var=var)


def build_warehouse(path: Path) -> Path:
    """A warehouse as the product builds one, before any report: the schema with its comments and the
    reference side (the writer of every night), then the marts (as publish builds them)."""
    from etl.load.warehouse import writer
    from etl.publish import build_marts

    with writer(path) as engine, engine.begin() as conn:
        build_marts(conn)
    return path


def query(warehouse: Path, sql: str) -> list[tuple]:
    """A query's rows on a warehouse file, opened read-only."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def query_frame(warehouse: Path, sql: str) -> pd.DataFrame:
    """A query's rows as Python objects (datetime.date, None), not pandas types."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        result = con.execute(sql)
        return pd.DataFrame(result.fetchall(), columns=[d[0] for d in result.description], dtype=object)
    finally:
        con.close()


def checksum(warehouse: Path, relation: str) -> str:
    """A digest of every row of a table or view, in a fixed order."""
    return hashlib.sha256(repr(query(warehouse, f"select * from {relation} order by all")).encode()).hexdigest()


def warehouse_checksums(warehouse: Path, schemas: tuple[str, ...] = ("dw", "mart"),
                        leave_out: tuple[str, ...] = ()) -> dict[str, str]:
    """Every table and view of ``schemas`` -> a digest of its rows in a fixed order, without the
    columns ``leave_out`` (a load time, where two warehouses loaded at other moments are compared),
    listed from DuckDB's catalogue so a new table or view is covered without editing a test."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        listed = con.execute("""select table_schema, table_name, list(column_name order by ordinal_position)
                                from information_schema.columns where list_contains(?, table_schema)
                                group by all order by all""", [list(schemas)]).fetchall()
        digests = {}
        for schema, name, columns in listed:
            kept = ", ".join(f'"{c}"' for c in columns if c not in leave_out)
            rows = con.execute(f"select {kept} from {schema}.{name} order by all").fetchall()
            digests[f"{schema}.{name}"] = hashlib.sha256(repr(rows).encode()).hexdigest()
        return digests
    finally:
        con.close()


def truth_sheets(truth: dict, code: str, kind: str | None = None, final: bool = True):
    """(workbook, sheet) pairs of the generator's truth.json holding sheet ``code``; by default only the
    final files (an original its correction replaced is left out)."""
    for w in truth["workbooks"]:
        if code in w["sheets"] and (kind is None or w["kind"] == kind) and not (final and w.get("corrected_by")):
            yield w, w["sheets"][code]


def truth_loading(sheet: dict) -> list[dict]:
    """The rows of a truth sheet that must load (the generator marks those it seeded to be quarantined)."""
    return [r for r in sheet["rows"] if r.get("expect") != "quarantine"]


def truth_in_scope(sheet: dict) -> list[dict]:
    """Loading rows the staffing indicators count (phường before July 2025 load but are out of scope)."""
    return [r for r in truth_loading(sheet) if r.get("in_scope", True)]


def refuse_to_open(monkeypatch, name: str) -> None:
    """Opening a file named ``name`` through Python is refused, as the system refuses a file without
    read permission: chmod 000 does not stop root, and the tests may run as root. Forked readers
    inherit it."""
    real = Path.open

    def refusing(self, *args, **kwargs):
        if self.name == name:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self, *args, **kwargs)
    monkeypatch.setattr(Path, "open", refusing)


def brief_figures(**changes: object):
    """Leadership ``Figures`` of three provinces, small enough to check by hand (tests/leadership):
    staffing of April 2021 (Cao Bằng 7,0 officers per commune and 80% coverage, Hà Nội 5,5, Hải Dương
    5,0), security tips of April 2021 (1.331, 491, 572), an ID-card campaign of 1/4-4/4/2021 due
    10/4/2021 (Hải Dương reaches its 300 on 3/4; 1.345 of 1.500 nationwide on 4/4). ``changes``
    replace fields."""
    import dataclasses
    from datetime import date

    from etl.leadership.figures import Campaign, Figures, Window

    names = {"01": "Thành phố Hà Nội", "04": "Tỉnh Cao Bằng", "30": "Tỉnh Hải Dương"}
    april = date(2021, 4, 1)
    staffing = pd.DataFrame([
        (code, names[code], in_scope, staffed, officers, 100.0 * staffed / in_scope, officers / staffed)
        for code, in_scope, staffed, officers in (("01", 400, 400, 2200), ("04", 150, 120, 840), ("30", 188, 188, 940))
    ], columns=["province_code", "province_name", "communes_in_scope", "communes_staffed", "officers", "coverage_pct",
                "officers_per_commune"]).assign(as_of_date=date(2021, 4, 23), admin_era="pre2025", period_start=april,
                                                unit_list="2021-02-03")
    national = {"as_of_date": date(2021, 4, 23), "admin_era": "pre2025", "provinces_reporting": 3,
                "provinces_expected": 3, "communes_in_scope": 738, "communes_staffed": 708, "officers": 3980,
                "coverage_pct": 100.0 * 708 / 738, "officers_per_commune": 3980 / 708, "period_start": april,
                "unit_lists": "2021-02-03"}
    tips = {"01": (1331, 179), "04": (491, 60), "30": (572, 63)}
    security_by_province = pd.DataFrame([(code, names[code], *tips[code]) for code in sorted(tips)],
                                        columns=["province_code", "province_name", "tips_received", "crime_reports"])
    applications = {"01": (1000, [200, 210, 190, 220]), "04": (200, [40, 50, 30, 45]), "30": (300, [100, 120, 90, 50])}
    daily = pd.DataFrame([
        (code, names[code], date(2021, 4, day + 1), count, sum(counts[:day + 1]), target)
        for code, (target, counts) in applications.items() for day, count in enumerate(counts)
    ], columns=["province_code", "province_name", "report_date", "applications", "cumulative_applications", "target"])
    deadline = date(2021, 4, 10)
    by_province = pd.DataFrame([
        ("01", names["01"], 1000, None, None), ("04", names["04"], 200, None, None),
        ("30", names["30"], 300, date(2021, 4, 3), 7),
    ], columns=["province_code", "province_name", "target", "target_reached_date", "days_ahead"])
    figures = Figures(
        as_of=date(2021, 4, 4), basis="as_reported", singled_out=(), staffing=national, staffing_missing=(),
        staffing_by_province=staffing,
        security=Window("02", "pre2025", april, april, 3),
        security_by_month=pd.DataFrame({"period_start": [april], "tips_received": [2394], "crime_reports": [302]}),
        security_by_province=security_by_province,
        commendations=Window("04"), commendations_by_level=pd.DataFrame(),
        commendations_by_province=pd.DataFrame(),
        campaign=Campaign("pre2025", deadline, date(2021, 4, 1), date(2021, 4, 4), 1345, 1500, None, 3, ()),
        id_cards_by_province=by_province, id_cards_daily=daily,
        completeness=pd.DataFrame(columns=["sheet", "province_code", "province_name", "period_start", "status"]),
        submissions=pd.DataFrame(), provinces=pd.DataFrame({"province_code": list(names),
                                                            "province_name": list(names.values())}),
        era_provinces=pd.DataFrame({"province_code": list(names), "province_name": list(names.values())}))
    return dataclasses.replace(figures, **changes)


def hand_brief(partial: bool = True, **changes: object):
    """A leadership ``Brief`` written by hand (tests/leadership): three paragraphs, the second one
    partial unless ``partial`` is False, and three footer lines."""
    import dataclasses
    from datetime import date

    from etl.leadership.brief import Brief, Paragraph

    brief = Brief(
        as_of=date(2021, 5, 31), title="Báo cáo nhanh: Công an xã chính quy",
        subtitle="Số liệu tính đến ngày 31/5/2021",
        paragraphs=(
            Paragraph("staffing", "Bố trí Công an chính quy",
                      "Tính đến ngày 23/4/2021, Công an 63 tỉnh, thành phố trực thuộc trung ương đã bố trí hơn 44.000 "
                      "cán bộ Công an chính quy đảm nhiệm các chức danh Công an xã tại hơn 8.500 Công an xã, thị "
                      "trấn, đạt 100%, trung bình mỗi xã, thị trấn bố trí 5,2 cán bộ Công an chính quy."),
            Paragraph("security", "An ninh, trật tự",
                      "Trong tháng 4/2021, lực lượng Công an xã đã tiếp nhận 28.175 tin về ANTT, trong đó có 3.398 tin "
                      "báo, tố giác tội phạm. Số liệu chưa đầy đủ: chưa có báo cáo tháng 4/2021 của tỉnh Đắk Lắk.",
                      partial=partial),
            Paragraph("commendations", "Khen thưởng",
                      "Trong tháng 4/2021, đã có gần 200 lượt tập thể, hơn 4.100 lượt cá nhân thuộc lực lượng Công an "
                      "xã được các cấp khen thưởng."),
        ),
        footer=("Số liệu tính đến ngày 31/5/2021: bố trí Công an chính quy theo báo cáo ngày 23/4/2021.",
                "Ranh giới: theo báo cáo (ranh giới tỉnh tại ngày số liệu); danh mục đơn vị hành chính ngày 3/2/2021.",
                "Mức độ đầy đủ: 62/63 tỉnh, thành phố đã báo cáo (chưa đủ: Tỉnh Đắk Lắk)."))
    return dataclasses.replace(brief, **changes)


def pdf_pages(path: Path) -> list[str]:
    """The text of each page of a PDF (pypdfium2), as a reader's copy and paste would give it."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(path)
    try:
        return [page.get_textpage().get_text_bounded() for page in document]
    finally:
        document.close()


def words_of(text: str) -> str:
    """``text`` with every run of whitespace (line breaks of a PDF's lines included) as one space."""
    return " ".join(text.split())


# Attributes through which a page makes the browser fetch something.
FETCHING = {"src", "href", "srcset", "action", "formaction", "poster", "data", "background", "manifest", "ping",
            "cite", "longdesc", "content"}


class HtmlPage(HTMLParser):
    """The parts of an HTML page tests look at: its elements, the attributes through which it would fetch
    something, its text outside <title> and <style>, its images, meta elements and styles."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.references: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.images: list[dict[str, str | None]] = []
        self.meta: list[dict[str, str | None]] = []
        self.styles: list[str] = []
        self.text: list[str] = []
        self.lang: str | None = None
        self._in: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        found = dict(attrs)
        self.references += [(tag, name, value or "") for name, value in attrs if name in FETCHING]
        self.styles += [value or "" for name, value in attrs if name == "style"]
        if tag == "img":
            self.images.append(found)
        if tag == "meta":
            self.meta.append(found)
        if tag == "html":
            self.lang = found.get("lang")
        if tag not in ("img", "meta", "br"):
            self._in.append(tag)

    def handle_endtag(self, tag):
        if tag in self._in:
            del self._in[len(self._in) - 1 - self._in[::-1].index(tag):]

    def handle_data(self, data):
        if "style" in self._in:
            self.styles.append(data)
        elif "title" not in self._in:
            self.text.append(data)
