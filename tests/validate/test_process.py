"""The validating process (etl.validate.process): it validates exactly as validate_stage does in the
night's own process, builds the Data Docs after answering, and its failures reach the night's
process as exceptions, never as a silent or a hanging night."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl.discover import identify
from etl.extract.sandbox import extract_to_stage
from etl.validate.night import read_staged, validate_stage
from etl.validate.process import ValidatingProcess, _send_failure
from tests.builders import write_workbook

pytestmark = pytest.mark.unit

HEADER = ["STT", "Huyện, thị xã, thành phố", "Xã, thị trấn", "Mã ĐVHC", "Số CA chính quy đã bố trí",
          "Trong đó: Trưởng CA xã", "Trong đó: Phó trưởng CA xã"]
TITLE = [["BỘ CÔNG AN"], ["CÔNG AN TỈNH HẢI DƯƠNG"], ["Tháng 4 năm 2021 (Số liệu tính đến ngày 23/4/2021)"]]


@pytest.fixture
def staged(tmp_path: Path) -> list[Path]:
    """One workbook staged: a good row, a row whose figures fail the suite, a unit unknown."""
    book = write_workbook(tmp_path / "hd.xlsx", [
        *TITLE, HEADER,
        [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", None, 5, 1, 2],
        [2, "Thành phố Chí Linh", "Xã Hưng Đạo", None, 3, 2, 4],  # more leaders than officers
        [3, "Huyện Tứ Kỳ", "Xã Không Có", None, 4, 1, 1],
    ])
    return [extract_to_stage(identify(book), tmp_path / "stage")]


def _frames(folder: Path) -> dict[str, pd.DataFrame]:
    return {p.name: pd.read_parquet(p) for p in sorted(folder.glob("*.parquet"))}


def test_validates_as_the_nights_own_process_does_and_builds_the_docs(staged, tmp_path):
    with ValidatingProcess(None) as validator:
        validator.read_ahead(staged[0])  # as the night tells it of each file staged
        there = validator.validate(staged, tmp_path / "there", tmp_path / "docs_there")
        validator.finish()
        assert validator.wait_for_import() > 0
    here = validate_stage(staged, tmp_path / "here", tmp_path / "docs_here", None)
    theirs, ours = _frames(there), _frames(here)
    assert list(theirs) == list(ours) and theirs
    for name, frame in ours.items():
        pd.testing.assert_frame_equal(theirs[name], frame, check_like=False)
    failures = theirs["commune_staffing.failures.parquet"]
    assert len(failures) >= 2  # the suite's failure and the unknown unit, both found there
    assert (tmp_path / "docs_there" / "commune_staffing" / "index.html").is_file()


def test_a_file_read_ahead_is_taken_as_read_not_read_again(staged, tmp_path):
    ahead = {str(path): read_staged(path) for path in staged}
    expected = validate_stage(staged, tmp_path / "expected")
    for part in (tmp_path / "stage").glob("*.parquet"):
        part.unlink()  # the rows are gone from disk: only what was read ahead can give them
    got = validate_stage(staged, tmp_path / "got", read_ahead=ahead)
    for name, frame in _frames(expected).items():
        pd.testing.assert_frame_equal(_frames(got)[name], frame)
    assert ahead == {}  # each taken once


def test_docs_left_for_later_are_built_only_when_finished(staged, tmp_path):
    later: list = []
    validate_stage(staged, tmp_path / "out", tmp_path / "docs", None, docs_later=later)
    assert later and not (tmp_path / "docs" / "commune_staffing" / "index.html").exists()
    for build in later:
        build()
    assert (tmp_path / "docs" / "commune_staffing" / "index.html").is_file()


def test_an_exception_there_is_raised_here_with_its_type_and_where_it_happened(tmp_path):
    with ValidatingProcess(None) as validator, pytest.raises(FileNotFoundError) as raised:
        validator.validate([tmp_path / "missing.json"], tmp_path / "out", None)
    assert any("in the validating process" in note for note in raised.value.__notes__)


def test_validates_against_a_warehouse_as_the_nights_own_process_does(staged, tmp_path):
    """With a warehouse, the earlier figures are read ahead there: the same failures either way."""
    warehouse = tmp_path / "w.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("create schema dw; create table dw.fact_commune_staffing "
                "(admin_era varchar, unit_code varchar, as_of_date date, officers integer)")
    con.execute("insert into dw.fact_commune_staffing select 'pre2025', unit_code, date '2021-03-20', 40 "
                "from (select distinct unit_code from read_parquet(?) where unit_code is not null)",
                [str(next((tmp_path / "stage").glob("*-01.parquet")))])
    con.close()
    with ValidatingProcess(warehouse) as validator:
        validator.read_ahead(staged[0])
        there = validator.validate(staged, tmp_path / "there", None)
    here = validate_stage(staged, tmp_path / "here", None, warehouse)
    for name, frame in _frames(here).items():
        pd.testing.assert_frame_equal(_frames(there)[name], frame)
    assert _frames(here)["commune_staffing.rows.parquet"]["previous_officers"].eq(40).any()


def test_gx_failing_to_import_there_is_raised_here(staged, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "great_expectations", None)  # inherited by the fork: import fails
    with ValidatingProcess(None) as validator, pytest.raises(ImportError) as raised:
        validator.validate(staged, tmp_path / "out", None)
    assert any("in the validating process" in note for note in raised.value.__notes__)


class _Unrebuilt(Exception):
    def __init__(self, what: str, detail: str) -> None:  # pickles, but cannot be rebuilt from its args
        super().__init__(what)
        self.detail = detail


def test_an_exception_that_cannot_be_rebuilt_arrives_as_its_text():
    receive, send = multiprocessing.Pipe(duplex=False)
    try:
        raise _Unrebuilt("the reason", "more")
    except _Unrebuilt as error:
        _send_failure(send, error)
    kind, (error, text) = receive.recv()
    assert kind == "failed" and isinstance(error, RuntimeError)
    assert "_Unrebuilt: the reason" in str(error) and "_Unrebuilt" in text


def test_a_validating_process_that_dies_is_an_error_naming_it_not_a_hang(staged, tmp_path):
    with ValidatingProcess(None) as validator:
        validator.wait_for_import()
        assert validator.pid is not None
        os.kill(validator.pid, signal.SIGKILL)
        time.sleep(0.5)  # gone before it is asked, or while it is asked: the same error
        with pytest.raises(RuntimeError, match="validating process ended without answering"):
            validator.validate(staged, tmp_path / "out", None)


def test_a_night_whose_every_file_is_rejected_does_not_wait_for_gx(tmp_path):
    """Nothing to validate: the validating process is stopped at once, not waited for (its GX import)."""
    from etl.pipeline import run_night
    from tests.builders import make_settings

    bad = tmp_path / "in" / "bad.xlsx"
    bad.parent.mkdir()
    bad.write_text("not a workbook")
    timings: dict[str, float] = {}
    result = run_night([bad.parent], make_settings(tmp_path), timings=timings)
    assert result.files_rejected == 1 and result.exit_code == 3
    assert "import great_expectations" not in timings and "data docs" not in timings
