"""Discovery: every submission file of a folder, each identified once, and a file that changes
between discovery and reading is not recorded under the sha256 of other bytes."""

from __future__ import annotations

import hashlib
import os

import pytest

from etl.discover import discover, files_under, identify
from etl.extract import extract_workbook
from tests.builders import arrive, write_workbook

pytestmark = pytest.mark.unit

ROWS = [["CÔNG AN TỈNH HẢI DƯƠNG"], ["Tháng 4 năm 2021 (Số liệu tính đến ngày 23/4/2021)"],
        ["STT", "Huyện", "Xã, thị trấn", "Số CA chính quy"], [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", 5]]


def test_every_file_but_lock_desktop_and_json_files_is_a_submission(tmp_path):
    for name in ("a.xlsx", "notes.txt", "~$a.xlsx", "Thumbs.db", ".DS_Store", "truth.json", "sub/b.XLS"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(name.encode())
    assert sorted(p.name for p in files_under([tmp_path])) == ["a.xlsx", "b.XLS", "notes.txt"]


def test_identity_is_the_content_and_arrival_is_vietnam_time(tmp_path):
    path = arrive(write_workbook(tmp_path / "hd.xlsx", ROWS), 2021, 4, 23, 16, 30)
    file = identify(path)
    assert file.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (file.size_bytes, file.received_at.isoformat()) == (path.stat().st_size, "2021-04-23T16:30:00")


def test_a_new_warehouse_takes_every_file_in_order_of_arrival_and_a_copy_once(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    late = arrive(write_workbook(landing / "a_late.xlsx", ROWS), 2021, 4, 25, 9)
    early = arrive(write_workbook(landing / "b_early.xlsx", [*ROWS, [2, "TP Chí Linh", "Xã Hưng Đạo", 6]]),
                   2021, 4, 23, 9)
    copy = landing / "c_copy.xlsx"
    copy.write_bytes(early.read_bytes())
    arrive(copy, 2021, 4, 24, 9)
    found = discover([landing], tmp_path / "none.duckdb")
    assert [f.name for f in found.fresh] == ["b_early.xlsx", "a_late.xlsx"]
    assert [(f.name, original) for f, original in found.duplicates] == [("c_copy.xlsx", "b_early.xlsx")]
    cut = discover([landing], tmp_path / "none.duckdb", cutoff=identify(early).received_at)
    assert [f.name for f in cut.fresh] == ["b_early.xlsx"] and not cut.duplicates and late.exists()


def test_a_file_rewritten_after_discovery_is_rejected_not_read_under_the_old_hash(tmp_path):
    path = write_workbook(tmp_path / "hd.xlsx", ROWS)
    discovered = identify(path)
    write_workbook(path, [*ROWS, [2, "TP Chí Linh", "Xã Hưng Đạo", 6]])
    result = extract_workbook(discovered)
    assert result.rejection is not None and result.rejection.code == "changed" and not result.submissions


def test_a_file_touched_but_not_changed_is_read(tmp_path):
    path = write_workbook(tmp_path / "hd.xlsx", ROWS)
    discovered = identify(path)
    stamp = path.stat().st_mtime + 3600
    os.utime(path, (stamp, stamp))
    result = extract_workbook(discovered)
    assert result.rejection is None and len(result.submissions) == 1
