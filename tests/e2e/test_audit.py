"""Nothing lost, every rejection explained: file-level rejections, duplicates, feedback workbooks,
outliers against the previous period and reporting completeness, on files built here."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from etl import reference
from etl.pipeline import run_night
from tests.builders import arrive as _arrive
from tests.builders import make_settings
from tests.builders import query_frame as _query
from tests.builders import write_workbook as _write

pytestmark = pytest.mark.e2e

HEADER = ["STT", "Huyện, thị xã, thành phố", "Xã, thị trấn", "Số CA chính quy đã bố trí", "Ghi chú"]



def _title(province: str = "CÔNG AN TỈNH HẢI DƯƠNG", month: int = 4) -> list[list[object]]:
    return [["BỘ CÔNG AN"], [province], [f"Tháng {month} năm 2021 (Số liệu tính đến ngày 20/{month}/2021)"]]


def _communes(code: str, count: int, month: int = 4) -> list[tuple[str, str]]:
    """The first ``count`` (district, commune) of a province in the unit list in force on the
    title's date (20/month/2021)."""
    on = date(2021, month, 20)
    units = reference.communes("pre2025", code, in_scope_only=True, on=on)
    districts = reference.in_force(on, "district").set_index("unit_code")
    names = [(districts.loc[d, "name"] if d in districts.index else "", n) for d, n in zip(
        units.district_code, units.name, strict=True)]
    return names[:count]


def _staffing(folder: Path, name: str, officers: list[int], code: str = "30", month: int = 4,
              extra: list[list[object]] | None = None, province: str = "CÔNG AN TỈNH HẢI DƯƠNG") -> Path:
    rows = [[i + 1, d, n, o, None] for i, ((d, n), o) in enumerate(zip(_communes(code, len(officers), month), officers,
                                                                        strict=True))]
    return _write(folder / name, [*_title(province, month), HEADER, *rows, *(extra or [])], "Biểu 01")




