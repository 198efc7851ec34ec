"""The pure helpers of bench/naive.py and bench/floor.py on sheets written here, cell by cell: where the
naive pipeline finds a header, which sheet and columns it takes it for, which rows it keeps; how the
floor's python-calamine rows become Arrow columns. The expected values are read off the sheets by hand."""

from __future__ import annotations

import datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

pytestmark = pytest.mark.unit

BENCH = Path(__file__).resolve().parents[2] / "bench"

TITLE = [["BỘ CÔNG AN", None, None, None, None], ["Tháng 4 năm 2021 (Số liệu tính đến ngày 23/4/2021)", None, None,
                                                   None, None]]
# Sheet 01 with a two-row header: "Trong đó" over the chief and deputy columns.
STAFFING = [*TITLE,
            ["STT", "Xã, thị trấn", "Số CA chính quy đã bố trí", "Trong đó", None],
            [None, None, None, "Trưởng CA xã", "Phó trưởng CA xã"],
            [1, "Xã Nam Sơn", 5, 1, 2],
            [None, None, None, None, None],
            [2, "Xã Bắc Sơn", "năm", 1, -1],
            [None, "Tổng cộng", 5, 2, 1]]


@pytest.fixture(scope="module")
def bench(request):
    """bench/ importable as the scripts see it (they run with bench/ first on the path)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(BENCH))
        import floor
        import naive

        yield floor, naive


def test_the_header_is_the_first_row_with_a_first_heading_of_the_template(bench):
    _, naive = bench
    daily = [["CÔNG AN TỈNH HÀ GIANG", None, None], ["Từ ngày 01/4/2021 đến ngày 15/4/2021", None, None],
             ["Ngày", "Huyện, thị xã, thành phố", "Số hồ sơ thu nhận trong ngày"],
             [datetime.date(2021, 4, 1), "Huyện Đồng Văn", 716.0]]
    assert naive.header_row(STAFFING) == 2
    assert naive.header_row(daily) == 2  # "Từ ngày ..." holds "ngày" but is not the heading "Ngày"
    assert naive.header_row([["Ghi chú:"], ["- Số liệu tính đến ngày 23/4/2021."]]) is None


def test_a_second_header_row_is_joined_and_names_the_columns(bench):
    _, naive = bench
    names, first = naive.headings(STAFFING, 2)
    assert first == 4
    assert names == ["stt", "xa, thi tran", "so ca chinh quy da bo tri", "trong do truong ca xa", "pho truong ca xa"]
    kind = naive.sheet_type(names)
    assert kind is not None and kind.table == "commune_staffing"
    assert naive.column_names(kind, names) == {0: "row_no", 1: "commune_name", 2: "officers", 3: "chiefs",
                                               4: "deputies"}


def test_a_row_of_figures_under_a_one_row_header_is_data(bench):
    _, naive = bench
    rows = [["Cấp khen thưởng", "Tập thể", "Cá nhân"], ["Bộ Công an", 2, 4]]
    names, first = naive.headings(rows, 0)
    assert (names, first) == (["cap khen thuong", "tap the", "ca nhan"], 1)
    kind = naive.sheet_type(names)
    assert kind is not None and kind.table == "commendation"
    assert naive.column_names(kind, names) == {0: "level_written", 1: "collectives", 2: "individuals"}


def test_the_rows_below_the_header_that_are_not_blank_are_kept_typed(bench):
    _, naive = bench
    found = naive.sheet_rows(pd.DataFrame(STAFFING), "x.xlsx", "Biểu 01")
    assert found is not None
    kind, frame = found
    assert kind.table == "commune_staffing"
    # Three rows below the header rows are not blank: two communes and the total (a naive pipeline keeps it).
    assert frame["commune_name"].tolist() == ["Xã Nam Sơn", "Xã Bắc Sơn", "Tổng cộng"]
    assert frame["officers"].tolist()[0] == 5 and pd.isna(frame["officers"].iloc[1])  # "năm" is no number
    assert frame["deputies"].tolist() == [2, -1, 1]
    assert set(frame["source_file"]) == {"x.xlsx"} and set(frame["sheet"]) == {"Biểu 01"}


def test_a_sheet_without_a_known_header_is_not_data(bench):
    _, naive = bench
    assert naive.sheet_rows(pd.DataFrame([["Ghi chú:"], ["Đầu mối: Phòng Tham mưu"]]), "x.xlsx", "Ghi chú") is None


def test_calamine_rows_become_typed_arrow_columns_and_mixed_ones_text(bench):
    floor, _ = bench
    rows = [["BỘ CÔNG AN", "", ""], ["STT", "Ngày", ""], [1.0, datetime.date(2021, 4, 1), 716.0],
            [2.0, "", 5.0]]
    table = floor.rows_to_arrow(rows)
    assert table.num_rows == 4 and table.num_columns == 3
    assert table.column(0).type == pa.string()
    assert table.column(0).to_pylist() == ["BỘ CÔNG AN", "STT", "1.0", "2.0"]
    assert table.column(1).to_pylist() == [None, "Ngày", "2021-04-01", None]
    assert table.column(2).type == pa.float64()
    assert table.column(2).to_pylist() == [None, None, 716.0, 5.0]


def test_only_workbooks_are_taken_from_a_landing_folder(bench, tmp_path):
    floor, _ = bench
    for name in ("b.xlsx", "a.XLS", "truth.json", "notes.txt", "c.xlsm"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "folder.xlsx").mkdir()
    assert [p.name for p in floor.workbooks(tmp_path)] == ["a.XLS", "b.xlsx"]
