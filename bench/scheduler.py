"""What the real scheduler adds to a night: one ``cax_nightly`` run under ``airflow standalone`` (as
``make airflow`` starts it; start-up not counted), from the trigger to its success, against ``cax
ingest`` of the same files in a fresh warehouse. The goal is at most 60 s more (issue 11).

Run alone with ``python bench/scheduler.py LANDING`` or as a part of ``bench/run.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from unittest.mock import patch

from etl.airflow_local import LocalAirflow, free_port

GOAL_S = 60.0


def _ingest(landing: Path, var: Path) -> float:
    """Wall seconds of ``cax ingest LANDING`` (a process of its own, as a person runs it)."""
    env = {**os.environ, "CAX_VAR": str(var)}
    for name in ("CAX_WAREHOUSE", "CAX_PUBLISHED", "CAX_LANDING"):
        env.pop(name, None)
    start = time.perf_counter()
    done = subprocess.run([str(Path(sys.executable).parent / "cax"), "ingest", str(landing)], env=env,
                          stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 3):  # 3: a row quarantined or a file rejected, as in the samples
        raise RuntimeError(f"cax ingest failed ({done.returncode})")
    return seconds


def _scheduled(landing: Path, root: Path) -> tuple[float, float]:
    """Seconds to start the local Airflow and parse the DAG (not counted), and of one cax_nightly run
    from its trigger to its success, over ``landing`` into a fresh var/ under ``root``."""
    local = LocalAirflow(home=root / "airflow", port=free_port(), worker_log_port=free_port(),
                         trigger_log_port=free_port(), schedule=False)
    with patch.dict(os.environ, {"CAX_VAR": str(root / "var"), "CAX_LANDING": str(landing)}):
        os.environ.pop("CAX_WAREHOUSE", None)
        os.environ.pop("CAX_PUBLISHED", None)
        return _timed_night(local)


def _timed_night(local: LocalAirflow) -> tuple[float, float]:
    try:
        start = time.perf_counter()
        local.up()
        local.wait_for_dag("cax_nightly")
        started = time.perf_counter() - start
        # A night whose cut-off is now: it takes every file, as `cax ingest` does.
        night = datetime.now(UTC).replace(microsecond=0).isoformat()
        start = time.perf_counter()
        local.wait_for_runs("cax_nightly", {local.trigger("cax_nightly", night, "bench")}, timeout=3600)
        return started, time.perf_counter() - start
    finally:
        left = local.down()
        if left:
            print(f"still running after the bench: {left}", file=sys.stderr)


def _submissions(warehouse: Path) -> int:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("select count(*) from dw.dim_submission").fetchone()[0]
    finally:
        con.close()


def scheduler_rows(landing: Path, root: Path) -> list[tuple[str, float, str]]:
    """The bench table's rows: cax ingest, the scheduler's start-up, its run, and the difference."""
    files = sum(1 for f in landing.iterdir() if f.name != "truth.json")
    ingest = _ingest(landing, root / "direct")
    started, run = _scheduled(landing, root / "scheduled")
    verdict = "within" if run - ingest <= GOAL_S else "over"
    # Both nights must have loaded the same: a fast run that took nothing proves nothing.
    direct, scheduled = (_submissions(root / name / "warehouse.duckdb") for name in ("direct", "scheduled/var"))
    return [("cax ingest (own process, fresh warehouse)", ingest, f"{files} files, {direct} submissions"),
            ("local Airflow start-up + DAG parsed (not counted)", started, ""),
            ("cax_nightly under the scheduler, trigger to success", run,
             f"{files} files, {scheduled} submissions" + ("" if scheduled == direct else " (NOT the same night)")),
            ("scheduler minus cax ingest", run - ingest,
             f"x{run / ingest:.2f}; {verdict} the goal of +{GOAL_S:.0f} s")]


def main() -> None:
    import tempfile

    landing = Path(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        for label, seconds, note in scheduler_rows(landing, Path(tmp)):
            print(f"{label:55}  {seconds:8.2f}  {note}")


if __name__ == "__main__":
    main()
