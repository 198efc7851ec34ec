"""The catalogue of hostile inputs and faults (issue 9): each kind writes one small file, or arranges
one fault, in a folder, says in one line what it is, and states what the night must do with it.

``tests/hostile/test_kinds.py`` runs every kind through ``cax ingest`` into a fresh warehouse, then
all of them at once beside the sample workbooks; ``tests/hostile/test_property.py`` mutates sample
workbooks at random. All three use ``ingest`` (a night in a forked process, so that a reader which
kills its process costs a failed test, not the test run) and ``assert_night_whole`` (the night
finished, published, wrote every feedback workbook needed, and kept rows_read = rows_loaded +
rows_quarantined for every submission). The README's reliability table lists the same kinds.
"""

from __future__ import annotations

import io
import os
import random
import re
import signal
import sys
import time
import traceback
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import xlwt  # type: ignore[import-untyped]
from openpyxl import load_workbook

from etl.extract import sandbox
from samples.broken import _encrypt
from tests.builders import write_sheets, write_workbook

# What a kind's subject file must come to. LOADED: every row loaded. QUARANTINED: taken in, some rows
# quarantined with the reason. REJECTED: refused (whole, or the sheet) with the reason. ACCOUNTED:
# loaded or quarantined, row by row, none refused whole. EITHER: loaded, or refused with a reason,
# never absent from audit.submission. GOES_ON: no submission is expected; the others load. USAGE: the
# command refuses its arguments (exit 2, naming them) before anything is written.
LOADED, QUARANTINED, REJECTED, ACCOUNTED, EITHER, GOES_ON, USAGE = (
    "loaded", "quarantined", "rejected", "accounted", "either", "goes_on", "usage")
EXIT_CODES = {LOADED: {0}, QUARANTINED: {3}, REJECTED: {3}, ACCOUNTED: {0, 3}, EITHER: {0, 3}, GOES_ON: {0, 3},
              USAGE: {2}}


@dataclass(frozen=True)
class Expect:
    """The outcome a kind must have.

    ``reason``: each item must appear (case-insensitively; "a|b" for either) in the subject's reason or
    quarantine messages (for USAGE, in the command's output). ``rows``: the rows of figures the subject
    holds, built by hand, that rows_read must count. ``holds``: (SQL, value) pairs the warehouse must
    give after the night.
    """

    outcome: str
    reason: tuple[str, ...] = ()
    rows: int | None = None
    holds: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class Kind:
    """One hostile input or fault.

    ``build`` writes the subject into a folder and returns its path. ``fault`` is done to the subject
    after discovery and before reading; ``patch`` is installed in the night's process before it
    starts; ``args`` are the command's arguments (default: the landing folder). A kind whose fault is
    the loader's own (killed, locked, full disk) names the test that covers it in ``elsewhere``.
    """

    name: str
    description: str
    expect: Expect
    build: Callable[[Path], Path] | None = None
    fault: Callable[[Path], None] | None = None
    patch: Callable[[Path], None] | None = None
    args: Callable[[Path, Path], list[str]] | None = None
    env: dict[str, str] = field(default_factory=dict)
    elsewhere: str | None = None


# --- builders shared by the hostile tests -------------------------------------------------------