@pytest.fixture
def broken_night(tmp_path):
    import msoffcrypto.format.ooxml

    landing = tmp_path / "landing"
    landing.mkdir()
    good = _arrive(_staffing(landing, "good.xlsx", [5, 6, 7]), 2021, 4, 21, 9)
    shutil.copy(good, landing / "good - copy.xlsx")
    (landing / "notes.xlsx").write_text("đây không phải là bảng tính")
    (landing / "empty.xlsx").write_bytes(b"")
    (landing / "truncated.xlsx").write_bytes(good.read_bytes()[:700])
    with good.open("rb") as plain, (landing / "locked.xlsx").open("wb") as locked:
        msoffcrypto.format.ooxml.OOXMLFile(plain).encrypt("matkhau", locked)
    _write(landing / "bao_cao.xlsx", [["Tháng 4 năm 2021"], HEADER, [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", 5]])
    _write(landing / "hai_duong_undated.xlsx", [["CÔNG AN TỈNH HẢI DƯƠNG"], HEADER, [1, "Tứ Kỳ", "Xã Hưng Đạo", 5]])
    _write(landing / "hai_duong_list.xlsx", [["Danh sách"], ["Họ tên", "Chức vụ"], ["Nguyễn Văn A", "Trưởng"]])
    _write(landing / "hai_duong_blank.xlsx", [*_title(), HEADER, [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", None]])
    for path in landing.iterdir():
        if path.name != "good.xlsx":
            _arrive(path, 2021, 4, 21, 10)
    settings = make_settings(tmp_path)
    return settings, landing, run_night([landing], settings)


def test_every_file_rejected_whole_is_recorded_with_its_reason(broken_night):
    settings, _, result = broken_night
    assert result.exit_code == 3
    audit = _query(settings.warehouse, "select file_name, sheet, status, reason from audit.submission")
    outcome = {r.file_name: (r.status, r.reason) for r in audit.itertuples()}
    assert outcome["good.xlsx"] == ("loaded", None)
    assert outcome["good - copy.xlsx"][0] == "duplicate" and "good.xlsx" in outcome["good - copy.xlsx"][1]
    expected_words = {"notes.xlsx": "not an Excel workbook", "empty.xlsx": "empty", "truncated.xlsx": "truncated",
                      "locked.xlsx": "password", "bao_cao.xlsx": "province", "hai_duong_undated.xlsx": "period",
                      "hai_duong_list.xlsx": "no sheet", "hai_duong_blank.xlsx": "no figures"}
    for name, words in expected_words.items():
        status, reason = outcome[name]
        assert status == "rejected" and words in reason, (name, reason)
    assert len(audit) == 10
    assert _query(settings.warehouse, "select count(*) as n from dw.fact_commune_staffing").n[0] == 3


def test_rerunning_the_night_records_nothing_new(broken_night):
    settings, landing, _ = broken_night
    before = _query(settings.warehouse, "select * from audit.submission order by all")
    again = run_night([landing], settings)
    assert again.outcomes == [] and again.already_taken_in == 10 and again.exit_code == 0
    assert _query(settings.warehouse, "select * from audit.submission order by all").equals(before)


def test_cli_prints_reasons_not_tracebacks(broken_night, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from etl.cli import app

    _, landing, _ = broken_night
    monkeypatch.setenv("CAX_VAR", str(tmp_path / "cli"))
    result = CliRunner().invoke(app, ["ingest", str(landing)])
    assert result.exit_code == 3
    assert "password" in result.stdout and "Traceback" not in result.stdout


def test_feedback_workbook_highlights_cells_and_explains_in_vietnamese(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    path = _staffing(landing, "Hai Duong T4.xlsx", [5, -2, 6], extra=[
        [4, "Huyện Tứ Kỳ", "Xã Không Có Thật", 5, "=5 người"], [None, "Tổng cộng", None, 99, None]])
    settings = make_settings(tmp_path)
    result = run_night([_arrive(path, 2021, 4, 21, 9)], settings)
    assert [(o.rows_read, o.rows_loaded, o.rows_quarantined) for o in result.outcomes] == [(4, 2, 2)]
    (feedback,) = result.feedback
    assert feedback == settings.feedback / "30" / "Hai Duong T4.xlsx"
    book = load_workbook(feedback)
    assert book.sheetnames == ["Tóm tắt", "Biểu 01"]
    summary = [[c for c in row if c is not None] for row in book["Tóm tắt"].iter_rows(values_only=True)]
    assert ["Biểu 01", "01/04/2021 - 30/04/2021", "Đã nạp, có dòng bị loại", 4, 2, 2, 1, "dòng 6, 8"] in summary
    sheet = book["Biểu 01"]
    lines = {row[0].row: [c.value for c in row] for row in sheet.iter_rows()}
    errors = [c.coordinate for row in sheet.iter_rows() for c in row if c.fill.fgColor.rgb == "FFF4B6B6"]
    warnings = [c.coordinate for row in sheet.iter_rows() for c in row if c.fill.fgColor.rgb == "FFFFE699"]
    assert errors == ["D6", "C8"] and warnings == ["D9"]
    assert sheet["F4"].value == "Lỗi"
    assert "từ 0 đến 50" in lines[6][5] and "-2" in lines[6][5]
    assert "Xã Không Có Thật" in lines[8][5] and "Cảnh báo" in lines[9][5]
    # A note that looks like a formula comes back as text, never as a formula.
    assert sheet["E8"].value == "=5 người" and sheet["E8"].data_type == "s"


def test_rejected_file_gets_feedback_with_its_reason(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    path = _arrive(_write(landing / "hai_duong_blank.xlsx", [*_title(), HEADER, [1, "Tứ Kỳ", "Xã Hưng Đạo", None]]),
                   2021, 4, 21, 9)
    result = run_night([path], make_settings(tmp_path))
    (feedback,) = result.feedback
    assert feedback.parent.name == "30"
    rows = [[c for c in row if c] for row in load_workbook(feedback)["Tóm tắt"].iter_rows(values_only=True)]
    assert ["Lý do", "biểu mẫu chưa điền số liệu"] in rows


def test_outlier_against_the_previous_period_is_a_warning(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    settings = make_settings(tmp_path)
    april = [5 + i % 3 for i in range(30)]
    run_night([_arrive(_staffing(landing, "t4.xlsx", april), 2021, 4, 21, 9)], settings)
    may = list(april)
    may[7] = 45  # a typo: 45 officers where there were 6
    may[8] = april[8] + 1  # an ordinary change
    result = run_night([_arrive(_staffing(landing, "t5.xlsx", may, month=5), 2021, 5, 21, 9)], settings)
    assert [(o.status, o.rows_loaded, o.warnings) for o in result.outcomes] == [("loaded", 30, 1)]
    warning = _query(settings.warehouse, "select row_number, column_name, value, rule, severity from audit.warning")
    assert warning.values.tolist() == [[12, "officers", "45", "officers_outlier_vs_previous_period", "warning"]]


def test_reporting_completeness_on_time_late_missing_rejected(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "Ha Nam T04-2021").write_bytes(b"")
    files = [
        _arrive(_staffing(landing, "hd.xlsx", [5, 5]), 2021, 4, 23, 15),  # on time
        _arrive(_staffing(landing, "hd_sua.xlsx", [5, 6]), 2021, 5, 20, 9),  # a late correction
        _arrive(_staffing(landing, "hp.xlsx", [4, 4], code="31", province="CÔNG AN THÀNH PHỐ HẢI PHÒNG"),
                2021, 5, 12, 9),  # late: due 5/5
        _arrive(_write(landing / "tb.xlsx", [*_title("CÔNG AN TỈNH THÁI BÌNH"), HEADER,
                                             [1, "Huyện Vũ Thư", "Xã Không Có", 5]], "Biểu 01"), 2021, 4, 24, 9),
        _arrive(landing / "Ha Nam T04-2021", 2021, 4, 24, 9),  # no extension, and empty: rejected whole
    ]
    settings = make_settings(tmp_path)
    run_night(files, settings)
    rows = _query(settings.warehouse, """select province_code, status, received_at from mart.reporting_completeness
                                          where sheet = '01' and period_start = '2021-04-01'""")
    status = dict(zip(rows.province_code, rows.status, strict=True))
    assert len(status) == 63
    assert (status["30"], status["31"], status["34"]) == ("on_time", "late", "rejected")
    # A file rejected whole counts for its province and month when its name says them.
    assert status["35"] == "rejected"
    assert {s for code, s in status.items() if code not in ("30", "31", "34", "35")} == {"missing"}
    # The on-time report's arrival is shown, not the correction's.
    assert rows[rows.province_code == "30"].received_at.iloc[0] == datetime(2021, 4, 23, 15)


def test_same_named_feedback_files_do_not_overwrite_each_other(tmp_path):
    landing = tmp_path / "landing"
    for number, folder in enumerate(("v1", "v2")):
        (landing / folder).mkdir(parents=True)
        _staffing(landing / folder, "bao cao T04.xlsx", [5, -1 - number])
    result = run_night([landing], make_settings(tmp_path))
    assert sorted(p.name for p in result.feedback) == ["bao cao T04 (2).xlsx", "bao cao T04.xlsx"]
    assert all(p.exists() for p in result.feedback)


def test_superseded_and_partly_loaded_submissions_say_why(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    first = _arrive(_staffing(landing, "t4.xlsx", [5, 5]), 2021, 4, 21, 9)
    second = _arrive(_staffing(landing, "t4 gui lai.xlsx", [5, -6]), 2021, 4, 22, 9)
    settings = make_settings(tmp_path)
    run_night([first, second], settings)
    reasons = dict(_query(settings.warehouse, "select file_name, reason from audit.submission").values.tolist())
    assert reasons["t4.xlsx"] == "replaced by t4 gui lai.xlsx received 22/04/2021 09:00"
    assert reasons["t4 gui lai.xlsx"].startswith("1 data row(s) quarantined")


def test_a_run_loaded_again_under_its_id_keeps_one_record_counted_once(tmp_path):
    """Airflow reruns a cleared run (or a backfill with --reprocess-behavior) under the same run id:
    the second attempt finds the files taken in, and its run record adds nothing to what the first
    loaded (the first version failed on the run's primary key)."""
    landing = tmp_path / "landing"
    landing.mkdir()
    _arrive(_staffing(landing, "a.xlsx", [5, 6, 7]), 2021, 4, 21, 9)
    settings = make_settings(tmp_path)
    first = run_night([landing], settings, run_id="manual__2021-04-24")
    second = run_night([landing], settings, run_id="manual__2021-04-24")
    assert [o.rows_loaded for o in first.outcomes] == [3] and second.outcomes == []
    assert second.already_taken_in == 1
    runs = _query(settings.warehouse, "select run_id, files_loaded, rows_loaded, started_at from audit.run")
    assert runs[["run_id", "files_loaded", "rows_loaded"]].values.tolist() == [["manual__2021-04-24", 1, 3]]
    assert _query(settings.warehouse, "select count(*) n from dw.fact_commune_staffing").n[0] == 3
