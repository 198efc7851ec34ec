"""Issue 11, item 4: re-running a night changes nothing. cax_nightly runs twice for the same logical
date over the sample night; every table of schema dw and every view of schema mart is the same after
the second run, which really ran (it is in audit.run, and took nothing in again)."""

from __future__ import annotations

import duckdb
import pendulum
import pytest

from tests.builders import query, warehouse_checksums

pytestmark = pytest.mark.airflow


def test_a_night_run_again_changes_no_fact_nor_mart(airflow_db, dagbag, april_landing, tmp_path, monkeypatch):
    landing, _ = april_landing
    var = tmp_path / "var"
    monkeypatch.setenv("CAX_VAR", str(var))
    monkeypatch.setenv("CAX_LANDING", str(landing))
    dag = dagbag.dags["cax_nightly"]
    night = pendulum.datetime(2021, 4, 24, 1, tz="Asia/Ho_Chi_Minh")

    first = dag.test(logical_date=night)
    assert str(first.state) in ("success", "DagRunState.SUCCESS")
    before = warehouse_checksums(var / "warehouse.duckdb")
    published_before = warehouse_checksums(var / "published" / "warehouse.duckdb")
    # The test can fail: the night loaded staffing rows, and the marts are there.
    assert query(var / "warehouse.duckdb", "select count(*) from dw.fact_commune_staffing")[0][0] > 0
    assert "dw.fact_commune_staffing" in before
    assert any(name.startswith("mart.") for name in before) and before == published_before

    # dag.test() on a logical date that has a run deletes that run and starts a new one (new run id).
    second = dag.test(logical_date=night)
    assert str(second.state) in ("success", "DagRunState.SUCCESS") and second.run_id != first.run_id
    assert warehouse_checksums(var / "warehouse.duckdb") == before
    assert warehouse_checksums(var / "published" / "warehouse.duckdb") == before

    con = duckdb.connect(str(var / "warehouse.duckdb"), read_only=True)
    try:
        runs = dict(con.execute("select run_id, files_loaded from audit.run").fetchall())
        loaded_by_first = con.execute("select count(*) from audit.file where run_id = ?", [first.run_id]).fetchone()[0]
    finally:
        con.close()
    # Both runs ran to their end; the second found every file already taken in and loaded none.
    assert set(runs) == {first.run_id, second.run_id}
    assert runs[first.run_id] > 0 and runs[second.run_id] == 0 and loaded_by_first > 0
