"""Duplicates across nights: every record in audit.submission keeps its own identity, and bytes are a
duplicate only of a file that was taken in, not of one that was rejected."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime

import pytest

from etl.pipeline import run_night
from tests.builders import arrive, make_settings, query
from tests.builders import write_workbook as _write

pytestmark = pytest.mark.e2e

NIGHT = datetime(2021, 6, 1, 1, 0)
HEADER = ["STT", "Huyện", "Xã, thị trấn", "Số CA chính quy"]
APRIL = [["CÔNG AN TỈNH HẢI DƯƠNG"], ["Tháng 4 năm 2021 (Số liệu tính đến ngày 23/4/2021)"], HEADER,
         [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", 5]]
AUDIT = "select file_name, status from audit.submission order by file_name, status"


def _night(settings, folder, name: str, data: bytes, **limits: int):
    """One night whose landing folder holds ``data`` alone, under ``name``."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    path = folder / name
    path.write_bytes(data)
    arrive(path, 2021, 4, 25, 9)
    if limits:
        settings = replace(settings, limits=replace(settings.limits, **limits))
    return run_night([folder], settings, cutoff=NIGHT)


def test_a_rejected_file_sent_again_under_another_name_keeps_the_first_rejection(tmp_path):
    settings = make_settings(tmp_path)
    good = _write(tmp_path / "good.xlsx", APRIL).read_bytes()
    cut = good[: len(good) // 2]
    assert [o.status for o in _night(settings, tmp_path / "landing", "cut.xlsx", cut).outcomes] == ["rejected"]
    _night(settings, tmp_path / "landing", "cut (resent).xlsx", cut)
    assert query(settings.warehouse, AUDIT) == [("cut (resent).xlsx", "rejected"), ("cut.xlsx", "rejected")]
    ids = query(settings.warehouse, "select count(distinct submission_id) from audit.submission")
    assert ids == [(2,)]


def test_duplicates_on_later_nights_each_keep_their_record(tmp_path):
    settings = make_settings(tmp_path)
    data = _write(tmp_path / "good.xlsx", APRIL).read_bytes()
    for name in ("bac-ninh.xlsx", "b.xlsx", "c.xlsx"):
        _night(settings, tmp_path / "landing", name, data)
    assert query(settings.warehouse, AUDIT) == [("b.xlsx", "duplicate"), ("bac-ninh.xlsx", "loaded"),
                                                ("c.xlsx", "duplicate")]
    # A rerun of the last night records nothing twice.
    assert run_night([tmp_path / "landing"], settings, cutoff=NIGHT).outcomes == []
    assert query(settings.warehouse, "select count(*) from audit.submission") == [(3,)]


def test_a_file_rejected_for_its_name_is_read_again_when_renamed(tmp_path):
    settings = make_settings(tmp_path)
    data = _write(tmp_path / "good.xlsx", APRIL).read_bytes()
    first = _night(settings, tmp_path / "landing", "BC_T05-2021.xlsx", data)
    assert [o.status for o in first.outcomes] == ["rejected"]
    # The same name and bytes again: a deterministic rejection, skipped.
    assert run_night([tmp_path / "landing"], settings, cutoff=NIGHT).outcomes == []
    renamed = _night(settings, tmp_path / "landing", "BC_T04-2021.xlsx", data)
    assert [(o.file_name, o.status) for o in renamed.outcomes] == [("BC_T04-2021.xlsx", "loaded")]
    assert query(settings.warehouse, AUDIT) == [("BC_T04-2021.xlsx", "loaded"), ("BC_T05-2021.xlsx", "rejected")]
    assert query(settings.warehouse, "select count(*) from dw.fact_commune_staffing") == [(1,)]


def _busy(patch, how: str) -> None:
    """The parsing child of this night sleeps past its time limit, or runs out of memory."""
    from etl.extract import sandbox

    def parse(*args, **kwargs):
        if how == "time":
            time.sleep(5)
        raise MemoryError

    patch.setattr(sandbox, "extract_to_stage", parse)


@pytest.mark.parametrize(("how", "limits", "words"), [("time", {"worker_timeout_s": 1}, "took over"),
                                                      ("memory", {}, "needed over")])
def test_a_file_over_a_worker_limit_is_read_again_the_next_night_under_the_same_name(tmp_path, monkeypatch, how,
                                                                                     limits, words):
    settings = make_settings(tmp_path)
    data = _write(tmp_path / "good.xlsx", APRIL).read_bytes()
    with monkeypatch.context() as patch:
        _busy(patch, how)
        busy = _night(settings, tmp_path / "landing", "hd.xlsx", data, **limits)
    assert [(o.status, words in (o.reason or "")) for o in busy.outcomes] == [("rejected", True)]
    calm = run_night([tmp_path / "landing"], settings, cutoff=NIGHT)
    assert [(o.file_name, o.status) for o in calm.outcomes] == [("hd.xlsx", "loaded")]
    assert query(settings.warehouse, AUDIT) == [("hd.xlsx", "loaded"), ("hd.xlsx", "rejected")]
    assert run_night([tmp_path / "landing"], settings, cutoff=NIGHT).outcomes == []
