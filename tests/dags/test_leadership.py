"""cax_leadership_extracts: the as-of date comes from the night behind the asset event, and the DAG
writes the leadership extracts (cax extract) as of that date from the analysts' copy."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from types import SimpleNamespace

import pendulum
import pytest

pytestmark = pytest.mark.airflow

VN = pendulum.timezone("Asia/Ho_Chi_Minh")


def _as_of_date():
    from tests.dags.conftest import dag_module

    return dag_module("cax_leadership_extracts").as_of_date


def _event(at: datetime, logical_date: datetime | None, run_after: datetime | None = None, source: bool = True):
    """An asset event as the task SDK gives it (AssetEventDagRunReferenceResult): its timestamp and the
    source run (logical_date, run_after), None for an event not made by a DAG run."""
    run = SimpleNamespace(logical_date=logical_date, run_after=run_after or at) if source else None
    return SimpleNamespace(timestamp=at, source_dag_run=run)


def test_the_as_of_date_is_the_night_of_the_run_that_published():
    as_of_date = _as_of_date()
    published = pendulum.datetime(2026, 12, 6, 2, tz="UTC")
    # The night of 24/4/2021 (01:00 Vietnam is 18:00 UTC the day before): its Vietnam date.
    night = pendulum.datetime(2021, 4, 23, 18, tz="UTC")
    assert as_of_date({"triggering_asset_events": {"cax_warehouse": [_event(published, night)]}}) == date(2021, 4, 24)
    # Several events: the latest one's night.
    older = _event(pendulum.datetime(2026, 12, 5, 2, tz="UTC"), pendulum.datetime(2021, 4, 1, 1, tz=VN))
    assert as_of_date({"triggering_asset_events": {"cax_warehouse": [older, _event(published, night)]}}) \
        == date(2021, 4, 24)
    # A manual cax_nightly run without a logical date: the day it was asked for (Vietnam), 6/12 09:30 here.
    assert as_of_date({"triggering_asset_events": {"cax_warehouse": [_event(published, None)]}}) == date(2026, 12, 6)


def test_without_a_night_behind_the_event_the_as_of_date_is_today():
    from etl.clock import now_vietnam

    as_of_date = _as_of_date()
    today = now_vietnam().date()
    assert as_of_date({}) == today
    assert as_of_date({"triggering_asset_events": {}}) == today
    no_source = _event(pendulum.datetime(2026, 12, 6, 2, tz="UTC"), None, source=False)
    assert as_of_date({"triggering_asset_events": {"cax_warehouse": [no_source]}}) == today


def test_the_dag_writes_the_extracts_as_of_its_date(airflow_db, dagbag, april_landing, tmp_path, monkeypatch):
    from etl.clock import now_vietnam
    from etl.config import load_settings
    from etl.pipeline import run_night

    landing, truth = april_landing
    chosen = [w for w in truth["workbooks"] if not w.get("broken") and not w.get("late")
              and not any(r.get("expect") == "quarantine" for s in w["sheets"].values() for r in s["rows"])][:3]
    night = tmp_path / "landing"
    night.mkdir()
    for workbook in chosen:
        shutil.copy2(landing / workbook["file"], night / workbook["file"])
    monkeypatch.setenv("CAX_VAR", str(tmp_path / "var"))
    monkeypatch.setenv("CAX_LANDING", str(night))
    run_night([night], load_settings())

    run = dagbag.dags["cax_leadership_extracts"].test()
    assert str(run.state) in ("success", "DagRunState.SUCCESS")
    # dag.test() has no asset event behind it: as of today.
    day = now_vietnam().date().isoformat()
    folder = tmp_path / "var" / "extracts" / day
    assert sorted(p.name for p in folder.iterdir()) == [f"BaoCao_{day}.html", f"BaoCao_{day}.pdf",
                                                        f"TongHop_{day}.xlsx"]
    # Today is in the era of the 34 provinces, none of which has reported: the brief says so and never
    # leads with the three provinces' figures of April 2021 (the night of 24/4/2021 is checked under the
    # real scheduler, tests/dags/test_scheduler.py).
    page = (folder / f"BaoCao_{day}.html").read_text(encoding="utf-8")
    assert "Chưa có báo cáo bố trí Công an chính quy của 34 tỉnh, thành phố (từ 1/7/2025)" in page
    assert "4/2021" not in page
