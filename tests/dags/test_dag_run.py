"""cax_nightly run in-process (dag.test()) over the sample workbooks: the marts match the truth."""

from __future__ import annotations

import csv
from datetime import date

import duckdb
import pendulum
import pytest

from etl import reference

pytestmark = pytest.mark.airflow


@pytest.fixture
def cax_env(april_landing, tmp_path, monkeypatch):
    landing, truth = april_landing
    monkeypatch.setenv("CAX_VAR", str(tmp_path / "var"))
    monkeypatch.setenv("CAX_LANDING", str(landing))
    return tmp_path / "var", truth


def test_night_of_24_april_2021_loads_every_province(airflow_db, dagbag, cax_env):
    var, truth = cax_env
    dag = dagbag.dags["cax_nightly"]
    run = dag.test(logical_date=pendulum.datetime(2021, 4, 24, 1, tz="Asia/Ho_Chi_Minh"))
    assert str(run.state) in ("success", "DagRunState.SUCCESS")
    con = duckdb.connect(str(var / "published" / "warehouse.duckdb"), read_only=True)
    try:
        national = con.execute("""select provinces_reporting, communes_staffed, officers, communes_in_scope
                                  from mart.national_staffing""").fetchall()
        rejected = con.execute("select count(*) from audit.submission where status = 'loaded_with_errors'"
                               ).fetchone()[0]
        broken = con.execute("select count(*) from audit.file where status = 'rejected'").fetchone()[0]
    finally:
        con.close()
    # The night of 24/4 takes what arrived by 01:00 that night: not the late file nor the correction.
    cutoff = "2021-04-24T01:00:00+07:00"
    arrived = [w for w in truth["workbooks"] if w["modified"] <= cutoff and not w.get("broken")]
    rows = [r for w in arrived for r in w["sheets"]["01"]["rows"]
            if r.get("expect") != "quarantine" and r.get("in_scope", True)]
    assert len(arrived) == 62
    # Counted on the unit list in force on the reports' date (23/4/2021), without the late province.
    on = date(2021, 4, 23)
    late = next(w["province_code"] for w in truth["workbooks"] if w.get("late"))
    assert national == [(62, sum(1 for r in rows if r["officers"] > 0), sum(r["officers"] for r in rows),
                         len(reference.communes("pre2025", in_scope_only=True, on=on))
                         - len(reference.communes("pre2025", late, in_scope_only=True, on=on)))]
    assert rejected == sum(1 for w in arrived for s in w["sheets"].values()
                           if any(r.get("expect") == "quarantine" for r in s["rows"]))
    assert broken == sum(1 for w in truth["workbooks"] if w.get("broken"))
    # The data team's load summary of the run: every submission, each problem with its whole reason.
    [summary] = (var / "reports").glob("load_summary_*.csv")
    with summary.open(encoding="utf-8-sig", newline="") as f:
        listed = list(csv.DictReader(f))
    assert sum(r["status"] == "loaded_with_errors" for r in listed) == rejected
    assert all(r["reason"] for r in listed if r["status"] in ("loaded_with_errors", "rejected"))


def test_night_before_the_files_arrived_loads_nothing(airflow_db, dagbag, cax_env):
    var, _ = cax_env
    dag = dagbag.dags["cax_nightly"]
    run = dag.test(logical_date=pendulum.datetime(2021, 4, 23, 1, tz="Asia/Ho_Chi_Minh"))
    assert str(run.state) in ("success", "DagRunState.SUCCESS")
    con = duckdb.connect(str(var / "warehouse.duckdb"), read_only=True)
    try:
        assert con.execute("select count(*) from dw.fact_commune_staffing").fetchone()[0] == 0
    finally:
        con.close()
