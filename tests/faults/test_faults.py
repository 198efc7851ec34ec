"""Faults of the loader itself: killed halfway, two at once, a read-only warehouse, a full disk.
None may leave the warehouse half-written or write anything twice."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from etl.config import Settings
from etl.load.warehouse import WarehouseError
from etl.pipeline import run_night
from tests.builders import make_settings

pytestmark = pytest.mark.e2e

RELATIONS = ("dw.fact_commune_staffing", "dw.fact_security_activity", "dw.fact_id_card_applications",
             "dw.fact_id_card_target", "dw.fact_commendation", "mart.staffing_by_province", "mart.national_staffing",
             "mart.security_activity", "mart.national_security_activity", "mart.commendations",
             "mart.national_commendations", "mart.id_card_progress", "mart.national_id_card_progress",
             "mart.indicators", "mart.national_indicators", "mart.reporting_completeness")
NIGHT = """
import sys
from pathlib import Path
from etl.config import Settings
from etl.pipeline import run_night
root = Path(sys.argv[1])
run_night([Path(sys.argv[2])], Settings(root / "warehouse.duckdb", Path(sys.argv[2]), root / "published.duckdb", root))
"""


def checksums(warehouse: Path) -> dict[str, str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {r: hashlib.sha256(repr(con.execute(f"select * from {r} order by all").fetchall()).encode()
                                  ).hexdigest() for r in RELATIONS}
    finally:
        con.close()


def _files_recorded(warehouse: Path) -> int:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("select count(*) from audit.file").fetchone()[0]
    except duckdb.CatalogException:  # killed before the schema was made
        return 0
    finally:
        con.close()


def _night_process(root: Path, landing: Path, **env: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", NIGHT, str(root), str(landing)], env={**os.environ, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def reference_night(april_landing, tmp_path_factory):
    """The same files loaded by one uninterrupted night."""
    landing, _ = april_landing
    settings = make_settings(tmp_path_factory.mktemp("uninterrupted"))
    run_night([landing], settings)
    return checksums(settings.warehouse)


def test_a_loader_killed_halfway_then_rerun_equals_an_uninterrupted_night(april_landing, reference_night, tmp_path):
    landing, truth = april_landing
    # Kill while submissions are being loaded: a new warehouse first builds its reference side (every
    # dated unit list, a few seconds on a busy machine), so later moments are tried too. Two files a
    # transaction (by default these would load in one): there are moments between batches to kill it in.
    for delay in (1.5, 2.5, 1.0, 3.5, 0.5, 5.0, 7.0, 10.0):
        root = tmp_path / f"killed-{delay}"
        night = _night_process(root, landing, CAX_LOAD_BATCH_FILES="2")
        while not list(root.glob("staging/*/validated/files.json")):
            assert night.poll() is None, night.stderr.read() if night.stderr else ""
            time.sleep(0.05)
        time.sleep(delay)
        night.send_signal(signal.SIGKILL)
        night.wait()
        if (root / "warehouse.duckdb").exists() and 0 < _files_recorded(root / "warehouse.duckdb") < len(
                truth["workbooks"]):
            break
    else:
        pytest.fail("could not kill the loader while it was loading")
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        # Each file whole or absent: no submission, quarantined row or fact without its file recorded.
        for table in ("audit.submission", "audit.quarantine", "dw.fact_commune_staffing", "dw.fact_security_activity",
                      "dw.fact_commendation"):
            assert con.execute(f"""
                select count(*) from {table} t join audit.submission s using (submission_id)
                where not exists (select 1 from audit.file f where f.sha256 = s.sha256 and f.file_name = s.file_name)
                """).fetchone() == (0,), table
        assert con.execute("select count(*) from audit.file f where not exists (select 1 from audit.submission s"
                           " where s.sha256 = f.sha256 and s.file_name = f.file_name)").fetchone() == (0,)
    finally:
        con.close()
    # The night again, on the same warehouse: it takes in what the killed loader had not.
    rerun = run_night([landing], Settings(root / "warehouse.duckdb", landing, root / "published.duckdb", root))
    assert rerun.outcomes and rerun.already_taken_in > 0
    assert checksums(root / "warehouse.duckdb") == reference_night
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        assert con.execute("select count(*) - count(distinct submission_id) from audit.submission").fetchone() == (0,)
        assert con.execute("select count(*) from audit.file").fetchone() == (len(truth["workbooks"]),)
    finally:
        con.close()


def test_two_loaders_at_once_write_nothing_twice(april_landing, reference_night, tmp_path):
    landing, truth = april_landing
    first, second = _night_process(tmp_path, landing), _night_process(tmp_path, landing)
    assert first.wait(timeout=300) == 0, first.stderr.read()
    assert second.wait(timeout=300) == 0, second.stderr.read()
    assert checksums(tmp_path / "warehouse.duckdb") == reference_night
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    try:
        assert con.execute("select count(*), count(distinct sha256 || file_name) from audit.file").fetchone() == (
            len(truth["workbooks"]), len(truth["workbooks"]))
        assert con.execute("select count(*) - count(distinct submission_id) from audit.submission").fetchone() == (0,)
    finally:
        con.close()


def test_a_loader_that_cannot_get_the_lock_fails_cleanly(april_landing, tmp_path, monkeypatch):
    landing, _ = april_landing
    settings = make_settings(tmp_path)
    settings.warehouse.parent.mkdir(parents=True)
    holder = duckdb.connect(str(settings.warehouse))  # another process would hold it the same way
    try:
        monkeypatch.setenv("CAX_LOCK_WAIT_S", "1")
        blocked = subprocess.run([sys.executable, "-m", "etl.cli", "ingest", str(landing), "--warehouse",
                                  str(settings.warehouse)], capture_output=True, text=True,
                                 env={**os.environ, "CAX_VAR": str(tmp_path / "var2"), "CAX_LOCK_WAIT_S": "1"})
    finally:
        holder.close()
    assert blocked.returncode == 1
    assert "another process is using the warehouse" in blocked.stdout and "Traceback" not in blocked.stdout + \
        blocked.stderr
    assert duckdb.connect(str(settings.warehouse), read_only=True).execute(
        "select count(*) from information_schema.tables where table_schema = 'dw'").fetchone() == (0,)


HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("held", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def test_every_read_of_a_night_waits_while_another_loader_writes(tmp_path, monkeypatch):
    """Discovery, the previous periods, the feedback and the reports read the warehouse while another
    process may be loading it: DuckDB refuses a reader beside a writer, so each waits for the writer."""
    from etl.load.warehouse import read, scalar, writer

    warehouse = tmp_path / "warehouse.duckdb"
    with writer(warehouse, {"monthly": 5, "daily": 16}):
        pass
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(warehouse), "3"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        monkeypatch.setenv("CAX_LOCK_WAIT_S", "60")
        started = time.monotonic()
        assert read(warehouse, lambda conn: scalar(conn, "select count(*) from audit.file")) == 0
        assert time.monotonic() - started > 1  # it waited for the writer, rather than failing at once
    finally:
        holder.wait(timeout=60)


def test_a_read_only_warehouse_gives_a_clear_error_and_changes_nothing(april_landing, tmp_path):
    landing, _ = april_landing
    settings = make_settings(tmp_path)
    first = sorted(landing.glob("*.xls*"))[:3]
    run_night(first, settings)
    before = checksums(settings.warehouse)
    if subprocess.run(["chattr", "+i", str(settings.warehouse)], capture_output=True).returncode != 0:
        pytest.skip("this file system cannot make a file immutable (chattr +i)")
    try:
        with pytest.raises(WarehouseError, match="cannot be written"):
            run_night([landing], settings)
    finally:
        subprocess.run(["chattr", "-i", str(settings.warehouse)], check=True)
    assert checksums(settings.warehouse) == before


@pytest.fixture
def small_disk(tmp_path):
    """Mounts a small file system (tmpfs) of a given size for the warehouse alone; skipped where
    mounting is not allowed."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = []

    def mount(size_bytes: int) -> Path:
        if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_bytes}", "tmpfs", str(disk)],
                          capture_output=True).returncode != 0:
            pytest.skip("cannot mount a small file system here (needs root)")
        mounted.append(disk)
        return disk

    try:
        yield mount
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_full_disk_gives_a_clear_error_and_no_partial_load(april_landing, tmp_path, small_disk):
    landing, truth = april_landing
    seed = Settings(tmp_path / "seed.duckdb", landing, tmp_path / "published.duckdb", tmp_path / "var")
    run_night(sorted(landing.glob("*.xls*"))[:2], seed)
    # The seed (its size grows with the reference history of unit lists), copied into a disk with
    # 1 MB to spare: the disk is nearly full, and the night's other files cannot all fit.
    disk = small_disk(seed.warehouse.stat().st_size + 1024 * 1024)
    shutil.copyfile(seed.warehouse, disk / "warehouse.duckdb")
    settings = Settings(disk / "warehouse.duckdb", landing, tmp_path / "published.duckdb", tmp_path / "var")
    with pytest.raises(WarehouseError, match="disk holding .* is full"):
        run_night([landing], settings)
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        # Every submission recorded is whole: its facts are all there, and no fact lacks its record.
        for table, key in (("dw.fact_commune_staffing", "01"), ("dw.fact_security_activity", "02"),
                           ("dw.fact_commendation", "04")):
            counts = con.execute(f"""
                select s.submission_id, s.rows_loaded, count(f.submission_id)
                from audit.submission s left join {table} f using (submission_id)
                where s.submission_id like '%-{key}' and s.status in ('loaded', 'loaded_with_errors')
                group by all""").fetchall()
            assert counts and all(loaded == found for _, loaded, found in counts), table
            assert con.execute(f"select count(*) from {table} where submission_id not in "
                               "(select submission_id from audit.submission)").fetchone() == (0,)
    finally:
        con.close()
