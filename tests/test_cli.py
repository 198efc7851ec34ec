"""The cax command line: exit codes, quarantine entries a clerk can act on, indicators as JSON."""

from __future__ import annotations

import json
import os

import duckdb
import pytest
from typer.testing import CliRunner

from etl.cli import app
from tests.builders import write_workbook as _write

pytestmark = pytest.mark.e2e

HEADER = ["STT", "Huyện, thị xã, thành phố", "Xã, thị trấn", "Mã ĐVHC", "Số CA chính quy đã bố trí",
          "Trong đó: Trưởng CA xã", "Trong đó: Phó trưởng CA xã"]
TITLE = [["BỘ CÔNG AN"], ["CÔNG AN TỈNH HẢI DƯƠNG"], ["Tháng 4 năm 2021 (Số liệu tính đến ngày 23/4/2021)"]]


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("CAX_VAR", str(tmp_path / "var"))
    return tmp_path


def _run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_clean_file_exits_0_and_indicators_follow(env):
    path = _write(env / "hd.xlsx", [*TITLE, HEADER, [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", None, 5, 1, 2],
                                    [2, "Thành phố Chí Linh", "Xã Hưng Đạo", None, 7, 1, 3]])
    assert _run("ingest", str(path)).exit_code == 0
    result = _run("indicators", "--json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    (national,) = report["national_staffing"]
    assert (national["officers"], national["communes_staffed"], national["provinces_reporting"]) == (12, 2, 1)
    assert national["as_of_date"] == "2021-04-23"
    assert national["officers_per_commune"] == pytest.approx(6.0)
    (hai_duong,) = national["provinces"]
    assert hai_duong["province_code"] == "30" and hai_duong["officers"] == 12
    officers = {(r["province_code"], r["value"]) for r in report["indicators"] if r["indicator_code"] == "officers"}
    assert officers == {("30", 12), (None, 12)}
    # Counts are whole numbers in the JSON (12, not 12.0); ratios keep their decimals.
    assert all(isinstance(r["value"], int) for r in report["indicators"] if r["aggregation"] in ("stock", "flow"))
    assert '"value": 12.0' not in result.stdout
    on_2025 = json.loads(_run("indicators", "--json", "--basis", "2025").stdout)["indicators"]
    # Hải Dương (30) is part of the new Hải Phòng (31) on 2025 boundaries.
    assert {(r["province_code"], r["value"]) for r in on_2025 if r["indicator_code"] == "officers"} == {
        ("31", 12.0), (None, 12.0)}
    text = _run("indicators", "--as-of", "2021-04-30")
    assert "12 CA chính quy" in text.stdout and "1/63" in text.stdout


def test_a_report_dated_after_its_month_is_listed_with_its_month_and_its_provinces(env):
    """April's report as of 10/5/2021 (15 days' grace after April): the national line and the province
    rows under it are April's, on both bases, and --as-of the end of April finds it."""
    title = [*TITLE[:2], ["Tháng 4 năm 2021 (Số liệu tính đến ngày 10/5/2021)"]]
    path = _write(env / "hd.xlsx", [*title, HEADER, [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", None, 5, 1, 2],
                                    [2, "Thành phố Chí Linh", "Xã Hưng Đạo", None, 7, 1, 3]])
    assert _run("ingest", str(path)).exit_code == 0
    for basis, province in (("as_reported", "30"), ("2025", "31")):
        (national,) = json.loads(_run("indicators", "--json", "--basis", basis).stdout)["national_staffing"]
        assert (national["period_start"], national["as_of_date"], national["officers"]) == (
            "2021-04-01", "2021-05-10", 12)
        assert [(p["province_code"], p["period_start"], p["as_of_date"], p["officers"])
                for p in national["provinces"]] == [(province, "2021-04-01", "2021-05-10", 12)]
        # Counts are whole numbers on either basis (the 2025 basis is read from mart.indicators' doubles).
        assert all(isinstance(p[c], int) for p in national["provinces"]
                   for c in ("officers", "communes_staffed", "communes_in_scope")), national["provinces"]
    text = _run("indicators", "--as-of", "2021-04-30").stdout
    assert "12 CA chính quy" in text and "10/05/2021" in text


def test_bad_rows_are_quarantined_with_file_sheet_row_column(env):
    path = _write(env / "hd.xlsx", [*TITLE, HEADER,
                                    [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", None, 5, 1, 2],
                                    [2, "Huyện Tứ Kỳ", "Xã Không Có", None, 5, 1, 2],
                                    [3, "Thành phố Chí Linh", "Xã Hưng Đạo", None, 60, 1, 2],
                                    [4, "Huyện Gia Lộc", "Thị trấn Gia Lộc", None, "năm", 1, 2]],
                  sheet="Biểu 01")
    result = _run("ingest", str(path), "--warehouse", str(env / "w.duckdb"))
    assert result.exit_code == 3, result.stdout
    con = duckdb.connect(str(env / "w.duckdb"), read_only=True)
    entries = con.execute("""select file_name, sheet, row_number, column_name, value, rule, severity
                             from audit.quarantine order by row_number""").fetchall()
    accounting = con.execute("select rows_read, rows_loaded, rows_quarantined, status from audit.submission").fetchall()
    messages = con.execute("select message_vi, message_en from audit.quarantine").fetchall()
    con.close()
    assert [(e[0], e[1], e[2], e[3], e[4]) for e in entries] == [
        ("hd.xlsx", "Biểu 01", 6, "commune_name", "Xã Không Có"),
        ("hd.xlsx", "Biểu 01", 7, "officers", "60"),
        ("hd.xlsx", "Biểu 01", 8, "officers", "năm"),
    ]
    assert {e[6] for e in entries} == {"error"}
    assert accounting == [(4, 1, 3, "loaded_with_errors")]
    assert all(vi and en and vi != en for vi, en in messages)


def test_unreadable_file_is_rejected_with_a_reason_not_a_traceback(env):
    bad = env / "hong.xlsx"
    bad.write_bytes(b"PK\x03\x04 broken")
    result = _run("ingest", str(bad))
    assert result.exit_code == 3
    assert "rejected" in result.stdout and "Traceback" not in result.stdout


def test_bad_usage_exits_2(env):
    assert _run("ingest", str(env / "missing.xlsx")).exit_code == 2
    assert _run("indicators", "--as-of", "23/4/2021").exit_code == 2
    assert _run("ingest").exit_code == 2


def test_a_warehouse_without_this_versions_marts_gets_a_clear_message_and_a_night_builds_them(env):
    """Marts are built when a night publishes: a warehouse made by an older version (or whose last night
    stopped before publishing) lacks a view; the CLI says so and what to do, and the next night mends it."""
    import subprocess
    import sys

    path = _write(env / "hd.xlsx", [*TITLE, HEADER, [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", None, 5, 1, 2]])
    assert _run("ingest", str(path)).exit_code == 0
    warehouse = env / "var" / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("drop view mart.national_id_card_progress")
    con.close()
    old = subprocess.run([sys.executable, "-m", "etl.cli", "indicators"], capture_output=True, text=True,
                         timeout=300)
    assert old.returncode == 1 and "Traceback" not in old.stdout + old.stderr
    assert "no view mart.national_id_card_progress" in old.stdout and "cax ingest" in old.stdout
    assert _run("ingest", str(path)).exit_code == 0  # the file is skipped; the night still publishes
    assert _run("indicators").exit_code == 0


@pytest.mark.parametrize(("variable", "value", "expected"), [
    ("CAX_WORKERS", "two", "whole number of at least 1"), ("CAX_WORKERS", "0", "at least 1"),
    ("CAX_MAX_ROWS", "abc", "whole number"), ("CAX_MAX_ROWS", "1_0", "whole number"),
    ("CAX_WORKER_TIMEOUT_S", "-5", "at least 1"), ("CAX_MONTHLY_DEADLINE_DAYS", "-1", "at least 0"),
    ("CAX_LOCK_WAIT_S", "soon", "a number of at least 0"), ("CAX_LOAD_BATCH_FILES", "0", "at least 1"),
])
def test_a_setting_that_is_not_a_number_is_bad_usage_naming_the_variable(env, monkeypatch, variable, value, expected):
    path = _write(env / "hd.xlsx", [*TITLE, HEADER, [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", None, 5, 1, 2]])
    monkeypatch.setenv(variable, value)
    for command in (["ingest", str(path)], ["indicators"], ["completeness", "--period", "2021-04"],
                    ["history", "--province", "30"]):
        result = _run(*command)
        assert result.exit_code == 2, (command, result.stdout)
        assert variable in result.stdout and expected in result.stdout
    assert not (env / "var").exists()  # refused before anything was written


def test_a_path_that_is_neither_a_file_nor_a_folder_is_bad_usage_before_anything_is_written(env):
    import os

    good = _write(env / "hd.xlsx", [*TITLE, HEADER, [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", None, 5, 1, 2]])
    fifo = env / "pipe.xlsx"
    os.mkfifo(fifo)
    broken = env / "broken.xlsx"
    broken.symlink_to(env / "nowhere.xlsx")
    for path, why in ((fifo, "neither a file nor a folder"), (broken, "broken link"), (env / "no.xlsx", "not found")):
        result = _run("ingest", str(good), str(path))
        assert result.exit_code == 2 and path.name in result.stdout and why in result.stdout, result.stdout
    assert not (env / "var").exists()


def test_the_same_file_named_twice_is_taken_in_once_not_as_its_own_duplicate(env):
    folder = env / "landing"
    folder.mkdir()
    path = _write(folder / "hd.xlsx", [*TITLE, HEADER, [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", None, 5, 1, 2]])
    link = env / "lien_ket.xlsx"
    link.symlink_to(path)
    result = _run("ingest", str(path), str(folder), str(link), str(path), "--warehouse", str(env / "w.duckdb"))
    assert result.exit_code == 0, result.stdout
    con = duckdb.connect(str(env / "w.duckdb"), read_only=True)
    statuses = con.execute("select file_name, status from audit.submission").fetchall()
    con.close()
    assert statuses == [("hd.xlsx", "loaded")]


def test_history_names_the_province_of_each_era_and_refuses_a_code_that_is_no_province(env):
    path = _write(env / "hd.xlsx", [*TITLE, HEADER, [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", None, 5, 1, 2]])
    bad = env / "hai-duong-loi.xlsx"
    bad.write_bytes(b"not a workbook")  # rejected whole: its province from its name, no period, no era
    assert _run("ingest", str(path), str(bad)).exit_code == 3
    shown = _run("history", "--province", "30")
    assert shown.exit_code == 0, shown.stdout
    assert "Tỉnh Hải Dương" in shown.stdout and "hai-duong-loi.xlsx" in shown.stdout
    # 24 is Bắc Giang before 1 July 2025 and Bắc Ninh after: both are named.
    none = _run("history", "--province", "24")
    assert none.exit_code == 0 and "Bắc Giang" in none.stdout and "Bắc Ninh" in none.stdout
    for code in ("abc", "99", "63"):  # 63 lies between Kon Tum (62) and Gia Lai (64): no province
        refused = _run("history", "--province", code)
        assert refused.exit_code == 2 and "no province code" in refused.stdout, (code, refused.stdout)


def test_a_warehouse_named_on_the_command_line_keeps_its_night_beside_it(tmp_path, monkeypatch):
    """Issue 11: `cax ingest --warehouse OTHER` replaced the default analysts' copy and staged into the
    default folders."""
    for variable in ("CAX_VAR", "CAX_PUBLISHED", "CAX_WAREHOUSE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.chdir(tmp_path)
    path = _write(tmp_path / "hd.xlsx", [*TITLE, HEADER, [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", None, 5, 1, 2],
                                         [2, "Huyện Tứ Kỳ", "Xã Không Có", None, 5, 1, 2]])
    scratch = tmp_path / "scratch" / "try.duckdb"
    assert _run("ingest", str(path), "--warehouse", str(scratch)).exit_code == 3
    assert (tmp_path / "scratch" / "published" / "try.duckdb").is_file()
    assert (tmp_path / "scratch" / "staging").is_dir() and (tmp_path / "scratch" / "feedback").is_dir()
    assert not (tmp_path / "var").exists()  # the default warehouse, copy and folders untouched


def test_the_load_summary_never_cuts_a_reason_and_writes_the_whole_table(env):
    """Issue 11: piped, or in a 120-column terminal, the reason column was cropped."""
    import csv

    good = _write(env / "hd.xlsx", [*TITLE, HEADER, [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", None, 5, 1, 2]])
    odd = _write(env / "hai-duong-ghi-chu-rat-dai-cua-phong-tham-muu-cong-an-tinh.xlsx",
                 [["CÔNG AN TỈNH HẢI DƯƠNG"], ["Ghi chú"], ["Không có bảng nào"]])
    result = _run("ingest", str(good), str(odd))
    assert result.exit_code == 3, result.stdout
    reason = ("no sheet has the columns of a report of the template (e.g. 'Xã, thị trấn' and 'Số CA chính quy')")
    assert any(odd.name in line and reason in line for line in result.stdout.splitlines()), result.stdout
    (summary,) = (env / "var" / "reports").glob("load_summary_*.csv")
    with summary.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert {(r["file"], r["status"]) for r in rows} == {("hd.xlsx", "loaded"), (odd.name, "rejected")}
    assert next(r for r in rows if r["file"] == odd.name)["reason"].endswith(reason)
    assert str(summary) in result.stdout.replace("\n", "")


def test_history_never_cuts_a_reason_even_in_a_narrow_terminal(env, monkeypatch):
    """Found in review of issue 11: piped, or in a 120-column terminal, `cax history` cropped or
    dropped its reason column, as the load summary did."""
    monkeypatch.setenv("COLUMNS", "120")
    good = _write(env / "hd.xlsx", [*TITLE, HEADER, [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", None, 5, 1, 2],
                                    [2, "Huyện Tứ Kỳ", "Xã Không Có Trong Danh Mục", None, 5, 1, 2]])
    odd = _write(env / "hai-duong-ghi-chu-rat-dai-cua-phong-tham-muu-cong-an-tinh.xlsx",
                 [["CÔNG AN TỈNH HẢI DƯƠNG"], ["Ghi chú"], ["Không có bảng nào"]])
    assert _run("ingest", str(good), str(odd)).exit_code == 3
    shown = _run("history", "--province", "30")
    assert shown.exit_code == 0, shown.stdout
    con = duckdb.connect(str(env / "var" / "warehouse.duckdb"), read_only=True)
    reasons = con.execute("select file_name, reason from audit.submission where reason is not null").fetchall()
    con.close()
    assert len(reasons) == 2
    for name, reason in reasons:
        assert any(name in line and line.endswith(reason) for line in shown.stdout.splitlines()), (reason, shown.stdout)
    # Found in the second review: the counts at the table's right edge were cropped in 120 columns.
    from etl import cli

    for columns in (120, 80):
        monkeypatch.setattr(cli.console, "width", columns)
        narrow = _run("history", "--province", "30").stdout
        table = [line for line in narrow.splitlines() if line[:1] in "┏┃┡│└"]
        assert table and all(line[-1] in "┓┃┩│┘" and len(line) <= columns for line in table), narrow
        assert "2/1/1/0" in narrow and "Loại/C.báo" in narrow, narrow  # read 2, loaded 1, quarantined 1


def test_the_console_entry_point_leaves_with_the_commands_code_after_its_exit_handlers_and_output(tmp_path):
    """``main`` ends the process without tearing the interpreter down (etl.cli._leave): the command's
    exit code, what it printed (into a pipe, so buffered) and the exit handlers (temporary folders
    removed) must all survive that."""
    import subprocess
    import sys

    script = """
import sys, tempfile
from pathlib import Path
sys.argv = ["cax", {args}]
kept = tempfile.TemporaryDirectory(dir={tmp!r})  # removed by its exit handler, or left behind
Path(kept.name, "marker").write_text("x")
from etl.cli import main
main()
"""
    bad = tmp_path / "in" / "bad.xlsx"
    bad.parent.mkdir()
    bad.write_text("not a workbook")
    # In this order: before the night there is no warehouse to report on (2); the night rejects the file (3).
    cases = [('"indicators", "--json"', 2), (f'"ingest", {str(bad)!r}', 3), ('"--help"', 0)]
    for args, code in cases:
        done = subprocess.run([sys.executable, "-c", script.format(args=args, tmp=str(tmp_path))],
                              capture_output=True, text=True, timeout=300, env={**os.environ,
                                                                                "CAX_VAR": str(tmp_path / "var")})
        assert done.returncode == code, (args, done.stdout, done.stderr)
        assert done.stdout.strip(), args  # the command's words reached the pipe
        assert "Traceback" not in done.stderr, done.stderr
        assert list(tmp_path.glob("tmp*")) == [], args  # the exit handler removed the folder
