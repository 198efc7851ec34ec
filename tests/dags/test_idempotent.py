"""Issue 11, item 4: re-running a night changes nothing. cax_nightly runs twice for the same logical
date over the sample night; every table of schema dw and every view of schema mart is the same after
the second run, which really ran (it is in audit.run, and took nothing in again)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pendulum
import pytest

pytestmark = pytest.mark.airflow


def checksums(warehouse: Path) -> dict[str, tuple[int, int]]:
    """Each table of dw and view of mart -> (rows, an order-independent hash of all its columns), listed
    from DuckDB's catalogue so a new table or view is covered without editing this test."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        names = [f"{schema}.{name}" for schema, name in con.execute(
            """select schema_name, table_name from duckdb_tables() where schema_name = 'dw'
               union all
               select schema_name, view_name from duckdb_views() where schema_name = 'mart' and not internal
               order by 1, 2""").fetchall()]
        # hash() of the whole row (as a struct); the sum does not depend on the order and counts repeats.
        return {name: con.execute(f"select count(*), coalesce(sum(hash(t)), 0)::varchar from {name} t").fetchone()
                for name in names}
    finally:
        con.close()


def test_a_night_run_again_changes_no_fact_nor_mart(airflow_db, dagbag, april_landing, tmp_path, monkeypatch):
    landing, _ = april_landing
    var = tmp_path / "var"
    monkeypatch.setenv("CAX_VAR", str(var))
    monkeypatch.setenv("CAX_LANDING", str(landing))
    dag = dagbag.dags["cax_nightly"]
    night = pendulum.datetime(2021, 4, 24, 1, tz="Asia/Ho_Chi_Minh")

    first = dag.test(logical_date=night)
    assert str(first.state) in ("success", "DagRunState.SUCCESS")
    before = checksums(var / "warehouse.duckdb")
    published_before = checksums(var / "published" / "warehouse.duckdb")
    # The test can fail: the night loaded staffing rows, and the marts are there.
    assert before["dw.fact_commune_staffing"][0] > 0
    assert any(name.startswith("mart.") for name in before) and before == published_before

    # dag.test() on a logical date that has a run deletes that run and starts a new one (new run id).
    second = dag.test(logical_date=night)
    assert str(second.state) in ("success", "DagRunState.SUCCESS") and second.run_id != first.run_id
    assert checksums(var / "warehouse.duckdb") == before
    assert checksums(var / "published" / "warehouse.duckdb") == before

    con = duckdb.connect(str(var / "warehouse.duckdb"), read_only=True)
    try:
        runs = dict(con.execute("select run_id, files_loaded from audit.run").fetchall())
        loaded_by_first = con.execute("select count(*) from audit.file where run_id = ?", [first.run_id]).fetchone()[0]
    finally:
        con.close()
    # Both runs ran to their end; the second found every file already taken in and loaded none.
    assert set(runs) == {first.run_id, second.run_id}
    assert runs[first.run_id] > 0 and runs[second.run_id] == 0 and loaded_by_first > 0
