"""Every row with figures is accounted for, through a whole night (issue 9): rows without a name or
under a merged name, rows below the total, a table continued on other sheets, a second sheet of
another month, a header under pages of instructions. Workbooks built here."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from etl.pipeline import run_night
from tests.builders import arrive, make_settings, query_frame, write_sheets

pytestmark = pytest.mark.e2e



def _title(month: int) -> list[list[object]]:
    # One month per file: files of one province and month would replace each other.
    return [["BỘ CÔNG AN"], ["CÔNG AN TỈNH HẢI DƯƠNG"],
            [f"Tháng {month} năm 2021 (Số liệu tính đến ngày 20/{month}/2021)"]]


HEADER = ["STT", "Huyện, thị xã, thành phố", "Xã, thị trấn", "Số CA chính quy đã bố trí"]
SIGNATURE = [[None, "Người lập biểu", None, "Hải Dương, ngày 20 tháng 4 năm 2021"],
             [None, None, None, "THỦ TRƯỞNG ĐƠN VỊ"], [None, "Nguyễn Văn A", None, "Trần Văn B"]]


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rows")
    landing = root / "landing"
    landing.mkdir()
    gaps = [*_title(4), HEADER,
            [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", 5],          # row 5
            [2, "Huyện Tứ Kỳ", None, 6],                   # row 6: figures, no name
            [3, "Huyện Gia Lộc", "Xã Gia Xuyên", 4],       # rows 7-8: one name merged over two rows
            [4, "Huyện Gia Lộc", None, 3],
            [None, "Tổng cộng", None, 18],                 # row 9
            [5, "Huyện Gia Lộc", "Xã Yết Kiêu", 7],        # row 10: below the total
            *SIGNATURE]
    arrive(write_sheets(landing / "gaps.xlsx", {"Biểu 01": gaps}, {"Biểu 01": [(6, 2, 7, 2, "Xã Gia Xuyên")]}),
           2021, 4, 21, 9)
    first = [*_title(5), HEADER, [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", 5]]
    again = [HEADER, [2, "Huyện Gia Lộc", "Xã Gia Xuyên", 4], [3, "Huyện Gia Lộc", "Xã Không Có", 2]]
    bare = [[4, "Huyện Gia Lộc", "Xã Yết Kiêu", 3], [None, "Tổng cộng", None, 14]]
    arrive(write_sheets(landing / "continued.xlsx", {"Biểu 01": first, "Biểu 01 (tiếp)": again, "Sheet3": bare}),
           2021, 5, 21, 10)
    march = [["CÔNG AN TỈNH HẢI DƯƠNG"], ["Tháng 3 năm 2021"], HEADER, [1, "Huyện Gia Lộc", "Xã Phạm Trấn", 9]]
    arrive(write_sheets(landing / "two_months.xlsx", {"Biểu 01": [*_title(6), HEADER, [1, "Huyện Gia Lộc",
                                                                                  "Xã Thống Nhất", 8]],
                                                      "Tháng 3": march}), 2021, 6, 21, 11)
    instructions = [[f"Hướng dẫn {i}: ghi đủ các xã, không sửa tên cột"] for i in range(60)]
    arrive(write_sheets(landing / "low_header.xlsx", {"Biểu 01": [*_title(7), *instructions, HEADER,
                                                                  [1, "Huyện Gia Lộc", "Xã Đoàn Thượng", 6]]}),
           2021, 7, 21, 12)
    settings = make_settings(root)
    result = run_night([landing], settings)
    return settings, result


def _quarantine(settings, file_name: str):
    return query_frame(settings.warehouse, f"""select sheet, row_number, rule, message_vi, message_en
        from audit.quarantine where file_name = '{file_name}' order by sheet, row_number, rule""")


def test_rows_read_are_rows_loaded_or_quarantined_in_every_submission(night):
    settings, result = night
    subs = query_frame(settings.warehouse, """select file_name, status, rows_read, rows_loaded, rows_quarantined
        from audit.submission order by file_name""")
    assert list(subs.file_name) == ["continued.xlsx", "gaps.xlsx", "low_header.xlsx", "two_months.xlsx"]
    assert (subs.rows_read == subs.rows_loaded + subs.rows_quarantined).all()
    assert dict(zip(subs.file_name, subs.rows_read, strict=True)) == {
        "continued.xlsx": 4, "gaps.xlsx": 5, "low_header.xlsx": 1, "two_months.xlsx": 2}
    assert result.exit_code == 3


def test_rows_without_a_name_under_a_merged_name_or_below_the_total_are_quarantined(night):
    settings, _ = night
    entries = _quarantine(settings, "gaps.xlsx")
    assert [(r, rule) for r, rule in zip(entries.row_number, entries.rule, strict=True)] == [
        (6, "unit_named"), (7, "unit_named_once"), (8, "unit_named_once"), (10, "row_above_total")]
    assert "C7:C8" in entries.message_vi[1] and "dòng tổng cộng" in entries.message_vi[3]
    loaded = query_frame(settings.warehouse, """select f.unit_code, f.officers from dw.fact_commune_staffing f
        join audit.submission s using (submission_id) where s.file_name = 'gaps.xlsx'""")
    assert list(loaded.unit_code) == ["11086"] and list(loaded.officers) == [5]


def test_a_table_continued_on_two_sheets_loads_from_both_and_feedback_shows_each(night):
    settings, result = night
    entries = _quarantine(settings, "continued.xlsx")
    assert list(zip(entries.sheet, entries.row_number, entries.rule, strict=True)) == [
        ("Biểu 01 (tiếp)", 3, "unit_known")]
    loaded = query_frame(settings.warehouse, """select f.unit_code from dw.fact_commune_staffing f
        join audit.submission s using (submission_id) where s.file_name = 'continued.xlsx' order by 1""")
    assert list(loaded.unit_code) == ["11017", "11020", "11086"]
    warnings = query_frame(settings.warehouse, "select * from audit.warning where file_name = 'continued.xlsx'")
    assert warnings.empty  # the total on the last sheet adds up the loaded rows of all three: 5 + 4 + 2 + 3
    (feedback,) = [p for p in result.feedback if p.name == "continued.xlsx"]
    book = load_workbook(feedback)
    assert book.sheetnames[1:] == ["Biểu 01", "Biểu 01 (tiếp)", "Sheet3"]
    notes = [c.value for row in book["Biểu 01 (tiếp)"].iter_rows() for c in row if c.value and "Xã Không Có" in
             str(c.value)]
    assert len(notes) == 2  # the name, and the note in the column "Lỗi" of the row it is on


def test_a_second_sheet_of_another_month_is_quarantined_naming_both_sheets(night):
    settings, _ = night
    entries = _quarantine(settings, "two_months.xlsx")
    assert list(zip(entries.sheet, entries.row_number, entries.rule, strict=True)) == [
        ("Tháng 3", 4, "one_sheet_per_report")]
    assert "'Tháng 3'" in entries.message_en[0] and "'Biểu 01'" in entries.message_en[0]
    assert "03/2021" in entries.message_vi[0] and "06/2021" in entries.message_vi[0]


def test_a_header_under_sixty_lines_of_instructions_is_read(night):
    settings, _ = night
    loaded = query_frame(settings.warehouse, """select f.unit_code, f.officers from dw.fact_commune_staffing f
        join audit.submission s using (submission_id) where s.file_name = 'low_header.xlsx'""")
    assert list(loaded.officers) == [6]
