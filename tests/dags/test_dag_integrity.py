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


def test_extraction_is_mapped_per_workbook(dagbag):
    dag = dagbag.dags["cax_nightly"]
    extract = dag.task_dict["extract"]
    assert extract.is_mapped if hasattr(extract, "is_mapped") else type(extract).__name__ == "MappedOperator"
    assert extract.map_index_template == "{{ workbook }}"
    assert dag.task_dict["validate"].upstream_task_ids == {"extract"}
    assert dag.task_dict["feedback"].upstream_task_ids == {"validate", "load"}
    assert dag.task_dict["publish"].upstream_task_ids == {"feedback"}
