"""Discovery: every submission file of a folder, each identified once, and a file that changes
between discovery and reading is not recorded under the sha256 of other bytes."""

from __future__ import annotations

import hashlib
import os

import pytest

from etl import discover as discover_module
from etl.discover import discover, files_under, identify
from etl.extract import extract_workbook
from tests.builders import arrive, refuse_to_open, write_workbook

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


def test_a_file_vanishing_or_unreadable_while_discovery_hashes_it_is_handed_on_to_be_rejected(tmp_path, monkeypatch):
    good = write_workbook(tmp_path / "good.xlsx", ROWS)
    locked = write_workbook(tmp_path / "locked.xlsx", ROWS)
    content = hashlib.sha256(locked.read_bytes()).hexdigest()
    gone = tmp_path / "gone.xlsx"  # listed, then deleted before it was hashed
    monkeypatch.setattr(discover_module, "files_under", lambda paths: [good, gone, locked])
    refuse_to_open(monkeypatch, "locked.xlsx")
    found = discover([tmp_path], tmp_path / "none.duckdb")
    assert [f.name for f in found.fresh] == ["good.xlsx"]
    problems = {file.name: type(error) for file, error in found.unreadable}
    assert problems == {"gone.xlsx": FileNotFoundError, "locked.xlsx": PermissionError}
    again = {file.name: file.sha256 for file, _ in discover([tmp_path], tmp_path / "none.duckdb").unreadable}
    assert again == {file.name: file.sha256 for file, _ in found.unreadable}  # a rerun makes the same records
    assert content not in again.values()


def test_a_file_made_readable_is_hashed_by_its_content(tmp_path, monkeypatch):
    locked = write_workbook(tmp_path / "locked.xlsx", ROWS)
    with monkeypatch.context() as patch:
        refuse_to_open(patch, "locked.xlsx")
        (unread_file, _), = discover([tmp_path], tmp_path / "none.duckdb").unreadable
    (readable,) = discover([tmp_path], tmp_path / "none.duckdb").fresh
    assert readable.sha256 == hashlib.sha256(locked.read_bytes()).hexdigest() != unread_file.sha256


def test_a_file_named_twice_through_a_folder_or_a_link_is_one_file(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    path = write_workbook(landing / "hd.xlsx", ROWS)
    link = tmp_path / "lien_ket.xlsx"
    link.symlink_to(path)
    assert files_under([landing, path, path, link, tmp_path / "landing" / ".." / "landing" / "hd.xlsx"]) == [path]
    found = discover([path, landing, link, path], tmp_path / "none.duckdb")
    assert [f.name for f in found.fresh] == ["hd.xlsx"] and not found.duplicates


def test_a_file_gone_or_unreadable_after_discovery_is_rejected_with_the_reason(tmp_path, monkeypatch):
    gone = identify(write_workbook(tmp_path / "gone.xlsx", ROWS))
    gone.path.unlink()
    rejection = extract_workbook(gone).rejection
    assert rejection is not None and rejection.code == "vanished" and "deleted or moved" in rejection.reason_en
    locked = identify(write_workbook(tmp_path / "locked.xlsx", ROWS))
    refuse_to_open(monkeypatch, "locked.xlsx")
    rejection = extract_workbook(locked).rejection
    assert rejection is not None and rejection.code == "inaccessible" and "permission denied" in rejection.reason_en


def test_a_file_rewritten_while_it_is_being_read_is_rejected(tmp_path, monkeypatch):
    from etl.extract import submission

    path = write_workbook(tmp_path / "hd.xlsx", ROWS)
    discovered = identify(path)
    real = submission.read_sheets

    def read_while_replaced(where, limits=None):
        sheets = real(where, limits)
        write_workbook(path, [*ROWS, [2, "TP Chí Linh", "Xã Hưng Đạo", 6]])  # the province replaces it meanwhile
        return sheets
    monkeypatch.setattr(submission, "read_sheets", read_while_replaced)
    result = extract_workbook(discovered)
    assert result.rejection is not None and result.rejection.code == "changed" and not result.submissions


def test_broken_links_and_special_files_in_a_folder_are_handed_on_to_be_rejected(tmp_path):
    good = write_workbook(tmp_path / "good.xlsx", ROWS)
    (tmp_path / "broken.xlsx").symlink_to(tmp_path / "nowhere.xlsx")
    (tmp_path / "loop.xlsx").symlink_to(tmp_path / "loop.xlsx")
    os.mkfifo(tmp_path / "pipe.xlsx")  # opening it to hash it would wait for a writer forever
    found = discover([tmp_path], tmp_path / "none.duckdb")
    assert [f.path for f in found.fresh] == [good]
    problems = {file.name: error.strerror for file, error in found.unreadable}
    assert sorted(problems) == ["broken.xlsx", "loop.xlsx", "pipe.xlsx"]
    assert "broken link" in problems["broken.xlsx"] and "pipe" in problems["pipe.xlsx"]
