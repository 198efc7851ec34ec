"""Names and values made safe for the writers (etl.safe): sheet names Excel accepts, file names every
file system takes, cells xlsxwriter can write and openpyxl reads back."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

import pytest
import xlsxwriter
from openpyxl import load_workbook

from etl import safe
from etl.feedback import SUMMARY_SHEET, feedback_path

pytestmark = pytest.mark.unit

EMOJI = "\U0001f600"  # four bytes of UTF-8, two UTF-16 units


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


HOSTILE_SHEETS = [
    SUMMARY_SHEET, SUMMARY_SHEET.upper(), "Biểu", "BIỂU", unicodedata.normalize("NFD", "Biểu"),
    "Biểu 01 - Bố trí CA chính quy tháng 4 (a)", "Biểu 01 - Bố trí CA chính quy tháng 4 (b)",
    "Biểu\x0101", "tab\there", "\u202eRLO", EMOJI * 31, "x" * 30 + EMOJI, "History", "HISTORY", "", "   ",
    "'", "''", "'quoted'", "[Biểu]: 04*?/\\", "a/b", "a" * 31, "a" * 31 + " (2)", "Trang", "\ud800lone",
    "\ufffe",
]


def test_sheet_names_are_legal_distinct_and_clear_of_the_summary():
    names = safe.sheet_names(HOSTILE_SHEETS, [SUMMARY_SHEET])
    assert len(names) == len(HOSTILE_SHEETS)
    assert len({_fold(n) for n in names} | {_fold(SUMMARY_SHEET)}) == len(names) + 1
    for sent, name in zip(HOSTILE_SHEETS, names, strict=True):
        assert 0 < _units(name) <= 31, (sent, name)
        assert not set(name) & set("[]:*?/\\"), (sent, name)
        assert not name.startswith("'") and not name.endswith("'"), (sent, name)
        assert _fold(name) != "history", (sent, name)
        assert all(unicodedata.category(c) not in ("Cc", "Cf", "Cs") for c in name), (sent, name)
        name.encode("utf-8")  # no lone surrogate left


def test_a_legal_unique_sheet_name_is_kept_as_sent():
    assert safe.sheet_names(["Biểu 01", "Biểu 02 - ANTT", "a" * 31], [SUMMARY_SHEET]) == [
        "Biểu 01", "Biểu 02 - ANTT", "a" * 31]


def test_thirty_one_emoji_are_cut_to_fifteen_whole_ones():
    (name,) = safe.sheet_names([EMOJI * 31])
    assert name == EMOJI * 15  # 30 UTF-16 units: a sixteenth would need 32, half of one is no character


def test_sheet_names_xlsxwriter_and_openpyxl_both_accept(tmp_path):
    names = safe.sheet_names(HOSTILE_SHEETS, [SUMMARY_SHEET])
    book = xlsxwriter.Workbook(str(tmp_path / "names.xlsx"))
    book.add_worksheet(SUMMARY_SHEET)
    for name in names:
        book.add_worksheet(name)  # raises on a name Excel refuses
    book.close()
    assert load_workbook(tmp_path / "names.xlsx").sheetnames == [SUMMARY_SHEET, *names]


HOSTILE_FILES = [
    "good.xlsx", ".", "..", "   ", " .xlsx", "-rf.xlsx", "--.xlsx", "dòng\nmới.xlsx", "a\x00b.xlsx", "a\x1fb.xls",
    "CON", "con.xlsx", "NUL.txt.xlsx", "COM1.xlsx", "lpt9.xlsx", "aux .xlsx", "a:b?c*d<e>f|g\"h.xlsx",
    "..\\..\\etc\\passwd.xlsx", "../../x.xlsx", "/abs/path.xlsx", "\u202eslx.exe.xlsx", "\udcffbad.xlsx",
    "x" * 250 + ".xlsx", "ố" * 120 + ".xlsx", EMOJI * 63 + ".xlsx", "ends with dot.", "ends with space.xlsx ",
]


def test_file_names_are_safe_on_every_file_system():
    taken: set[str] = set()
    names = [safe.file_name(n, taken) for n in HOSTILE_FILES]
    assert len({_fold(n) for n in names}) == len(names)  # apart, even on a case-insensitive file system
    for sent, name in zip(HOSTILE_FILES, names, strict=True):
        assert len(name.encode("utf-8")) <= 200 and name.endswith(".xlsx"), (sent, name)
        assert name not in (".", "..") and name.strip(" .") and name[0] not in " .-", (sent, name)
        assert not set(name) & set('\\/:*?"<>|'), (sent, name)
        assert all(unicodedata.category(c) not in ("Cc", "Cf", "Cs") for c in name), (sent, name)
        assert name.split(".")[0].rstrip().upper() not in {"CON", "NUL", "PRN", "AUX", "COM1", "LPT9"}, (sent, name)


def test_an_ordinary_file_name_is_kept():
    assert safe.file_name("Báo cáo tháng 4 - Hải Dương.xlsx") == "Báo cáo tháng 4 - Hải Dương.xlsx"
    assert safe.file_name("bao_cao.xls") == "bao_cao.xls.xlsx"


def test_long_file_names_keep_a_hash_of_the_whole_name_so_they_stay_apart():
    stem = "Báo cáo bố trí Công an chính quy " * 10
    one, two = safe.file_name(stem + "một.xlsx"), safe.file_name(stem + "hai.xlsx")
    assert one != two and len(one.encode()) <= 200 and len(two.encode()) <= 200
    assert one.startswith(stem[:50]) and two.startswith(stem[:50])
    assert safe.file_name(stem + "một.xlsx") == one  # the same name gives the same file, night after night


def test_names_equal_once_made_safe_get_numbered_within_the_limit():
    taken: set[str] = set()
    sent = ["a:b.xlsx", "a?b.xlsx", "A_b.xlsx", "a_b.xlsx"] + ["é" * 300 + ".xlsx"] * 12
    names = [safe.file_name(n, taken) for n in sent]
    assert len({_fold(n) for n in names}) == len(sent)
    assert all(len(n.encode()) <= 200 for n in names)


def test_feedback_path_sits_in_the_province_folder(tmp_path):
    taken: set[str] = set()
    first = feedback_path(tmp_path, "30", "x" * 251 + ".xlsx", taken)
    second = feedback_path(tmp_path, "30", "x" * 251 + ".xlsx", taken)
    assert first.parent == second.parent == tmp_path / "30" and first != second
    assert feedback_path(tmp_path, None, "..").parent == tmp_path / "unknown"


@pytest.mark.parametrize(("value", "named"), [
    (float("nan"), "NaN"), (float("inf"), "inf"), (float("-inf"), "-inf"), (10**400, "quá lớn"),
    (True, "True"), (False, "False"), (date(2021, 4, 23), "2021"), (datetime(2021, 4, 23, 14, 5), "2021"),
    (b"bytes", "bytes"), ([1, 2], "list"), (object(), "object"),
])
def test_values_that_are_not_finite_numbers_or_text_are_written_blank_with_a_note(value, named):
    cell = safe.safe_cell(value)
    assert cell.value is None
    assert cell.note.startswith("giá trị không hợp lệ: ") and named in cell.note


@pytest.mark.parametrize("value", [0, -3, 5.5, 1e13, 2**53, "", "=SUM(A1:A2)", "Xã  Hưng Đạo ", "_x0041_"])
def test_finite_numbers_and_text_go_through_untouched(value):
    cell = safe.safe_cell(value)
    assert cell.note is None and cell.value == (None if value == "" else value)


def test_text_too_long_for_a_cell_is_cut_with_a_mark_and_a_note():
    cell = safe.safe_cell("ố" * 40_000)
    assert _units(cell.value) <= 32_767 and cell.value.endswith(safe.TRUNCATED) and "32.767" in cell.note
    emoji = safe.safe_cell(EMOJI * 20_000)  # 40,000 UTF-16 units: never cut between a pair
    assert _units(emoji.value) <= 32_767 and emoji.value.encode("utf-8")


def test_characters_xml_cannot_hold_are_replaced_and_the_workbook_reads_back(tmp_path):
    sent = ["a\x00b", "\x01\x08\x0b\x0c\x0e\x1f", "lone \ud800", "\ufffe\uffff", "tab\tline\nok"]
    cells = [safe.safe_cell(text) for text in sent]
    assert [c.note is None for c in cells] == [False, False, False, False, True]
    book = xlsxwriter.Workbook(str(tmp_path / "text.xlsx"))
    page = book.add_worksheet("x")
    for row, cell in enumerate(cells):
        page.write_string(row, 0, cell.value)
    book.close()
    read = [r[0].value for r in load_workbook(tmp_path / "text.xlsx")["x"].iter_rows()]
    assert read == ["a\ufffdb", "\ufffd" * 6, "lone \ufffd", "\ufffd\ufffd", "tab\tline\nok"]

