"""Hostile files, each built here: every one is refused with a clear reason, or read with nothing
expanded, while the good file of the same night loads."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from etl.config import Limits
from etl.discover import identify
from etl.extract import sandbox, workbook
from etl.extract.sandbox import extract_many
from etl.extract.stage import read_stage
from etl.pipeline import run_night
from tests.builders import make_settings
from tests.builders import write_workbook as _write
from tests.hostile.kinds import ROWS, abort_on, rewrite_parts, sheet_change

pytestmark = pytest.mark.e2e

def _good(folder: Path, name: str = "good.xlsx") -> Path:
    return _write(folder / name, [*ROWS, [3, name]], "Biểu 01")


def _hostile(folder: Path) -> dict[str, Path]:
    good = _good(folder)
    files = {
        "dimension": rewrite_parts(good, folder / "dimension.xlsx", sheet_change(
            rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>')),
        "far_cell": rewrite_parts(good, folder / "far_cell.xlsx", sheet_change(
            rb"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')),
        "million_rows": rewrite_parts(good, folder / "million_rows.xlsx", sheet_change(
            rb"</sheetData>", b"".join(b'<row r="%d"/>' % r for r in range(10, 1_000_001, 1000))
            + b'<row r="1000000"/></sheetData>')),
        "entities": rewrite_parts(good, folder / "entities.xlsx", lambda name, data: (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            + data.split(b"?>", 1)[1].replace("Xã Hưng Đạo".encode(), b"&lol2;", 1))
            if name == "xl/sharedStrings.xml" else data),
        "external": rewrite_parts(good, folder / "external.xlsx", lambda name, data: (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY ext SYSTEM "file:///etc/passwd">]>'
            + data.split(b"?>", 1)[1]) if name == "xl/sharedStrings.xml" else data),
    }
    bomb = folder / "bomb.xlsx"
    with zipfile.ZipFile(good) as old, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            new.writestr(item.filename, old.read(item.filename))
        with new.open("xl/media/padding.bin", "w") as padding:  # 400 MB of zeros in ~400 KB
            block = bytes(1 << 20)
            for _ in range(400):
                padding.write(block)
    files["zip_bomb"] = bomb
    not_workbook = folder / "archive.xlsx"
    with zipfile.ZipFile(not_workbook, "w") as archive:
        archive.writestr("readme.txt", "một tệp nén, không phải bảng tính")
    files["zip_not_workbook"] = not_workbook
    return files


REASONS = {"dimension": "column 16,384", "far_cell": "row 1,048,576", "million_rows": "row 200,010",
           "entities": "DTD or entities", "external": "DTD or entities", "zip_bomb": "zip bomb",
           "zip_not_workbook": "not an Excel workbook"}


@pytest.fixture(scope="module")
def hostile_night(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    landing = root / "landing"
    landing.mkdir()
    files = _hostile(landing)
    settings = make_settings(root)
    result = run_night([landing], settings)
    return settings, files, result


def test_each_hostile_file_is_refused_with_a_reason(hostile_night):
    settings, files, result = hostile_night
    outcome = {o.file_name: o for o in result.outcomes}
    for kind, path in files.items():
        assert outcome[path.name].status == "rejected", kind
        assert REASONS[kind] in outcome[path.name].reason, (kind, outcome[path.name].reason)


def test_the_good_file_of_the_same_night_loads(hostile_night):
    settings, _, result = hostile_night
    assert [o.status for o in result.outcomes if o.file_name == "good.xlsx"] == ["loaded"]
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        notes = sorted(r[0] for r in con.execute("select note from dw.fact_commune_staffing").fetchall())
    finally:
        con.close()
    # Text that looks like a formula is data.
    assert notes == ["+1 tăng cường", "=5 người"]


def test_file_names_with_separators_quotes_and_sql_are_plain_names(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    odd = ["x'; drop table dw.fact_commune_staffing; --.xlsx", 'bao "cao" \\ T4.xlsx', "..\\..\\a.xlsx"]
    for officers, name in enumerate(odd, start=5):  # different figures: three files, not duplicates
        _write(landing / name, [*ROWS[:3], [1, "Huyện Tứ Kỳ", "Xã Không Có", officers]], "Biểu 01")
    settings = make_settings(tmp_path)
    result = run_night([landing], settings)
    assert sorted(o.file_name for o in result.outcomes) == sorted(odd)
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        names = sorted(r[0] for r in con.execute("select file_name from audit.quarantine").fetchall())
        assert con.execute("select count(*) from dw.fact_commune_staffing").fetchone()[0] == 0  # table still there
    finally:
        con.close()
    assert names == sorted(odd)
    for path in result.feedback:
        assert path.parent == settings.feedback / "30" and path.exists()


def test_numbers_far_out_of_range_are_quarantined_with_a_reason(tmp_path):
    rows = [*ROWS[:3], [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", 1e308], [2, "TP Chí Linh", "Xã Hưng Đạo", "-0"],
            [3, "Huyện Gia Lộc", "Thị trấn Gia Lộc", "NaN"]]
    path = _write(tmp_path / "so.xlsx", rows, "Biểu 01")
    settings = make_settings(tmp_path)
    run_night([path], settings)
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        entries = con.execute("select row_number, rule, message_en from audit.quarantine order by 1").fetchall()
    finally:
        con.close()
    assert [(r, rule) for r, rule, _ in entries] == [(4, "value_readable"), (5, "value_readable"),
                                                    (6, "value_readable")]
    assert all("out of range, NaN or -0" in message for _, _, message in entries)


# Over a limit is a passing reason (the machine was busy): its own code, so the file is read again.
@pytest.mark.parametrize(("action", "code", "reason"), [("abort", "unreadable", "crashed the reader"),
                                                        ("memory", "memory_limit", "needed over"),
                                                        ("hang", "time_limit", "took over")])
def test_a_reader_that_dies_costs_its_file_not_the_night(tmp_path, monkeypatch, action, code, reason):
    good, bad = _good(tmp_path), _good(tmp_path, "bad.xlsx")
    monkeypatch.setattr(sandbox, "extract_to_stage", abort_on("bad.xlsx", action))
    limits = Limits(worker_memory_mb=500, worker_timeout_s=3)
    staged = [read_stage(p) for p in extract_many([identify(bad), identify(good)], tmp_path / "stage", 2, None,
                                                   limits)]
    by_file = {s.file_name: s for s in staged}
    assert by_file["good.xlsx"].rejection_code is None and by_file["good.xlsx"].submissions
    assert by_file["bad.xlsx"].rejection_code == code and reason in by_file["bad.xlsx"].reason_en


# A parsing process takes several files in turn: one that dies on a file costs that file only, and
# the files after it in its share are parsed by a new process.
@pytest.mark.parametrize(("action", "code"), [("abort", "unreadable"), ("memory", "memory_limit"),
                                              ("hang", "time_limit")])
def test_a_reader_that_dies_mid_share_costs_only_its_file(tmp_path, monkeypatch, action, code):
    names = [f"good{i}.xlsx" for i in range(5)]
    names.insert(1, "bad.xlsx")  # in the middle of the first share (3 of the 6 files)
    files = [identify(_good(tmp_path, name)) for name in names]
    monkeypatch.setattr(sandbox, "FILES_PER_CHILD", 64)
    monkeypatch.setattr(sandbox, "extract_to_stage", abort_on("bad.xlsx", action))
    seen: list[str] = []
    staged = [read_stage(p) for p in extract_many(files, tmp_path / "stage", 1, lambda f: seen.append(f.name),
                                                   Limits(worker_memory_mb=500, worker_timeout_s=3))]
    by_file = {s.file_name: s for s in staged}
    assert sorted(by_file) == sorted(names) and sorted(seen) == sorted(names)
    assert by_file["bad.xlsx"].rejection_code == code
    assert all(by_file[n].rejection_code is None and by_file[n].submissions for n in names if n != "bad.xlsx")


class _AbortingReader:
    """python-calamine's workbook reader, except that opening ``name`` kills the process, as the real
    reader does on some files the guard accepts. Installed before the night starts, it is inherited by
    every parsing child and stays in force in the night's own process."""

    def __init__(self, name: str) -> None:
        self.name = name

    def from_filelike(self, handle):
        if Path(handle.name).name == self.name:
            os.abort()
        return CalamineWorkbook.from_filelike(handle)


