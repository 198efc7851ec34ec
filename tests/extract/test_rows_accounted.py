"""Every row with figures is accounted for (issue 9): rows without a name, below the total, on a
continuation sheet, under a low header, with uncalculated formulas; sheets built in code."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import xlsxwriter

from etl.extract import extract_workbook
from etl.extract.layout import find_header
from etl.extract.sheets import SHEETS
from etl.extract.table import read_rows
from etl.extract.workbook import Sheet
from etl.unit_lists import list_for
from tests.builders import write_sheets

pytestmark = pytest.mark.unit

TITLE = [["CÔNG AN TỈNH HẢI DƯƠNG"], ["Tháng 4 năm 2021 (Số liệu tính đến ngày 23/4/2021)"]]
LIST_ID = list_for(date(2021, 4, 23))[0].list_id  # the unit list in force on TITLE's date
HEADER = ["STT", "Huyện", "Xã, thị trấn", "Số CA chính quy", "Trưởng CA xã", "Phó trưởng CA xã"]


def _sheet(rows: list[list[object]], merged=(), formulas=None, name: str = "Biểu 01") -> Sheet:
    """A sheet as the reader gives it: numbers as floats, blanks as ''."""
    width = max(len(r) for r in rows)
    grid = [[float(v) if isinstance(v, int) else ("" if v is None else v) for v in r] + [""] * (width - len(r))
            for r in rows]
    return Sheet(name, True, grid, list(merged), dict(formulas or {}))


def _table(sheet: Sheet, code: str = "01"):
    header = find_header(sheet, code)
    assert header is not None
    return read_rows(sheet, header, SHEETS[code], LIST_ID, "30")


def _by_row(frame: pd.DataFrame) -> dict[int, dict]:
    return {int(r["row_number"]): r for r in frame.to_dict("records")}


# --- 1. rows with figures and no usable name ------------------------------------------------------


def test_a_row_with_figures_and_a_district_but_no_commune_is_a_record_without_a_name():
    rows = _by_row(_table(_sheet([*TITLE, HEADER, [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", 5, 1, 2],
                                  [2, "Huyện Tứ Kỳ", None, 6, 1, 1]])).rows)
    assert sorted(rows) == [4, 5]
    assert rows[5]["resolve_problem"] == "missing_name" and rows[5]["officers"] == 6


def test_a_name_cell_holding_an_excel_error_is_a_record_with_that_problem(tmp_path):
    path = tmp_path / "hd.xlsx"
    book = xlsxwriter.Workbook(str(path))
    page = book.add_worksheet("Biểu 01")
    for r, row in enumerate([*TITLE, HEADER, [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", 5, 1, 2]]):
        for c, value in enumerate(row):
            page.write(r, c, value)
    page.write_row(4, 0, [2, "Huyện Tứ Kỳ"])
    page.write_formula(4, 2, "=VLOOKUP(A5,Z1:Z2,1,0)", None, "#N/A")  # the reader gives '' for an error
    page.write_row(4, 3, [6, 1, 1])
    page.write_row(5, 0, [3, "Huyện Tứ Kỳ", "#N/A", 7, 1, 1])  # the error typed, or kept as text
    book.close()
    (sub,) = extract_workbook(path).submissions
    rows = _by_row(sub.table.rows)
    assert rows[5]["resolve_problem"] == "missing_name" and rows[5]["officers"] == 6
    assert rows[6]["resolve_problem"] == "name_error" and rows[6]["officers"] == 7


def test_a_name_merged_over_several_rows_quarantines_each_of_them():
    # "Xã Hưng Đạo" merged over rows 4-5 (0-based 3-4): two rows of figures for one name.
    sheet = _sheet([*TITLE, HEADER, [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", 5, 1, 2], [2, "Huyện Tứ Kỳ", None, 6, 1, 1],
                    [3, "Huyện Tứ Kỳ", "Xã Gia Xuyên", 4, 1, 1]], merged=[((3, 2), (4, 2))])
    rows = _by_row(_table(sheet).rows)
    assert sorted(rows) == [4, 5, 6]
    assert rows[4]["resolve_problem"] == rows[5]["resolve_problem"] == "merged_name"
    assert "C4:C5" in rows[4]["problem_detail"] and "C4:C5" in rows[5]["problem_detail"]
    assert pd.isna(rows[6]["resolve_problem"])


def test_a_name_merged_over_rows_of_which_one_has_figures_is_an_ordinary_row():
    sheet = _sheet([*TITLE, HEADER, [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", 5, 1, 2], [None, "Huyện Tứ Kỳ", None]],
                   merged=[((3, 2), (4, 2))])
    rows = _by_row(_table(sheet).rows)
    assert sorted(rows) == [4] and rows[4]["unit_code"] == "11086" and pd.isna(rows[4]["resolve_problem"])


# --- 2. rows below the total ----------------------------------------------------------------------


def test_rows_below_the_total_are_read_and_signature_blocks_are_not():
    sheet = _sheet([*TITLE, HEADER, [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", 5, 1, 2], [None, "Tổng cộng", None, 5, 1, 2],
                    [2, "Huyện Gia Lộc", "Xã Gia Xuyên", 4, 1, 1],
                    [None, None, None, 3, None, None],
                    [None, "Ghi chú: số liệu tính đến ngày 23/4/2021"],
                    [None, "Người lập biểu", None, "Hải Dương, ngày 23 tháng 4 năm 2021"],
                    [None, None, None, "Thủ trưởng đơn vị"], [None, "Nguyễn Văn A", None, "Trần Văn B"]])
    table = _table(sheet)
    rows = _by_row(table.rows)
    assert sorted(rows) == [4, 6, 7]
    assert rows[6]["row_problem"] == rows[7]["row_problem"] == "below_total" and rows[6]["unit_code"]
    assert rows[7]["resolve_problem"] == "missing_name"
    assert table.total_row_number == 5 and table.total["officers"] == 5


def test_a_commune_named_below_the_total_without_figures_is_still_a_row():
    rows = _by_row(_table(_sheet([*TITLE, HEADER, [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", 5, 1, 2],
                                  [None, "Tổng cộng", None, 5, 1, 2], [2, "Huyện Gia Lộc", "Xã Gia Xuyên"]])).rows)
    assert sorted(rows) == [4, 6] and rows[6]["row_problem"] == "below_total"


# --- 4. a header below the first rows -------------------------------------------------------------


def test_a_header_under_sixty_lines_of_instructions_is_found():
    instructions = [[f"Hướng dẫn {i}: ghi số liệu theo mẫu, không sửa tên cột"] for i in range(60)]
    sheet = _sheet([*TITLE, *instructions, HEADER, [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", 5, 1, 2]])
    header = find_header(sheet, "01")
    assert header is not None and header.first_row == 62
    assert list(_table(sheet).rows.officers) == [5]


# --- 5. uncalculated formulas ---------------------------------------------------------------------


def test_simple_uncalculated_formulas_are_evaluated():
    # Row 4 (0-based 3): officers = E4+F4+2; row 5: SUM over its chiefs and deputies, times 2.
    sheet = _sheet([*TITLE, HEADER, [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", None, 1, 2],
                    [2, "Huyện Gia Lộc", "Xã Gia Xuyên", None, 3, 4],
                    [3, "Huyện Gia Lộc", "Xã Yết Kiêu", None, 1, 1]],
                   formulas={(3, 3): "E4+F4+2", (4, 3): "SUM(E5:F5)*2", (5, 3): "(E$6 + $F6) / 2 - 1"})
    rows = _by_row(_table(sheet).rows)
    assert [rows[r]["officers"] for r in (4, 5, 6)] == [5, 14, 0]
    assert all(not rows[r]["formula_problems"] for r in (4, 5, 6))


@pytest.mark.parametrize("formula", ["VLOOKUP(A4,B1:B2,1,0)", "{L}5/0", "'Biểu 02'!E4+1", "SUM({L}5:{L}6)", "{L}5+",
                                     "SUM({L}5:{L}6", "1 2"])
def test_a_formula_that_cannot_be_evaluated_is_never_a_zero(formula):
    # Rows 5 and 6 hold uncalculated formulas too: a SUM over them is not over plain numbers.
    security = ["STT", "Xã, thị trấn", "Tin về ANTT tiếp nhận", "Tin báo, tố giác tội phạm"]
    for code, header in (("01", HEADER), ("02", security)):
        figures = [None, 1, 2] if code == "01" else [None, 3]
        name = ["Huyện Tứ Kỳ", "Xã Hưng Đạo"] if code == "01" else ["Xã Hưng Đạo"]
        letter = "D" if code == "01" else "C"
        sheet = _sheet([*TITLE, header, [1, *name, *figures], [2, *name, *figures], [3, *name, *figures]],
                       formulas={(3, len(name) + 1): formula.replace("{L}", letter), (4, len(name) + 1): "1+1",
                                 (5, len(name) + 1): "2"},
                       name=f"Biểu {code}")
        row = _by_row(_table(sheet, code).rows)[4]
        column = SHEETS[code].figures[0]
        assert pd.isna(row[column]), (code, formula)
        assert row["formula_problems"] == f"{column}:{letter}4", (code, formula)
        assert row[f"{column}_raw"] == "=" + formula.replace("{L}", letter)


# --- 6. a sheet whose rows are all skipped --------------------------------------------------------


def test_a_sheet_of_district_totals_only_keeps_its_rows():
    sheet = _sheet([*TITLE, ["STT", "Xã, thị trấn", "Số CA chính quy"], [None, "Cộng huyện Tứ Kỳ", 45],
                    [None, "Cộng huyện Gia Lộc", 50], [None, "Tổng cộng", 95]])
    rows = _by_row(_table(sheet).rows)
    assert sorted(rows) == [4, 5] and {r["row_problem"] for r in rows.values()} == {"no_unit_rows"}
    assert [rows[4]["officers"], rows[5]["officers"]] == [45, 50]


def test_an_empty_template_is_still_rejected_as_one():
    rows = [*TITLE, HEADER, [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo"], [2, "Huyện Gia Lộc", "Xã Gia Xuyên"],
            [None, "Tổng cộng"], [3, "Huyện Gia Lộc", "Xã Yết Kiêu"], [None, "Người lập biểu"]]
    sheet = _sheet(rows)
    assert _table(sheet).rows.officers_raw.fillna("").eq("").all()


# --- 3. a table continued on another sheet --------------------------------------------------------


def test_a_table_continued_on_a_second_sheet_keeps_both_sheets_rows(tmp_path):
    first = [*TITLE, HEADER, [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", 5, 1, 2]]
    again = [HEADER, [2, "Huyện Gia Lộc", "Xã Gia Xuyên", 4, 1, 1], [None, "Tổng cộng", None, 9, 2, 3]]
    bare = [[3, "Huyện Gia Lộc", "Xã Yết Kiêu", 3, 1, 1], [4, "Huyện Gia Lộc", "Xã Phạm Trấn", 2, 1, 0]]
    result = extract_workbook(write_sheets(tmp_path / "hd.xlsx", {"Biểu 01": first, "Biểu 01 (tiếp)": again,
                                                           "Sheet3": bare}))
    (sub,) = result.submissions
    frame = sub.table.rows
    assert sub.submission_id == f"{result.sha256[:16]}-01" and sub.sheet_name == "Biểu 01"
    assert list(zip(frame.sheet, frame.row_number, strict=True)) == [
        ("Biểu 01", 4), ("Biểu 01 (tiếp)", 2), ("Sheet3", 1), ("Sheet3", 2)]
    assert frame.row_problem.fillna("").eq("").all() and frame.unit_code.notna().all()
    assert [c.sheet.name for c in sub.continuations] == ["Biểu 01 (tiếp)", "Sheet3"]


def test_a_second_sheet_of_another_period_has_its_rows_quarantined_naming_both_sheets(tmp_path):
    first = [*TITLE, HEADER, [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", 5, 1, 2]]
    other = [["CÔNG AN TỈNH HẢI DƯƠNG"], ["Tháng 3 năm 2021"], HEADER, [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", 4, 1, 1]]
    (sub,) = extract_workbook(write_sheets(tmp_path / "hd.xlsx", {"Biểu 01": first, "T3": other})).submissions
    rows = sub.table.rows
    assert list(rows.sheet) == ["Biểu 01", "T3"] and rows.row_problem[1] == "other_sheet"
    assert "'T3'" in rows.problem_detail[1] and "'Biểu 01'" in rows.problem_detail[1]
    assert "03/2021" in rows.problem_detail[1] and "04/2021" in rows.problem_detail[1]


def test_a_sheet_of_notes_is_not_a_continuation(tmp_path):
    first = [*TITLE, HEADER, [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", 5, 1, 2]]
    notes = [["Hướng dẫn ghi biểu"], ["1", "Ghi đủ các xã", None, "2021"], [2, "Không sửa tên cột"]]
    (sub,) = extract_workbook(write_sheets(tmp_path / "hd.xlsx", {"Biểu 01": first, "Hướng dẫn": notes})).submissions
    assert list(sub.table.rows.sheet) == ["Biểu 01"] and sub.continuations == []


def test_a_header_printed_again_at_a_page_break_is_not_a_data_row():
    sheet = _sheet([*TITLE, HEADER, [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", 5, 1, 2], HEADER,
                    ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"], [2, "Huyện Tứ Kỳ", "Xã Đại Sơn", 6, 1, 2]])
    assert list(_table(sheet).rows.commune_name) == ["Xã Hưng Đạo", "Xã Đại Sơn"]


def test_a_formula_nested_thousands_deep_is_refused_not_a_crash():
    deep = "(" * 900 + "5" + ")" * 900  # within the length limit, past Python's recursion limit
    sheet = _sheet([*TITLE, HEADER, [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", "", 1, 2]], formulas={(3, 3): deep})
    (row,) = _table(sheet).rows.to_dict("records")
    assert row["officers"] is None and "officers:D4" in row["formula_problems"]
