"""The DAG files parse, and cax_nightly is wired as the contract in docs/design.md says."""

from __future__ import annotations

from datetime import timedelta

import pytest

pytestmark = pytest.mark.airflow

EXPECTED_TASKS = {"discover_files", "extract", "validate", "load", "feedback", "publish"}


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}
    assert "cax_nightly" in dagbag.dag_ids


def test_schedule_is_one_am_vietnam_time(dagbag):
    dag = dagbag.dags["cax_nightly"]
    assert dag.timetable.expression == "0 1 * * *"
    assert "Asia/Ho_Chi_Minh" in str(dag.timetable.timezone)
    assert dag.catchup is False and dag.max_active_runs == 1


def test_tags_and_retries(dagbag):
    dag = dagbag.dags["cax_nightly"]
    assert {"cax", "nightly"} <= set(dag.tags)
    assert set(dag.task_dict) == EXPECTED_TASKS
    for task_id, task in dag.task_dict.items():
        # A bad workbook is an outcome, not a fault: extraction is never retried on it.
        expected = 0 if task_id == "extract" else 2
        assert task.retries == expected, task_id
        if expected:
            assert task.retry_delay == timedelta(minutes=5)


def test_writers_share_the_one_slot_pool(dagbag):
    dag = dagbag.dags["cax_nightly"]
    writers = {t.task_id for t in dag.tasks if t.pool == "duckdb_writer"}
    assert writers == {"load", "feedback", "publish"}
    assert [a.name for a in dag.task_dict["publish"].outlets] == ["cax_warehouse"]
    assert dag.task_dict["load"].outlets == []


def test_extraction_is_mapped_over_batches(dagbag):
    dag = dagbag.dags["cax_nightly"]
    extract = dag.task_dict["extract"]
    assert extract.is_mapped if hasattr(extract, "is_mapped") else type(extract).__name__ == "MappedOperator"
    assert extract.map_index_template == "{{ batch }}"
    assert dag.task_dict["validate"].upstream_task_ids == {"extract"}
    assert dag.task_dict["feedback"].upstream_task_ids == {"validate", "load"}
    assert dag.task_dict["publish"].upstream_task_ids == {"feedback"}


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
