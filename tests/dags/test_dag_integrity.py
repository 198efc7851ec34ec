"""The DAG files parse, and cax_nightly and cax_leadership_extracts are wired as dags/README.md says."""

from __future__ import annotations

from datetime import timedelta

import pytest

pytestmark = pytest.mark.airflow

EXPECTED_TASKS = {"discover_files", "extract", "validate", "load_and_publish"}


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}
    assert {"cax_nightly", "cax_leadership_extracts"} <= set(dagbag.dag_ids)


def test_schedule_is_one_am_vietnam_time(dagbag):
    dag = dagbag.dags["cax_nightly"]
    assert dag.timetable.expression == "0 1 * * *"
    assert "Asia/Ho_Chi_Minh" in str(dag.timetable.timezone)
    assert dag.catchup is False and dag.max_active_runs == 1


def test_tags_and_retries(dagbag):
    from etl.alerts import on_failure

    for dag in (dagbag.dags["cax_nightly"], dagbag.dags["cax_leadership_extracts"]):
        assert "cax" in dag.tags
        for task_id, task in dag.task_dict.items():
            # Every task may retry a lock or an I/O error, 1, 2, 4 minutes apart; a bad workbook is an
            # outcome and any other error fails at once (etl.alerts.retry_only_transient), with an alert.
            assert (task.retries, task.retry_delay, task.max_retry_delay) == (
                3, timedelta(minutes=1), timedelta(minutes=15)), task_id
            assert task.retry_exponential_backoff == 2.0, task_id
            callbacks = task.on_failure_callback
            assert on_failure in (callbacks if isinstance(callbacks, list) else [callbacks]), task_id
    assert set(dagbag.dags["cax_nightly"].task_dict) == EXPECTED_TASKS


def test_the_writer_has_the_one_slot_pool_and_updates_the_asset(dagbag):
    dag = dagbag.dags["cax_nightly"]
    writers = {t.task_id for t in dag.tasks if t.pool == "duckdb_writer"}
    assert writers == {"load_and_publish"}
    assert [a.name for a in dag.task_dict["load_and_publish"].outlets] == ["cax_warehouse"]
    assert all(not t.outlets for t in dag.tasks if t.task_id != "load_and_publish")


def test_leadership_extracts_run_on_the_warehouse_asset(dagbag):
    dag = dagbag.dags["cax_leadership_extracts"]
    assert [asset.name for asset in dag.timetable.asset_condition.objects] == ["cax_warehouse"]
    assert set(dag.task_dict) == {"extract_for_leadership"}


def test_extraction_is_mapped_over_batches(dagbag):
    dag = dagbag.dags["cax_nightly"]
    extract = dag.task_dict["extract"]
    assert extract.is_mapped if hasattr(extract, "is_mapped") else type(extract).__name__ == "MappedOperator"
    assert extract.map_index_template == "{{ batch }}"
    assert dag.task_dict["validate"].upstream_task_ids == {"extract"}
    assert dag.task_dict["load_and_publish"].upstream_task_ids == {"validate"}


def test_the_night_is_cut_into_at_most_workers_batches_of_about_equal_bytes(tmp_path):
    """Issue 11: one mapped task per workbook cost 14-30 s each; at most CAX_WORKERS batches now."""
    from datetime import datetime

    from etl.discover import DiscoveredFile
    from etl.pipeline import batches

    sizes = [900, 100, 500, 400, 300, 300, 200, 200, 100]  # 3,000 bytes: 1,500 a batch at best
    files = [DiscoveredFile(tmp_path / f"f{i}.xlsx", f"{i:064x}", size, datetime(2021, 4, 24, 0, i), 0)
             for i, size in enumerate(sizes)]
    two = batches(files, 2)
    assert len(two) == 2 and sorted(f.path.name for b in two for f in b) == sorted(f.path.name for f in files)
    assert sorted(sum(f.size_bytes for f in b) for b in two) == [1500, 1500]
    # Each batch in arrival order; never more batches than files, never an empty one.
    assert all([f.received_at for f in b] == sorted(f.received_at for f in b) for b in two)
    assert [len(b) for b in batches(files[:1], 4)] == [1] and batches([], 2) == []


def _run_context(timetable, logical_date, run_after, manual: bool) -> dict:
    """The context keys a task gets (airflow.sdk.execution_time.task_runner), the data interval made
    by the installed Airflow as it makes it: for a manual trigger from the trigger time
    (api/common/trigger_dag.py), else from the timetable's run info."""
    from types import SimpleNamespace

    context = {"dag_run": SimpleNamespace(run_after=run_after, logical_date=logical_date)}
    if logical_date is not None:
        interval = timetable.infer_manual_data_interval(run_after=run_after) if manual else None
        context.update(logical_date=logical_date, data_interval_start=interval.start if interval else logical_date,
                       data_interval_end=interval.end if interval else logical_date)
    return context


def test_the_cut_off_is_the_logical_date_of_every_kind_of_run(dagbag):
    """Issue 11, item 3: a run for a past night takes that night's files, whatever kind of run it is."""
    from datetime import datetime

    import pendulum
    from airflow.serialization.encoders import coerce_to_core_timetable
    from airflow.timetables.base import TimeRestriction

    from tests.dags.conftest import dag_module

    night_cutoff = dag_module("cax_nightly").night_cutoff
    timetable = coerce_to_core_timetable(dagbag.dags["cax_nightly"].timetable)
    vn = pendulum.timezone("Asia/Ho_Chi_Minh")
    night = pendulum.datetime(2021, 4, 24, 1, tz=vn)
    trigger_time = pendulum.datetime(2026, 12, 6, 9, 30, tz="UTC")  # 16:30 in Vietnam

    # Scheduled, and each night of a backfill: the timetable's tick, with run_after the same tick.
    info = timetable.next_dagrun_info(
        last_automated_data_interval=None,
        restriction=TimeRestriction(earliest=pendulum.datetime(2021, 4, 23, 12, tz=vn), latest=None, catchup=True))
    assert info.logical_date == night and info.run_after == night
    assert night_cutoff(_run_context(timetable, info.logical_date, info.run_after, manual=False)) == \
        datetime(2021, 4, 24, 1, 0)

    # `airflow dags trigger --logical-date 2021-04-24T01:00:00+07:00`: the data interval ends when it was
    # triggered (the cut-off used to be taken from there: every file of both eras).
    manual = _run_context(timetable, night, trigger_time, manual=True)
    assert manual["data_interval_end"] == trigger_time
    assert night_cutoff(manual) == datetime(2021, 4, 24, 1, 0)

    # A manual run without a logical date: the moment it was asked for, Vietnam time.
    assert night_cutoff(_run_context(timetable, None, trigger_time, manual=True)) == datetime(2026, 12, 6, 16, 30)
    assert night_cutoff({"logical_date": None, "dag_run": _run_context(timetable, None, trigger_time, True)["dag_run"]}
                        ) == datetime(2026, 12, 6, 16, 30)
