"""cax_nightly under a real scheduler (``airflow standalone``), started as ``make airflow`` starts it
(etl.airflow_local) in a temporary AIRFLOW_HOME on free ports: a night triggered for a logical date
loads six sample workbooks, and a backfill of three nights ends with the warehouse that ingesting
the same files directly gives. Every process it started is stopped, even when a test fails.

One scheduler for the module: starting it costs about half a minute.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from etl import reference
from etl.airflow_local import LocalAirflow, free_port
from etl.clock import to_vietnam
from etl.config import load_settings
from etl.pipeline import run_night
from etl.report import vn_number
from tests.builders import warehouse_checksums

pytestmark = pytest.mark.airflow

REPO = Path(__file__).resolve().parents[2]
DAG = "cax_nightly"
LEADERSHIP = "cax_leadership_extracts"  # scheduled on the Asset cax_warehouse that the night updates
NIGHT = "2021-04-24T01:00:00+07:00"  # the night of the April 2021 monthly reports (as of 23/4)
# Three nights of the backfill (01:00 Vietnam time, as scheduled); night k takes the ID-card
# workbooks that arrived the day before it.
BACKFILL = (date(2021, 5, 2), date(2021, 5, 3), date(2021, 5, 4))


def _pids() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def _session(pid: int) -> int | None:
    """The session of a live process; None for one ended (a zombie waiting to be reaped counts as ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return None if stat[stat.rindex(")") + 2] == "Z" else os.getsid(pid)
    except OSError:
        return None


def _arrive(path: Path, moment: str) -> None:
    """Give ``path`` the arrival time ``moment`` (its modification time, as the province's upload)."""
    stamp = datetime.fromisoformat(moment).timestamp()
    os.utime(path, (stamp, stamp))


@pytest.fixture(scope="module")
def night(april_landing, tmp_path_factory):
    """Six April 2021 monthly workbooks (plain ones: not broken, late, corrected nor a copy), arrived on
    23/4 before the night's 01:00 cut-off, in a folder of their own: they land once the scheduled
    night has run (see ``scheduler``); their truth."""
    source, truth = april_landing
    plain = [w for w in truth["workbooks"] if w["kind"] == "monthly_2021"
             and not any(w.get(k) for k in ("broken", "late", "corrects", "corrected_by", "copy_of"))]
    chosen = sorted(plain, key=lambda w: w["province_code"])[:6]
    root = tmp_path_factory.mktemp("scheduler")
    (root / "landing").mkdir()
    incoming = root / "incoming"
    incoming.mkdir()
    for w in chosen:
        shutil.copyfile(source / w["file"], incoming / w["file"])
        _arrive(incoming / w["file"], "2021-04-23T18:00:00+07:00")
    return root, chosen


@pytest.fixture(scope="module")
def scheduler(night):
    """A local Airflow on free ports, over the module's landing folder and var/, with its schedule on as
    ``make airflow`` has it: unpausing cax_nightly runs the latest night (01:00 today) at once, over
    an empty landing folder, and that night's publish starts cax_leadership_extracts. Stopped at the
    end whatever happened, and nothing of it may be left running."""
    root, _ = night
    local = LocalAirflow(home=root / "airflow", port=free_port(), worker_log_port=free_port(),
                         trigger_log_port=free_port())
    with pytest.MonkeyPatch.context() as env:
        # What the tasks read (etl.config): the scheduler passes its environment down to them.
        env.setenv("CAX_VAR", str(root / "var"))
        env.setenv("CAX_LANDING", str(root / "landing"))
        for name in ("CAX_WAREHOUSE", "CAX_PUBLISHED"):
            env.delenv(name, raising=False)
        leader = None
        try:
            process = local.up()
            leader = process.pid
            local.wait_for_dag(LEADERSHIP)
            local.wait_for_dag(DAG)
            local.wait_for_runs(DAG, {_first_run(local, DAG)["dag_run_id"]})
            yield local
        finally:
            left = local.down()
            if leader:
                process.wait(timeout=30)
            # Checked here too, not only by down(): no process left in the session `up` opened.
            strays = [pid for pid in _pids() if leader and _session(pid) == leader]
            assert not left and not strays, f"processes of the local Airflow still running: {left}, {strays}"


def _first_run(local: LocalAirflow, dag_id: str, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while not (runs := local.runs(dag_id)):
        if time.monotonic() > deadline:
            raise AssertionError(f"no run of {dag_id} within {timeout:.0f} s")
        time.sleep(3)
    return runs[0]


def test_unpausing_runs_the_latest_scheduled_night_on_an_empty_landing_folder(scheduler):
    [run] = scheduler.runs(DAG)
    assert (run["run_type"], run["state"]) == ("scheduled", "success")
    assert to_vietnam(datetime.fromisoformat(run["logical_date"])).time().isoformat() == "01:00:00"


def test_another_shell_with_only_airflow_home_sees_the_running_airflow(scheduler):
    """The README's commands in another shell need only AIRFLOW_HOME (and .venv/bin): the settings are
    in airflow.cfg, so `airflow dags test` there finds our DAGs folder, without the example DAGs, and
    `airflow dags list` shows our two DAGs (found in review: it looked in AIRFLOW_HOME/dags)."""
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "AIRFLOW_HOME": str(scheduler.home)}

    def airflow(*args: str) -> str:
        done = subprocess.run([str(Path(sys.executable).parent / "airflow"), *args], env=env,
                              capture_output=True, text=True, timeout=300, check=True)
        # The answer is the last line: Airflow logs a warning (no graphviz) on standard output first.
        return done.stdout.splitlines()[-1]

    assert airflow("config", "get-value", "core", "dags_folder") == str(REPO / "dags")
    assert airflow("config", "get-value", "core", "load_examples") == "False"
    assert airflow("config", "get-value", "core", "execution_api_server_url") == f"{scheduler.url}/execution/"
    assert sorted(d["dag_id"] for d in json.loads(airflow("dags", "list", "-o", "json"))) == sorted([DAG, LEADERSHIP])


@pytest.fixture(scope="module")
def april_night(scheduler, night):
    """The night of 24/4/2021, triggered for its logical date once its files have landed; its run."""
    root, _ = night
    for path in (root / "incoming").iterdir():
        os.replace(path, root / "landing" / path.name)
    return scheduler.wait_for_runs(DAG, {scheduler.trigger(DAG, NIGHT, "night-of-2021-04-24")})


def _expected(chosen: list[dict]) -> list[tuple[str, int, int, int]]:
    """Per province, from the generator's truth: communes staffed, officers, communes in scope on the
    unit list of 23/4/2021."""
    expected = []
    for w in chosen:
        rows = [r for r in w["sheets"]["01"]["rows"] if r.get("expect") != "quarantine" and r.get("in_scope", True)]
        in_scope = len(reference.communes("pre2025", w["province_code"], in_scope_only=True, on=date(2021, 4, 23)))
        expected.append((w["province_code"], sum(1 for r in rows if r["officers"] > 0),
                         sum(r["officers"] for r in rows), in_scope))
    return expected


def test_triggered_night_loads_the_six_workbooks(april_night, night):
    root, chosen = night
    assert [run["state"] for run in april_night] == ["success"]
    con = duckdb.connect(str(root / "var" / "published" / "warehouse.duckdb"), read_only=True)
    try:
        by_province = con.execute("""select province_code, communes_staffed, officers, communes_in_scope
                                     from mart.staffing_by_province order by province_code""").fetchall()
        national = con.execute("select provinces_reporting, officers from mart.national_staffing").fetchall()
    finally:
        con.close()
    expected = _expected(chosen)
    assert by_province == expected
    assert national == [(6, sum(e[2] for e in expected))]


def test_the_published_night_triggers_the_leadership_extracts_as_of_its_logical_date(scheduler, april_night,
                                                                                      night):
    """Each night's publish (the asset event) starts cax_leadership_extracts, whose as-of date is the
    Vietnam date of that night's logical date (from the event's source run), not the day it runs: the
    scheduled night of today, then the night of 24/4/2021."""
    root, chosen = night
    deadline = time.monotonic() + 180
    while len(runs := scheduler.runs(LEADERSHIP)) < 2 and time.monotonic() < deadline:
        time.sleep(3)
    assert [run["run_type"] for run in runs] == ["asset_triggered"] * 2
    scheduler.wait_for_runs(LEADERSHIP, {run["dag_run_id"] for run in runs})
    # Paused again: the backfill below would start one more run per night, for nothing.
    scheduler.api(f"dags/{LEADERSHIP}", "PATCH", {"is_paused": True})
    [today] = [to_vietnam(datetime.fromisoformat(r["logical_date"])).date() for r in scheduler.runs(DAG)
               if r["run_type"] == "scheduled"]
    extracts = root / "var" / "extracts"
    assert sorted(p.name for p in extracts.iterdir()) == sorted(("2021-04-24", today.isoformat()))
    assert sorted(p.name for p in (extracts / "2021-04-24").iterdir()) == [
        "BaoCao_2021-04-24.html", "BaoCao_2021-04-24.pdf", "TongHop_2021-04-24.xlsx"]
    # The night of 24/4/2021 had six provinces of 63: the brief says so, with their exact sum of officers.
    page = (extracts / "2021-04-24" / "BaoCao_2021-04-24.html").read_text(encoding="utf-8")
    officers = sum(officers for _, _, officers, _ in _expected(chosen))
    assert "6/63 tỉnh, thành phố đã báo cáo" in page and f"bố trí {vn_number(officers)} cán bộ" in page
    # Today's scheduled night found an empty landing folder: the brief says there is nothing yet.
    assert "Chưa có báo cáo bố trí Công an chính quy" in (
        extracts / today.isoformat() / f"BaoCao_{today.isoformat()}.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def id_cards(tmp_path_factory) -> dict[date, list[Path]]:
    """Two half-month ID-card workbooks (Biểu 03, April 2021) of each of three provinces, by night."""
    import json

    from samples import generate_samples
    from samples.kinds import ID_CARD_2021

    out = tmp_path_factory.mktemp("id-cards")
    generate_samples(out, seed=2021, kinds=(ID_CARD_2021,))
    april = [w for w in json.loads((out / "truth.json").read_text(encoding="utf-8"))["workbooks"]
             if w["date_to"] <= "2021-04-30"]
    provinces = sorted({w["province_code"] for w in april})[:len(BACKFILL)]
    return {day: [out / w["file"] for w in april if w["province_code"] == code]
            for day, code in zip(BACKFILL, provinces, strict=True)}


def _night(day: date) -> str:
    return f"{day.isoformat()}T01:00:00+07:00"


def test_backfill_ends_with_the_warehouse_of_a_direct_ingest(scheduler, april_night, night, id_cards, tmp_path):
    root, _ = night
    landing = root / "landing"
    # The ID-card workbooks arrive after the April night: each at noon on the day before its night.
    for day, files in id_cards.items():
        for f in files:
            shutil.copyfile(f, landing / f.name)
            _arrive(landing / f.name, f"{day - timedelta(days=1)}T12:00:00+07:00")
    runs = scheduler.backfill(DAG, _night(BACKFILL[0]), _night(BACKFILL[-1]))
    assert sorted((r["run_type"], datetime.fromisoformat(r["logical_date"])) for r in runs) == \
        [("backfill", datetime.fromisoformat(_night(day))) for day in BACKFILL]
    night_of_run = {r["dag_run_id"]: to_vietnam(datetime.fromisoformat(r["logical_date"])).date() for r in runs}

    con = duckdb.connect(str(root / "var" / "warehouse.duckdb"), read_only=True)
    try:
        taken = dict(con.execute("select file_name, run_id from audit.file").fetchall())
    finally:
        con.close()
    # Each night took the files that had arrived by its cut-off, and none of a later night's.
    arrived = {f.name: day for day, files in id_cards.items() for f in files}
    assert {name: night_of_run.get(run) for name, run in taken.items() if name in arrived} == arrived

    # The same files taken in directly, in one night, into a fresh warehouse.
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CAX_VAR", str(tmp_path / "direct"))
        run_night([landing], load_settings())
    assert warehouse_checksums(tmp_path / "direct" / "warehouse.duckdb", leave_out=("loaded_at",)) == \
        warehouse_checksums(root / "var" / "warehouse.duckdb", leave_out=("loaded_at",))


def test_rerunning_a_night_changes_nothing(scheduler, april_night, night):
    """The night of 24/4 run again under its own run id (a backfill that reprocesses completed runs, as
    the README shows): every dw table and mart view is as before, and audit.run shows the second
    attempt (its end moved) with nothing more loaded."""
    root, _ = night
    warehouse = root / "var" / "warehouse.duckdb"
    run_id = april_night[0]["dag_run_id"]

    def recorded() -> tuple:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return con.execute("select files_loaded, rows_loaded, finished_at from audit.run where run_id = ?",
                               [run_id]).fetchone()

    before, first = warehouse_checksums(warehouse), recorded()
    [rerun] = scheduler.backfill(DAG, NIGHT, NIGHT, "--reprocess-behavior", "completed")
    again = recorded()
    assert rerun["dag_run_id"] == run_id
    assert again[2] > first[2] and again[:2] == first[:2] and first[0] == 6
    assert warehouse_checksums(warehouse) == before