def test_a_file_that_kills_the_reader_is_never_read_again_outside_the_sandbox(tmp_path, monkeypatch):
    """The night completes: the killer file is rejected with its reason, and the feedback workbooks
    (written after the load, in the night's own process) come from the staged cells, so neither the
    killer file nor any other landing file is parsed again where a crash would take the night down."""
    landing = tmp_path / "landing"
    landing.mkdir()
    killer = _good(landing, "killer.xlsx")
    _write(landing / "faulty.xlsx", [*ROWS[:3], [1, "Huyện Tứ Kỳ", "Xã Không Có", 5],
                                      [2, "TP Chí Linh", "Xã Hưng Đạo", 6]], "Biểu 01")
    monkeypatch.setattr(workbook, "CalamineWorkbook", _AbortingReader(killer.name))
    settings = make_settings(tmp_path)
    result = run_night([landing], settings)
    outcome = {o.file_name: o for o in result.outcomes}
    assert outcome["killer.xlsx"].status == "rejected" and "crashed the reader" in outcome["killer.xlsx"].reason
    assert outcome["faulty.xlsx"].status == "loaded_with_errors" and outcome["faulty.xlsx"].rows_loaded == 1
    assert sorted(p.name for p in result.feedback) == ["faulty.xlsx", "killer.xlsx"]
    # The faulty file's feedback copies its sheet, with the unknown commune's row explained.
    book = load_workbook(settings.feedback / "30" / "faulty.xlsx")
    sheet = book["Biểu 01"]
    assert sheet.cell(row=4, column=3).value == "Xã Không Có" and "Xã Không Có" in sheet.cell(row=4, column=6).value
    assert settings.published.exists()