ROWS = [["CÔNG AN TỈNH HẢI DƯƠNG"], ["Tháng 4 năm 2021 (Số liệu tính đến ngày 23/4/2021)"],
        ["STT", "Huyện", "Xã, thị trấn", "Số CA chính quy", "Ghi chú"],
        [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", 5, "=5 người"], [2, "TP Chí Linh", "Xã Hưng Đạo", 6, "+1 tăng cường"]]


def rewrite_parts(source: Path, target: Path, change) -> Path:
    """A copy of ``source`` with each XML part passed through ``change(name, bytes)``."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            new.writestr(item.filename, change(item.filename, old.read(item.filename)))
    return target


def sheet_change(pattern: bytes, replacement: bytes):
    return lambda name, data: re.sub(pattern, replacement, data) if name.startswith("xl/worksheets/") else data


def abort_on(name: str, action: str):
    """A stand-in for the sandbox's extract_to_stage that, on the file ``name``, aborts the process, asks
    for 100 GB or hangs (``action``), as a reader may; other files are extracted as usual."""
    real = sandbox.extract_to_stage

    def patched(file, stage_dir, limits=None, cutoff=None):
        if file.name == name:
            if action == "abort":
                os.abort()  # what python-calamine does on some files: no exception, the process dies
            if action == "memory":
                [bytearray(1 << 20) for _ in range(100_000)]  # noqa: B018 - 100 GB, never granted
            if action == "hang":
                time.sleep(60)
        return real(file, stage_dir, limits, cutoff)
    return patched


# --- the rows the kinds are made of --------------------------------------------------------------

TITLE, PERIOD, HEADER = ROWS[0][0], ROWS[1][0], ROWS[2]
BODY = [[1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", 5], [2, "Huyện Tứ Kỳ", "Xã Đại Sơn", 6],
        [3, "Huyện Tứ Kỳ", "Xã Bình Lãng", 4]]
UNKNOWN = [4, "Huyện Tứ Kỳ", "Xã Không Có", 3]  # a commune the reference does not know: one quarantined row
SHEET = "Biểu 01"


def staffing(folder: Path, name: str, body: list[list[object]] = BODY, *, title: str = TITLE,
             period: str = PERIOD, sheet: str = SHEET, above: int = 0) -> Path:
    """Hải Dương's April 2021 staffing sheet: title, period, header, ``body``; ``above`` blank-free
    lines of instructions before all of it."""
    notes = [[f"Hướng dẫn {n}: điền số liệu vào các cột"] for n in range(1, above + 1)]
    return write_workbook(folder / name, [*notes, [title], [period], HEADER, *body], sheet)


def with_unknown(body: list[list[object]] = BODY) -> list[list[object]]:
    """``body`` and a row the night quarantines, so that the file gets a feedback workbook."""
    return [*body, UNKNOWN]


def _sheet_xml(folder: Path, name: str, pattern: bytes, replacement: bytes) -> Path:
    """The staffing workbook with ``pattern`` replaced in its worksheet XML."""
    return rewrite_parts(staffing(folder, "base-" + name), folder / name, sheet_change(pattern, replacement))


def _part(part: str, change: Callable[[bytes], bytes]) -> Callable[[str, bytes], bytes]:
    return lambda name, data: change(data) if name == part else data


def _not_utf8(path: Path) -> Path:
    """``path`` renamed to bytes no UTF-8 decoder accepts (as an archive made on Windows leaves them)."""
    target = Path(os.fsdecode(os.fsencode(path.parent) + b"/b\xe1o c\xe1o \xff\xfe.xlsx"))
    path.rename(target)
    return target


def _renamed_sheet(folder: Path, name: str, sheet_names: list[str], body=None) -> Path:
    """A workbook of one staffing sheet per name, the names set in workbook.xml (past what xlsxwriter
    allows: over 31 characters, brackets, slashes)."""
    base = write_sheets(folder / ("base-" + name), {f"S{n}": [[TITLE], [PERIOD], HEADER, *(body or with_unknown())]
                                                     for n in range(len(sheet_names))})

    def rename(data: bytes) -> bytes:
        for n, wanted in enumerate(sheet_names):
            escaped = wanted.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
            data = data.replace(f'name="S{n}"'.encode(), f'name="{escaped}"'.encode(), 1)
        return data
    return rewrite_parts(base, folder / name, _part("xl/workbook.xml", rename))


def _doctype(name: str, declaration: bytes, reference: bytes) -> Callable[[Path], Path]:
    """sharedStrings.xml declaring ``declaration`` and using ``reference`` for the first commune's name."""
    def change(data: bytes) -> bytes:
        body = data.split(b"?>", 1)[1].replace("Xã Hưng Đạo".encode(), reference, 1)
        return b'<?xml version="1.0"?>' + declaration + body
    return lambda f: rewrite_parts(staffing(f, "base-" + name), f / name, _part("xl/sharedStrings.xml", change))


def _value_cell(value: bytes) -> Callable[[Path], Path]:
    """The officers of the first commune written as ``value`` in the sheet XML (NaN, INF...)."""
    return lambda f: _sheet_xml(f, "value.xlsx", rb'(<c r="D4"[^>]*>)<v>5</v>', rb"\1<v>" + value + b"</v>")


def _raw(name: str, data: bytes) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        (folder / name).write_bytes(data)
        return folder / name
    return build


def _zip(name: str, members: dict[str, bytes]) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        with zipfile.ZipFile(folder / name, "w", zipfile.ZIP_DEFLATED) as archive:
            for member, data in members.items():
                archive.writestr(member, data)
        return folder / name
    return build


def _good_bytes() -> bytes:
    scratch = Path(os.environ.get("TMPDIR", "/tmp")) / f"kinds-{os.getpid()}-{time.monotonic_ns()}.xlsx"
    try:
        return staffing(scratch.parent, scratch.name).read_bytes()
    finally:
        scratch.unlink(missing_ok=True)


def _zip_bomb(folder: Path) -> Path:
    bomb = folder / "bomb.xlsx"
    with zipfile.ZipFile(staffing(folder, "base.xlsx")) as old, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            new.writestr(item.filename, old.read(item.filename))
        with new.open("xl/media/padding.bin", "w") as padding:  # 100 MB of zeros in ~100 KB
            for _ in range(100):
                padding.write(bytes(1 << 20))
    (folder / "base.xlsx").unlink()
    return bomb


def _many_members(folder: Path) -> Path:
    target = folder / "members.xlsx"
    with zipfile.ZipFile(staffing(folder, "base.xlsx")) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            new.writestr(item.filename, old.read(item.filename))
        for n in range(2_001):
            new.writestr(f"xl/media/p{n}.bin", b"")
    (folder / "base.xlsx").unlink()
    return target


def _password(folder: Path) -> Path:
    data, _ = _encrypt(_good_bytes(), random.Random(9), datetime(2021, 4, 20))
    (folder / "matkhau.xlsx").write_bytes(data)
    return folder / "matkhau.xlsx"


def _truncated(folder: Path) -> Path:
    data = _good_bytes()
    (folder / "cut.xlsx").write_bytes(data[: len(data) // 2])
    return folder / "cut.xlsx"


def _xls(rows: list[list[object]]) -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    page = book.add_sheet(SHEET)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            page.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _panicking_xls(folder: Path) -> Path:
    """An .xls with one byte zeroed where python-calamine panics (a BaseException, not an Exception)."""
    data = bytearray(_xls([[TITLE], [PERIOD], ["STT", "Huyện", "Xã", "Số CA"], [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", 5]]))
    data[514] = 0  # found by zeroing each byte in turn: "range end index 2 out of range for slice of length 0"
    (folder / "panic.xls").write_bytes(bytes(data))
    return folder / "panic.xls"


def _good_xls(folder: Path) -> Path:
    (folder / "legacy.xls").write_bytes(_xls([[TITLE], [PERIOD], HEADER, *BODY]))
    return folder / "legacy.xls"


def _large_extent(folder: Path) -> Path:
    """18 KB that declare 200,000 rows by 200 columns (within the limits): one cell far out, the rest tiny."""
    return _sheet_xml(folder, "extent.xlsx", rb"</sheetData>",
                      b'<row r="199999"><c r="GR199999"><v>1</v></c></row></sheetData>')


def _prefixed_far_cell(folder: Path) -> Path:
    return _sheet_xml(folder, "prefixed.xlsx", rb"</sheetData>",
                      b'<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r=\'1048576\'>'
                      b"<x:c r='XFD1048576'><x:v>1</x:v></x:c></x:row></sheetData>")


def _spaced_far_cell(folder: Path) -> Path:
    return _sheet_xml(folder, "spaced.xlsx", rb"</sheetData>",
                      b"<row  r = '1048576' ><c t=\"n\"  r = 'XFD1048576'><v>1</v></c></row></sheetData>")


def _unnumbered_far_cell(folder: Path) -> Path:
    """Rows and cells without an r attribute: positions follow from order (16,384 cells in one row)."""
    return _sheet_xml(folder, "unnumbered.xlsx", rb"</sheetData>",
                      b"<row>" + b"<c><v>1</v></c>" * 16_384 + b"</row></sheetData>")


def _strict_ooxml(folder: Path) -> Path:
    transitional = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    return rewrite_parts(staffing(folder, "base-strict.xlsx"), folder / "strict.xlsx",
                    lambda name, data: data.replace(transitional, b"http://purl.oclc.org/ooxml/spreadsheetml/main"))


def _na_name(folder: Path) -> Path:
    """An error cell (#N/A, from a lookup) where the commune's name belongs, figures beside it."""
    return _sheet_xml(folder, "na.xlsx", rb'<c r="C5"[^>]*>.*?</c>', b'<c r="C5" t="e"><f>NA()</f><v>#N/A</v></c>')


def _uncalculated(formula: bytes) -> Callable[[Path], Path]:
    """The first commune's officers as a formula whose value was never calculated (no cached value)."""
    return lambda f: _sheet_xml(f, "formula.xlsx", rb'<c r="D4"([^>]*)><v>5</v></c>',
                                b'<c r="D4"\\1><f>' + formula + b"</f></c>")


def _merged_name(folder: Path) -> Path:
    rows = [[TITLE], [PERIOD], HEADER, [1, "Huyện Tứ Kỳ", None, 5], [2, "Huyện Tứ Kỳ", None, 6],
            [3, "Huyện Tứ Kỳ", "Xã Bình Lãng", 4]]
    return write_workbook(folder / "merged.xlsx", rows, SHEET, merges=[(3, 2, 4, 2, "Xã Hưng Đạo")])


def _continued(folder: Path) -> Path:
    # Xã Ngọc Kỳ (11089): a commune of Tứ Kỳ in the list in force on PERIOD's date (the list of
    # 3/2/2021). Xã Kỳ Sơn, written here before, is that list's Xã Tái Sơn renamed later.
    more = [[4, "Huyện Tứ Kỳ", "Xã Chí Minh", 3], [5, "Huyện Tứ Kỳ", "Xã Ngọc Kỳ", 2]]
    return write_sheets(folder / "continued.xlsx", {SHEET: [[TITLE], [PERIOD], HEADER, *BODY],
                                                    "Biểu 01 (tiếp)": [HEADER, *more]})


def _fifty_sheets(folder: Path) -> Path:
    sheets: dict[str, list[list[object]]] = {f"Sheet{n}": [] for n in range(1, 50)}
    return write_sheets(folder / "fifty.xlsx", {**sheets, SHEET: [[TITLE], [PERIOD], HEADER, *BODY]})


def _two_provinces(folder: Path) -> Path:
    bac_ninh = [["CÔNG AN TỈNH BẮC NINH"], [PERIOD], HEADER, [1, "Huyện Quế Võ", "Xã Phù Lãng", 4]]
    return write_sheets(folder / "two.xlsx", {SHEET: [[TITLE], [PERIOD], HEADER, *BODY], "Biểu 01 BN": bac_ninh})


def _fifo(folder: Path) -> Path:
    os.mkfifo(folder / "pipe.xlsx")
    return folder / "pipe.xlsx"


def _symlink_loop(folder: Path) -> Path:
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    (folder / "self.xlsx").symlink_to(folder / "self.xlsx")
    return folder / "self.xlsx"


def _csv(folder: Path) -> Path:
    text = "\n".join(",".join(str(v) for v in row) for row in [[TITLE], [PERIOD], HEADER, *BODY])
    return _raw("csv.xlsx", text.encode())(folder)


def _ods(folder: Path) -> Path:
    return _zip("ods.xlsx", {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                             "content.xml": b"<office:document-content/>"})(folder)


def _delete(path: Path) -> None:
    path.unlink()


def _unreadable(path: Path) -> None:
    """Permission denied; as root chmod does not stop reading, so the path becomes a folder instead."""
    path.chmod(0)
    if os.geteuid() == 0:
        path.unlink()
        path.mkdir()


def _rewrite_in_place(path: Path) -> None:
    staffing(path.parent, path.name, [[1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", 9]])


def _become_twin(path: Path) -> None:
    """The subject's bytes become those of another file of the same night (twin.xlsx)."""
    path.write_bytes((path.parent / "twin.xlsx").read_bytes())


def _with_twin(folder: Path) -> Path:
    staffing(folder, "twin.xlsx", [[1, "Huyện Tứ Kỳ", "Xã Chí Minh", 7]])
    return staffing(folder, "changing.xlsx")


def _three_copies(folder: Path) -> Path:
    first = staffing(folder, "copy1.xlsx")
    for n in (2, 3):
        (folder / f"copy{n}.xlsx").write_bytes(first.read_bytes())
    return first


def _reader(action: str) -> Callable[[Path], None]:
    def patch(subject: Path) -> None:
        from etl.extract import sandbox

        sandbox.extract_to_stage = abort_on(subject.name, action)
    return patch


def _q(sql: str, value: object) -> tuple[tuple[str, object], ...]:
    return ((sql, value),)


def _officers(file_name: str, unit_code: str, officers: int) -> tuple[tuple[str, object], ...]:
    """The officers the warehouse holds for one commune (by its code) of the file ``file_name``."""
    return _q("select f.officers from dw.fact_commune_staffing f join audit.submission s using (submission_id) "
              f"where s.file_name = '{file_name}' and f.unit_code = '{unit_code}'", officers)


def _as_of(file_name: str) -> tuple[tuple[str, object], ...]:
    """The snapshot date the warehouse holds for the staffing of ``file_name``: 23 April 2021."""
    return _q("select distinct f.as_of_date::varchar from dw.fact_commune_staffing f join audit.submission s "
              f"using (submission_id) where s.file_name = '{file_name}'", "2021-04-23")


NO_DUPLICATE = _q("select count(*) from audit.submission where status = 'duplicate'", 0)
NEVER_ZERO = _q("select count(*) from dw.fact_commune_staffing where officers = 0", 0)

KINDS: tuple[Kind, ...] = (
    # The README's table before issue 9 (tests/hostile/test_hostile_files.py, tests/faults/test_faults.py).
    Kind("dimension_xfd", "a sheet whose dimension claims A1:XFD1048576", Expect(REJECTED, ("column 16,384",)),
         lambda f: _sheet_xml(f, "dimension.xlsx", rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>')),
    Kind("far_cell", "one cell at XFD1048576", Expect(REJECTED, ("row 1,048,576",)),
         lambda f: _sheet_xml(f, "far.xlsx", rb"</sheetData>",
                              b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')),
    Kind("million_rows", "a million empty rows", Expect(REJECTED, ("200,000 rows",)),
         lambda f: _sheet_xml(f, "million.xlsx", rb"</sheetData>", b"".join(
             b'<row r="%d"/>' % r for r in range(10, 1_000_001, 1000)) + b'<row r="1000000"/></sheetData>')),
    Kind("zip_bomb", "100 MB of zeros in 100 KB inside the workbook", Expect(REJECTED, ("zip bomb",)), _zip_bomb),
    Kind("too_many_parts", "an archive of 2,001 empty parts beside the workbook",
         Expect(REJECTED, ("parts, over the limit of 2000",)),
         _many_members),
    Kind("over_file_limit", "51 MB under an .xlsx name, over CAX_MAX_FILE_MB (50)", Expect(REJECTED, ("MB limit",)),
         lambda f: _raw("big.xlsx", b"PK\x03\x04" + random.Random(51).randbytes(51_000_000))(f)),
    Kind("xml_entities", "a billion-laughs entity in sharedStrings.xml", Expect(REJECTED, ("DTD or entities",)),
         _doctype("entities.xlsx", b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>',
                  b"&lol2;")),
    Kind("external_entity", "an external entity reaching for /etc/passwd", Expect(REJECTED, ("DTD or entities",)),
         _doctype("external.xlsx", b'<!DOCTYPE x [<!ENTITY ext SYSTEM "file:///etc/passwd">]>', b"&ext;")),
    Kind("zip_not_workbook", "a zip holding a text file, named .xlsx", Expect(REJECTED, ("not an Excel workbook",)),
         _zip("archive.xlsx", {"readme.txt": "một tệp nén".encode()})),
    Kind("pdf_as_xlsx", "a PDF saved under an .xlsx name", Expect(REJECTED, ("not an Excel workbook",)),
         _raw("pdf.xlsx", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")),
    Kind("empty_file", "0 bytes", Expect(REJECTED, ("empty",)), _raw("empty.xlsx", b"")),
    Kind("truncated", "the first half of a good workbook", Expect(REJECTED, ("damaged or truncated",)), _truncated),
    Kind("password", "a workbook encrypted with a password (ECMA-376 agile)", Expect(REJECTED, ("password",)),
         _password),
    Kind("reader_aborts", "the reader kills its process (os.abort)", Expect(REJECTED, ("crashed the reader",)),
         lambda f: staffing(f, "abort.xlsx"), patch=_reader("abort")),
    Kind("reader_memory", "the reader asks for 100 GB", Expect(REJECTED, ("needed over",)),
         lambda f: staffing(f, "memory.xlsx"), patch=_reader("memory"), env={"CAX_WORKER_MEMORY_MB": "500"}),
    Kind("reader_hangs", "the reader never returns", Expect(REJECTED, ("took over",)),
         lambda f: staffing(f, "hang.xlsx"), patch=_reader("hang"), env={"CAX_WORKER_TIMEOUT_S": "3"}),
    Kind("formula_like_text", 'text cells beginning with "=" and "+"',
         Expect(LOADED, holds=_q("select count(*) from dw.fact_commune_staffing where note in "
                                 "('=5 người', '+1 tăng cường')", 2)),
         lambda f: staffing(f, "notes.xlsx", [[*BODY[0], "=5 người"], [*BODY[1], "+1 tăng cường"]])),
    Kind("file_name_sql", "a file named with quotes and SQL", Expect(QUARANTINED, ("Xã Không Có",)),
         lambda f: staffing(f, "x'; drop table dw.fact_commune_staffing; --.xlsx", with_unknown())),
    Kind("file_name_separators", 'a file named with backslashes and double quotes', Expect(QUARANTINED),
         lambda f: staffing(f, 'bao "cao" \\ ..\\..\\T4.xlsx', with_unknown())),
    Kind("implausible_numbers", 'figures 1e308, "-0", "NaN" beside a good row',
         Expect(QUARANTINED, ("not a plausible number", "NaN", "1e+308", "-0"), rows=4),
         lambda f: staffing(f, "numbers.xlsx", [[4, "Huyện Tứ Kỳ", "Xã Chí Minh", 3],
                                                [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", 1e308],
                                                [2, "Huyện Tứ Kỳ", "Xã Đại Sơn", "-0"],
                                                [3, "Huyện Tứ Kỳ", "Xã Bình Lãng", "NaN"]])),
    Kind("rewritten_mid_night", "a file rewritten between discovery and reading",
         Expect(REJECTED, ("changed after the night found it",)), lambda f: staffing(f, "moving.xlsx"),
         fault=_rewrite_in_place),
    Kind("loader_killed", "the loader killed (SIGKILL) mid-load, then run again", Expect(GOES_ON),
         elsewhere="tests/faults/test_faults.py::test_a_loader_killed_halfway_then_rerun_equals_an_uninterrupted_night"),
    Kind("two_loaders", "two loaders at once", Expect(GOES_ON),
         elsewhere="tests/faults/test_faults.py::test_two_loaders_at_once_write_nothing_twice"),
    Kind("lock_held", "a loader that cannot get the warehouse's lock in CAX_LOCK_WAIT_S", Expect(GOES_ON),
         elsewhere="tests/faults/test_faults.py::test_a_loader_that_cannot_get_the_lock_fails_cleanly"),
    Kind("read_only_warehouse", "a read-only warehouse", Expect(GOES_ON),
         elsewhere="tests/faults/test_faults.py::test_a_read_only_warehouse_gives_a_clear_error_and_changes_nothing"),
    Kind("full_disk", "a full disk under the warehouse", Expect(GOES_ON),
         elsewhere="tests/faults/test_faults.py::test_a_full_disk_gives_a_clear_error_and_no_partial_load"),
    # Issue 9: the night stopped after loading.
    Kind("far_cell_prefixed", "a cell at XFD1048576 written <x:c r='XFD1048576'> (namespace prefix, quotes)",
         Expect(REJECTED, ("1,048,576",)), _prefixed_far_cell),
    Kind("far_cell_spaced", "a cell at XFD1048576 written with spaces around '=' and single quotes",
         Expect(REJECTED, ("1,048,576",)), _spaced_far_cell),
    Kind("cells_without_refs", "16,384 cells in a row with no r attributes",
         Expect(REJECTED, ("refused before reading", "row 7, column 201", "200 columns")), _unnumbered_far_cell),
    Kind("xls_reader_panics", "a damaged .xls on which the reader panics (a Rust panic)",
         Expect(REJECTED, ("damaged: the reader gave up",)), _panicking_xls),
    Kind("nan_in_text_column", "NaN and INF in the numbering column of a file that gets feedback", Expect(QUARANTINED),
         lambda f: rewrite_parts(staffing(f, "base-nan.xlsx", with_unknown()), f / "nan-stt.xlsx", sheet_change(
             rb'(<c r="A[45]")[^>]*>(<v>[^<]*</v>)', rb"\1><v>NaN</v>"))),
    Kind("nan_cell", "a numeric cell holding NaN", Expect(QUARANTINED, ("not a plausible number", "nan"), rows=3),
         _value_cell(b"NaN")),
    Kind("inf_cell", "a numeric cell holding INF", Expect(QUARANTINED, ("not a plausible number", "inf"), rows=3),
         _value_cell(b"INF")),
    Kind("minus_inf_cell", "a numeric cell holding -inf",
         Expect(QUARANTINED, ("not a plausible number", "-inf"), rows=3),
         _value_cell(b"-inf")),
    Kind("sheet_named_summary", 'a sheet named "Tóm tắt", as the feedback\'s summary sheet', Expect(QUARANTINED),
         lambda f: staffing(f, "summary.xlsx", with_unknown(), sheet="Tóm tắt")),
    Kind("sheet_names_collide", "two sheets whose first 31 characters are equal (40 characters each)",
         Expect(REJECTED, ("every data row was rejected",), rows=8),
         lambda f: _renamed_sheet(f, "collide.xlsx", ["Biểu 01 - Bố trí CA chính quy xã T4-A",
                                                      "Biểu 01 - Bố trí CA chính quy xã T4-B"])),
    Kind("sheet_name_illegal", "a sheet named with []:*?/\\ (possible in the XML, refused by Excel)",
         Expect(QUARANTINED, ("Xã Không Có",), rows=4),
         lambda f: _renamed_sheet(f, "illegal.xlsx", ["Biểu 01 [T4]/2021: *?\\"])),
    Kind("sheet_name_emoji", "a sheet named with 31 emoji (62 UTF-16 units)",
         Expect(QUARANTINED, ("Xã Không Có",), rows=4),
         lambda f: _renamed_sheet(f, "emoji.xlsx", ["\U0001F46E" * 31])),
    Kind("sheet_name_history", 'a sheet named "History" (reserved by Excel)', Expect(QUARANTINED),
         lambda f: staffing(f, "history.xlsx", with_unknown(), sheet="History")),
    Kind("sheet_name_control", "a sheet named with control characters and an apostrophe first",
         Expect(REJECTED, ("xl/workbook.xml is not well-formed",)),
         lambda f: _renamed_sheet(f, "control.xlsx", ["'Biểu 01\x01\x1f"])),
    Kind("file_name_255_bytes", "a file named with 255 bytes (Linux's longest)", Expect(QUARANTINED),
         lambda f: staffing(f, "Báo cáo " + "đ" * 119 + ".xlsx", with_unknown())),
    Kind("file_name_not_utf8", "a file name whose bytes are not UTF-8 (made on another system)",
         Expect(QUARANTINED, ("Xã Không Có",)), lambda f: _not_utf8(staffing(f, "base.xlsx", with_unknown()))),
    Kind("file_name_dash_newline", "a file named '-\\n' and a Windows device name", Expect(QUARANTINED),
         lambda f: staffing(f, "-CON\nbáo cáo.xlsx", with_unknown())),
    Kind("large_extent", "18 KB declaring 200,000 rows by 200 columns", Expect(LOADED, rows=3), _large_extent),
    # Issue 9: rows lost with exit 0.
    Kind("blank_name", "a row with figures and no commune name", Expect(QUARANTINED, ("names no unit",), rows=4),
         lambda f: staffing(f, "blank.xlsx", [*BODY, [4, "Huyện Tứ Kỳ", None, 7]])),
    Kind("na_name", "#N/A where the commune name belongs", Expect(QUARANTINED, ("names no unit",), rows=3), _na_name),
    Kind("merged_name", "a commune name merged over two rows that each hold figures",
         Expect(QUARANTINED, ("merged over several rows",), rows=3),
         _merged_name),
    Kind("rows_below_total", "data rows below the total row", Expect(QUARANTINED, ("below the total row",), rows=4),
         lambda f: staffing(f, "below.xlsx", [*BODY, ["", "Tổng cộng", "", 15], [4, "Huyện Tứ Kỳ", "Xã Chí Minh", 3]])),
    Kind("continuation_sheet", 'a table continued on a second sheet "Biểu 01 (tiếp)"', Expect(LOADED, rows=5),
         _continued),
    Kind("header_far_down", "60 lines of instructions above the header", Expect(LOADED, rows=3),
         lambda f: staffing(f, "low.xlsx", above=60)),
    Kind("uncalculated_formula", "figures as simple formulas never calculated (no cached value)",
         Expect(LOADED, rows=3, holds=(*NEVER_ZERO, *_officers("formula.xlsx", "11086", 5))), _uncalculated(b"2+3")),
    Kind("uncalculated_lookup", "a figure as a lookup formula never calculated",
         Expect(QUARANTINED, ("công thức chưa được tính",), rows=3, holds=NEVER_ZERO),
         _uncalculated(b"VLOOKUP(B4,Sheet9!A:B,2,0)")),
    Kind("full_calc_on_load", "xlsxwriter's SUM with cached 0 and fullCalcOnLoad",
         Expect(LOADED, rows=3, holds=(*NEVER_ZERO, *_officers("sum.xlsx", "11092", 11))),
         lambda f: staffing(f, "sum.xlsx", [*BODY[:2], [3, "Huyện Tứ Kỳ", "Xã Bình Lãng", "=SUM(D4:D5)"]])),
    # Issue 9: implausible periods.
    Kind("as_of_year_after", "as-of 23/4/2022 under the title April 2021", Expect(REJECTED, ("23/04/2022", "04/2021")),
         lambda f: staffing(f, "asof.xlsx", period="Tháng 4 năm 2021 (Số liệu tính đến ngày 23/4/2022)")),
    Kind("as_of_20_days_after", "as-of 20/5/2021 under the title April 2021", Expect(REJECTED, ("2021",)),
         lambda f: staffing(f, "late.xlsx", period="Tháng 4 năm 2021 (Số liệu tính đến ngày 20/5/2021)")),
    Kind("as_of_10_days_after", "as-of 10/5/2021 under April 2021 (within 15 days)", Expect(LOADED),
         lambda f: staffing(f, "grace.xlsx", period="Tháng 4 năm 2021 (Số liệu tính đến ngày 10/5/2021)")),
    Kind("period_2099", "a report for October 2099", Expect(REJECTED, ("2099",)),
         lambda f: staffing(f, "future.xlsx", period="Tháng 10 năm 2099 (Số liệu tính đến ngày 23/10/2099)")),
    Kind("period_1900", "a report for April 1900", Expect(REJECTED, ("1900",)),
         lambda f: staffing(f, "past.xlsx", period="Tháng 4 năm 1900 (Số liệu tính đến ngày 23/4/1900)")),
    Kind("file_name_period", "BC_T05-2021.xlsx titled April 2021", Expect(REJECTED, ("2021",)),
         lambda f: staffing(f, "BC_T05-2021.xlsx")),
    Kind("file_name_period_in_words", '"Báo cáo tháng 5 năm 2021.xlsx" titled April 2021',
         Expect(REJECTED, ("05/2021", "04/2021")), lambda f: staffing(f, "Báo cáo tháng 5 năm 2021.xlsx")),
    Kind("file_name_round", '"Báo cáo đợt 2 - 2021.xlsx" (a round, not a month) titled April 2021',
         Expect(LOADED, rows=3), lambda f: staffing(f, "Báo cáo đợt 2 - 2021.xlsx")),
    # Issue 9: files that move.
    Kind("vanishes", "a file deleted between discovery and reading",
         Expect(REJECTED, ("deleted or moved after the night found it",)),
         lambda f: staffing(f, "gone.xlsx"), fault=_delete),
    Kind("unreadable", "a file that cannot be read (permissions; a folder when run as root)",
         Expect(REJECTED, ("cannot be read",)), lambda f: staffing(f, "locked.xlsx"),
         fault=_unreadable),
    Kind("becomes_another_file", "a file whose bytes become another file's during the night",
         Expect(REJECTED, ("changed",), holds=_q("select count(*) from audit.submission where file_name = "
                                                 "'twin.xlsx' and status = 'loaded'", 1)),
         _with_twin, fault=_become_twin),
    Kind("three_copies", "three byte-identical copies in one night",
         Expect(LOADED, holds=_q("select count(*) from audit.submission where status = 'duplicate'", 2)),
         _three_copies),
    # Issue 9: smaller defects.
    Kind("underscore_number", 'a figure written "1_0"', Expect(QUARANTINED, ("not a plausible number",), rows=3),
         lambda f: staffing(f, "underscore.xlsx", [*BODY[:2], [3, "Huyện Tứ Kỳ", "Xã Bình Lãng", "1_0"]])),
    Kind("digits_apart", 'a figure written "1 0" (a space inside, not grouping thousands)',
         Expect(QUARANTINED, ("not a plausible number",), rows=3),
         lambda f: staffing(f, "apart.xlsx", [*BODY[:2], [3, "Huyện Tứ Kỳ", "Xã Bình Lãng", "1 0"]])),
    Kind("setting_not_numeric", "CAX_WORKERS=two", Expect(USAGE, ("CAX_WORKERS",)),
         lambda f: staffing(f, "settings.xlsx"), env={"CAX_WORKERS": "two"}),
    Kind("limit_not_numeric", "CAX_MAX_ROWS=abc", Expect(USAGE, ("CAX_MAX_ROWS",)),
         lambda f: staffing(f, "limits.xlsx"), env={"CAX_MAX_ROWS": "abc"}),
    Kind("path_is_fifo", "a path on the command line that is a FIFO", Expect(USAGE, ("pipe.xlsx",)), _fifo,
         args=lambda landing, subject: [str(landing), str(subject)]),
    Kind("path_missing", "a path on the command line that does not exist", Expect(USAGE, ("missing.xlsx",)),
         lambda f: staffing(f, "here.xlsx"), args=lambda landing, _: [str(landing), str(landing / "missing.xlsx")]),
    Kind("same_path_twice", "the same file named twice on the command line", Expect(LOADED, holds=NO_DUPLICATE),
         lambda f: staffing(f, "twice.xlsx"), args=lambda landing, subject: [str(subject), str(subject), str(landing)]),
    Kind("path_via_symlink", "a file named directly and through a symlink",
         Expect(GOES_ON, holds=(*NO_DUPLICATE, ("select count(*) from audit.submission where status = 'loaded'", 2))),
         lambda f: staffing(f, "target.xlsx"),
         args=lambda landing, subject: [str(landing), str(_link(subject))]),
    # Beyond the issue, as an adversarial clerk would send them.
    Kind("strict_ooxml", "a Strict Open XML workbook (purl.oclc.org namespaces)", Expect(LOADED, rows=3),
         _strict_ooxml),
    Kind("xlsm", "a good workbook saved as .xlsm", Expect(LOADED, rows=3), lambda f: staffing(f, "macro.xlsm")),
    Kind("xlsb_name", "a zip of binary parts named .xlsb",
         Expect(REJECTED, ("binary workbook (.xlsb)", "save it as .xlsx")), _zip("binary.xlsb", {
        "[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"\x83\x01\x00"})),
    Kind("ods_as_xlsx", "an OpenDocument spreadsheet renamed .xlsx", Expect(REJECTED, ("not an Excel workbook",)),
         _ods),
    Kind("csv_as_xlsx", "a CSV file renamed .xlsx", Expect(REJECTED, ("not an Excel workbook",)), _csv),
    Kind("html_as_xls", "an HTML table saved as .xls", Expect(REJECTED, ("not an Excel workbook",)),
         _raw("web.xls", "<html><body><table><tr><td>CÔNG AN TỈNH HẢI DƯƠNG</td></tr></table></body></html>".encode())),
    Kind("legacy_xls", "a good .xls (BIFF8)", Expect(LOADED, rows=3), _good_xls),
    Kind("fifty_sheets", "49 empty sheets before the data sheet", Expect(LOADED, rows=3), _fifty_sheets),
    Kind("wide_header", "a header of 16,000 columns",
         Expect(REJECTED, ("refused before reading", "column 16,005", "200 columns")),
         lambda f: write_workbook(f / "wide.xlsx", [[TITLE], [PERIOD], HEADER + [f"Cột {n}" for n in range(16_000)],
                                                    *BODY], SHEET)),
    Kind("right_to_left", "notes in Arabic with a right-to-left override", Expect(LOADED, rows=3),
         lambda f: staffing(f, "rtl.xlsx", [[*BODY[0], "\u202eملاحظة"], *BODY[1:]])),
    Kind("zero_width_spaces", "zero-width spaces inside commune names", Expect(LOADED, rows=3),
         lambda f: staffing(f, "zwsp.xlsx", [[1, "Huyện Tứ\u200b Kỳ", "Xã Hưng\u200b Đạo", 5], *BODY[1:]])),
    Kind("full_width_digits", "figures typed in full-width digits as text",
         Expect(QUARANTINED, ("not a plausible number", "５"), rows=3),
         lambda f: staffing(f, "fullwidth.xlsx", [[1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", "５"], *BODY[1:]])),
    Kind("thousands_dots", 'numbers as text with thousands dots ("1.200")',
         Expect(QUARANTINED, ("between 0 and 50", "1.200"), rows=3),
         lambda f: staffing(f, "dots.xlsx", [[1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", "1.200"], *BODY[1:]])),
    Kind("date_other_order", "the as-of date written 2021-04-23", Expect(LOADED, rows=3, holds=_as_of("iso.xlsx")),
         lambda f: staffing(f, "iso.xlsx", period="Tháng 4 năm 2021 (Số liệu tính đến ngày 2021-04-23)")),
    Kind("date_other_order_year_after", "the as-of date written 2022-04-23 under the title April 2021",
         Expect(REJECTED, ("23/04/2022", "04/2021")),
         lambda f: staffing(f, "iso_2022.xlsx", period="Tháng 4 năm 2021 (Số liệu tính đến ngày 2022-04-23)")),
    Kind("date_us_order", "the as-of date written 04/23/2021", Expect(REJECTED, ("'04/23/2021'", "day/month/year")),
         lambda f: staffing(f, "us.xlsx", period="Tháng 4 năm 2021 (Số liệu tính đến ngày 04/23/2021)")),
    Kind("month_13", 'a title "Tháng 13 năm 2021" (as of 23/4/2021)', Expect(REJECTED, ("'thang 13 nam 2021'",)),
         lambda f: staffing(f, "month13.xlsx", period="Tháng 13 năm 2021 (Số liệu tính đến ngày 23/4/2021)")),
    Kind("negative_figure", "a negative number of officers", Expect(QUARANTINED, ("between 0 and 50",), rows=3),
         lambda f: staffing(f, "negative.xlsx", [*BODY[:2], [3, "Huyện Tứ Kỳ", "Xã Bình Lãng", -3]])),
    Kind("percentage", "a figure typed as a percentage (0.5)", Expect(QUARANTINED, ("whole number",), rows=3),
         lambda f: staffing(f, "percent.xlsx", [*BODY[:2], [3, "Huyện Tứ Kỳ", "Xã Bình Lãng", 0.5]])),
    Kind("rows_reversed", "data rows in reverse order", Expect(LOADED, rows=3),
         lambda f: staffing(f, "reverse.xlsx", BODY[::-1])),
    Kind("rows_duplicated", "the same commune twice",
         Expect(QUARANTINED, ("appears more than once",), rows=4, holds=_q(
             "select count(*) from audit.quarantine where rule = 'duplicate_unit'", 2)),
         lambda f: staffing(f, "twice-row.xlsx", [*BODY, BODY[0]])),
    Kind("province_in_name_only", "no title; the province only in the file name",
         Expect(LOADED, rows=3, holds=_q("select province_code from audit.submission where file_name = "
                                         "'Hai Duong T4-2021.xlsx'", "30")),
         lambda f: write_workbook(f / "Hai Duong T4-2021.xlsx", [[PERIOD], HEADER, *BODY], SHEET)),
    Kind("two_provinces", "two provinces' sheets in one file",
         Expect(QUARANTINED, ("second sheet of the same report for another month or province",), rows=4),
         _two_provinces),
    Kind("empty_template", "an empty sheet named like the template",
         Expect(REJECTED, ("the template has no figures filled in",)),
         lambda f: write_workbook(f / "blank.xlsx", [[TITLE], [PERIOD], HEADER], SHEET)),
    Kind("hidden_sheet_first", "a hidden sheet before the data sheet", Expect(LOADED, rows=3),
         lambda f: write_workbook(f / "hidden.xlsx", [[TITLE], [PERIOD], HEADER, *BODY], SHEET, hidden_first=True)),
    Kind("symlink_loop", "a folder symlink loop and a self-referencing link in the landing folder",
         Expect(REJECTED, ("a broken link",)),
         _symlink_loop),
    Kind("control_characters", "control characters in a commune's note", Expect(QUARANTINED),
         lambda f: staffing(f, "bell.xlsx", [[*BODY[0], "chú\x07thích\x1b"], *BODY[1:], UNKNOWN])),
    Kind("office_lock_file", "Excel's lock file ~$ beside the workbook", Expect(GOES_ON),
         _raw("~$lock.xlsx", b"\x00" * 165)),
)


def _link(subject: Path) -> Path:
    link = subject.parent.parent / ("link-" + subject.name)
    link.symlink_to(subject)
    return link


KIND_BY_NAME = {kind.name: kind for kind in KINDS}
COMPANION = "bac-ninh.xlsx"  # another province's good report, in every night: the others load


def companion(landing: Path) -> Path:
    """Bắc Ninh's April 2021 staffing, one commune: loads in any night, beside any kind."""
    return write_workbook(landing / COMPANION, [["CÔNG AN TỈNH BẮC NINH"], [PERIOD], HEADER,
                                                [1, "Huyện Quế Võ", "Xã Phù Lãng", 4]], SHEET)


def warm(root: Path) -> None:
    """One night in this process, so that the nights forked from it start with everything imported."""
    from etl.pipeline import run_night
    from tests.builders import make_settings

    run_night([companion(root)], make_settings(root))


# --- running a night and checking it ------------------------------------------------------------

@dataclass
class Night:
    """What one ``cax ingest`` left: its exit code (128 + signal when killed), its output, its files."""

    root: Path
    exit_code: int
    output: str

    @property
    def warehouse(self) -> Path:
        return self.root / "var" / "warehouse.duckdb"

    @property
    def published(self) -> Path:
        return self.root / "var" / "published" / "warehouse.duckdb"

    def rows(self, sql: str, *params: object) -> list[tuple]:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            return con.execute(sql, list(params)).fetchall()
        finally:
            con.close()


def ingest(root: Path, paths: list[str], env: dict[str, str] | None = None,
           before: Callable[[], None] | None = None, fault: Callable[[], None] | None = None) -> Night:
    """``cax ingest paths`` in a forked copy of this process, everything under ``root/var``.

    ``before`` runs in the copy before the command; ``fault`` after discovery, before reading.
    """
    return finish(start(root, paths, env, before, fault))


def start(root: Path, paths: list[str], env: dict[str, str] | None = None,
          before: Callable[[], None] | None = None, fault: Callable[[], None] | None = None) -> tuple[Path, int]:
    """``ingest`` begun: the night's root and the process id to ``finish``."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            out = (root / "night.log").open("w", encoding="utf-8")
            os.dup2(out.fileno(), 1)
            os.dup2(out.fileno(), 2)
            sys.stdout = sys.stderr = out
            os.environ.update({"CAX_VAR": str(root / "var"), **(env or {})})
            for name in ("CAX_WAREHOUSE", "CAX_PUBLISHED"):
                os.environ.pop(name, None)
            if before:
                before()
            if fault:
                from etl import pipeline

                real = pipeline.extract_many

                def faulty(*args, **kwargs):
                    fault()
                    return real(*args, **kwargs)
                pipeline.extract_many = faulty
            from etl.cli import app

            try:
                app(["ingest", *paths], prog_name="cax")
                code = 0
            except SystemExit as done:
                code = done.code if isinstance(done.code, int) else 1
        except BaseException:  # noqa: BLE001 - whatever escapes is the finding: print it, exit 1
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            os._exit(code)
    return root, pid


def finish(started: tuple[Path, int]) -> Night:
    """The night ``start`` began, once it has ended (killed after 10 minutes: a safety net, not a timing)."""
    root, pid = started
    for _ in range(6000):
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.1)
    else:
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    output = (root / "night.log").read_text(encoding="utf-8", errors="replace")
    return Night(root, code if code >= 0 else 128 - code, output)


def feedback_needed(night: Night) -> set[tuple[str, str]]:
    """(sha256, file name) of every file of the night with a rejection, a quarantined row or a warning."""
    return set(night.rows("""
        select distinct sha256, file_name from audit.submission s
        where status = 'rejected'
           or submission_id in (select submission_id from audit.quarantine)
           or submission_id in (select submission_id from audit.warning)"""))


def assert_night_whole(night: Night) -> None:
    """The night finished (exit 0 or 3), published, wrote every feedback workbook needed (each one opens),
    and kept rows_read = rows_loaded + rows_quarantined for every submission."""
    tail = night.output[-3000:]
    assert night.exit_code in (0, 3), f"exit {night.exit_code}:\n{tail}"
    assert night.published.exists(), f"nothing published:\n{tail}"
    unbalanced = night.rows("select file_name, sheet, rows_read, rows_loaded, rows_quarantined from audit.submission"
                            " where rows_read <> rows_loaded + rows_quarantined")
    assert unbalanced == [], unbalanced
    written = sorted((night.root / "var" / "feedback").rglob("*.xlsx"))
    needed = feedback_needed(night)
    assert len(written) >= len(needed), (sorted(n for _, n in needed), written)
    for path in written:
        book = load_workbook(path, read_only=True)
        try:
            assert book.sheetnames, path
        finally:
            book.close()
