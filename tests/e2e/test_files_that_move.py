"""Files that move during a night: one that vanishes, cannot be read or changes is rejected alone with
its reason, and the night goes on (the others load, the analysts' copy is published, exit 3);
byte-identical copies each get their own stage and record."""

from __future__ import annotations

import pytest

from etl.discover import discover
from etl.pipeline import run_night
from tests.builders import make_settings, query, refuse_to_open
from tests.builders import write_workbook as _write

pytestmark = pytest.mark.e2e

TITLE = [["CÔNG AN TỈNH HẢI DƯƠNG"], ["Tháng 4 năm 2021 (Số liệu tính đến ngày 23/4/2021)"],
         ["STT", "Huyện", "Xã, thị trấn", "Số CA chính quy"]]
ROWS = [*TITLE, [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", 5]]


def _officers(count: int) -> list[list[object]]:
    return [*TITLE, [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", count]]


def test_files_that_vanish_cannot_be_read_or_change_are_rejected_alone_and_the_night_publishes(tmp_path, monkeypatch):
    settings = make_settings(tmp_path)
    landing = settings.landing
    landing.mkdir(parents=True)
    _write(landing / "good.xlsx", ROWS)
    gone = _write(landing / "gone.xlsx", _officers(4))
    changed = _write(landing / "changed.xlsx", _officers(3))
    _write(landing / "locked.xlsx", _officers(2))
    with monkeypatch.context() as patch:
        refuse_to_open(patch, "locked.xlsx")
        found = discover([landing], settings.warehouse)
        gone.unlink()  # between discovery and reading
        _write(changed, _officers(6))
        result = run_night([landing], settings, found=found)
        assert result.exit_code == 3
        outcomes = {o.file_name: (o.status, o.reason or "") for o in result.outcomes}
        assert outcomes["good.xlsx"][0] == "loaded"
        assert outcomes["gone.xlsx"][0] == "rejected" and "deleted or moved" in outcomes["gone.xlsx"][1]
        assert outcomes["locked.xlsx"][0] == "rejected" and "permission denied" in outcomes["locked.xlsx"][1]
        assert outcomes["changed.xlsx"][0] == "rejected" and "changed after the night found it" in \
            outcomes["changed.xlsx"][1]
        assert settings.published.exists()
        assert query(settings.published, "select count(*) from dw.fact_commune_staffing") == [(1,)]
        # The next night, the file still locked: tried again (a passing reason), rejected again and still
        # recorded once; the changed file's new content is taken in.
        assert {(o.file_name, o.status) for o in run_night([landing], settings).outcomes} == {
            ("changed.xlsx", "loaded"), ("locked.xlsx", "rejected")}
        assert query(settings.warehouse, "select count(*) from audit.submission where file_name = 'locked.xlsx'") \
            == [(1,)]
    # Readable again: taken in by its content.
    later = run_night([landing], settings)
    assert {(o.file_name, o.status) for o in later.outcomes} == {("locked.xlsx", "loaded")}
    files = query(settings.warehouse, "select file_name, status from audit.file order by all")
    assert files == [("changed.xlsx", "loaded"), ("changed.xlsx", "rejected"), ("gone.xlsx", "rejected"),
                     ("good.xlsx", "loaded"), ("locked.xlsx", "loaded"), ("locked.xlsx", "rejected")]


def test_a_file_that_vanishes_while_discovery_lists_it_is_rejected_not_the_night(tmp_path, monkeypatch):
    from etl import discover as discover_module

    settings = make_settings(tmp_path)
    settings.landing.mkdir(parents=True)
    good = _write(settings.landing / "good.xlsx", ROWS)
    monkeypatch.setattr(discover_module, "files_under", lambda paths: [good, settings.landing / "gone.xlsx"])
    result = run_night([settings.landing], settings)
    assert result.exit_code == 3 and settings.published.exists()
    assert {(o.file_name, o.status) for o in result.outcomes} == {("good.xlsx", "loaded"), ("gone.xlsx", "rejected")}


def test_three_byte_identical_copies_in_one_night_are_one_load_and_two_duplicates(tmp_path):
    settings = make_settings(tmp_path)
    settings.landing.mkdir(parents=True)
    original = _write(settings.landing / "a.xlsx", ROWS)
    for name in ("b.xlsx", "c.xlsx"):
        (settings.landing / name).write_bytes(original.read_bytes())
    result = run_night([settings.landing], settings)
    assert result.exit_code == 0
    statuses = query(settings.warehouse, "select file_name, status from audit.submission order by file_name")
    assert statuses == [("a.xlsx", "loaded"), ("b.xlsx", "duplicate"), ("c.xlsx", "duplicate")]
    assert query(settings.warehouse, "select count(*) from audit.file") == [(3,)]
    assert run_night([settings.landing], settings).outcomes == []
