"""What the real scheduler adds: one ``cax_nightly`` run under ``airflow standalone`` (started as ``make
airflow`` starts it, etl.airflow_local), and a week of nights through ``airflow backfill create``, each
against ``cax ingest`` of the same files in a process of its own. Every side starts from a fresh
warehouse, and both sides must have loaded the same submissions: a fast run that took nothing proves
nothing. The goal (issue 13) is the scheduled night at most 1.5 times the CLI.

Start-up (migrating the metadata database, starting every component, the first parse of the DAGs) is
timed apart and not counted. Each task instance is split into phases from the metadata (through the
REST API) and its own log, to show where a task's seconds go:

- ``wait_s``: from scheduled (its upstream done) to started: the scheduler's loop, the executor's queue
  and the supervisor's fork;
- ``startup_s``: the supervisor telling the API the task started, the task process receiving its orders
  and parsing the DAG file (``parse_s``, a part of it);
- ``body_s``: the task's function: the imports in its body and the work;
- ``finish_s``: the return value pushed and the state recorded.

Alone (each folder is made or reused under var/bench/scheduler/):

    python bench/scheduler.py night LANDING    # one night over LANDING
    python bench/scheduler.py week             # bench/datasets.py's week when it is there, else a
                                               # stand-in week of the samples' ID-card workbooks

Called by ``bench/run.py`` as ``scheduled_night(landing, root)`` and ``backfill_week(landing, nights, root)``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest.mock import patch

from etl.airflow_local import AirflowError, LocalAirflow, free_port

DAG = "cax_nightly"
GOAL_RATIO = 1.5  # the scheduled night at most 1.5 times the CLI (issue 13)
REPO = Path(__file__).resolve().parents[1]
# What cax ingest exits with when a row was quarantined or a file rejected, as in the samples.
PARTLY_LOADED = 3


# -- the CLI side -----------------------------------------------------------------------------------

def ingest(landing: Path, var: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds (its processes' user and system time) of ``cax ingest LANDING`` into
    a fresh warehouse under ``var`` (a process of its own, as a person runs it)."""
    shutil.rmtree(var, ignore_errors=True)
    env = {**os.environ, "CAX_VAR": str(var)}
    for name in ("CAX_WAREHOUSE", "CAX_PUBLISHED", "CAX_LANDING"):
        env.pop(name, None)
    cpu, start = _children_cpu(), time.perf_counter()
    done = subprocess.run([str(Path(sys.executable).parent / "cax"), "ingest", str(landing)], env=env,
                          stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, PARTLY_LOADED):
        raise RuntimeError(f"cax ingest {landing} failed ({done.returncode})")
    return seconds, _children_cpu() - cpu


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def airflow_cpu(local: LocalAirflow) -> float:
    """CPU seconds used so far by the processes of ``local`` (every component, worker and task: those
    ended count in the process that waited for them). On a shared machine the CPU time of a night is
    steadier than its wall time, which the other jobs stretch."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for pid in local.processes():
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        # After the command's closing parenthesis: utime, stime, cutime, cstime are fields 12 to 15.
        total += sum(int(f) for f in stat[stat.rindex(")") + 2:].split()[11:15])
    return total / tick


def submissions(warehouse: Path) -> list[tuple]:
    """What a night made of every submission: id (from the file's bytes and the sheet), status and row
    counts, in a fixed order; two warehouses that took in the same files hold the same list."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("""select submission_id, status, rows_read, rows_loaded, rows_quarantined
                              from audit.submission order by all""").fetchall()
    finally:
        con.close()


def _same_night(cli: Path, scheduled: Path) -> int:
    """The submissions both warehouses hold; RuntimeError naming the first difference when they differ."""
    direct, under_airflow = submissions(cli), submissions(scheduled)
    if direct != under_airflow:
        only = sorted(set(direct) ^ set(under_airflow))[:3]
        raise RuntimeError(f"the scheduler and cax ingest loaded different nights ({len(under_airflow)} "
                           f"against {len(direct)} submissions; first differences: {only})")
    if not direct:
        raise RuntimeError("neither side loaded a submission: nothing was measured")
    return len(direct)


# -- the scheduler side ----------------------------------------------------------------------------

@contextmanager
def running_airflow(landing: Path, root: Path) -> Iterator[tuple[LocalAirflow, float]]:
    """A local Airflow on free ports over ``landing``, with its home and its var/ (warehouse, staging)
    fresh under ``root``, its schedule off (only the runs asked for); the Airflow and the seconds it
    took to start and to parse cax_nightly. Every process it started is stopped on the way out."""
    for folder in ("airflow", "var"):
        shutil.rmtree(root / folder, ignore_errors=True)
    local = LocalAirflow(home=root / "airflow", port=free_port(), worker_log_port=free_port(),
                         trigger_log_port=free_port(), schedule=False)
    settings = {"CAX_VAR": str(root / "var"), "CAX_LANDING": str(landing)}
    with patch.dict(os.environ, settings):
        for name in ("CAX_WAREHOUSE", "CAX_PUBLISHED"):
            os.environ.pop(name, None)
        try:
            start = time.perf_counter()
            local.up()
            local.wait_for_dag(DAG)
            yield local, time.perf_counter() - start
        finally:
            left = local.down()
            if left:
                print(f"still running after the bench: {left}", file=sys.stderr)


def _moment(stamp: str | None) -> float | None:
    """An API or log timestamp (ISO 8601, UTC) -> seconds since the epoch."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() if stamp else None


def _log_events(local: LocalAirflow, run_id: str, task: dict) -> dict[str, float]:
    """When the task process had parsed the DAG (and how long the parse took), entered and left the
    task's function: from its log (one JSON object a line); those not found are left out."""
    folder = local.home / "logs" / f"dag_id={DAG}" / f"run_id={run_id}" / f"task_id={task['task_id']}"
    if task["map_index"] >= 0:
        folder /= f"map_index={task['map_index']}"
    path = folder / f"attempt={task['try_number']}.log"
    events: dict[str, float] = {}
    if not path.exists():
        return events
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        event, moment = str(entry.get("event", "")), _moment(entry.get("timestamp"))
        if event == "Worker startup parse complete":
            events.setdefault("parsed", moment)
            events.setdefault("parse_s", entry.get("dag_file_parse_ms", 0) / 1000)
        elif event == "::endgroup::" and "parsed" in events:
            events.setdefault("body", moment)
        elif event.startswith("Done. Returned value"):
            events.setdefault("done", moment)
    return events


def _span(events: dict[str, float | None], first: str, last: str) -> float | None:
    if events.get(first) is None or events.get(last) is None:
        return None
    return round(events[last] - events[first], 3)


def task_phases(local: LocalAirflow, run_id: str) -> list[dict]:
    """Every task instance of the run, in the order they started: its duration and its phases (see the
    module's docstring), in seconds."""
    found = _task_instances(local, run_id)
    phases = []
    for task in sorted(found, key=lambda t: (t["start_date"] or "", t["map_index"])):
        events = {"scheduled": _moment(task["scheduled_when"]), "started": _moment(task["start_date"]),
                  "ended": _moment(task["end_date"]), **_log_events(local, run_id, task)}
        phases.append({
            "task": task["task_id"] + (f"[{task['map_index']}]" if task["map_index"] >= 0 else ""),
            "state": task["state"],
            "duration_s": task["duration"],
            "wait_s": _span(events, "scheduled", "started"),
            "startup_s": _span(events, "started", "body"),
            "parse_s": events.get("parse_s"),
            "body_s": _span(events, "body", "done"),
            "finish_s": _span(events, "done", "ended"),
        })
    return phases


def _run(local: LocalAirflow, run_id: str) -> dict:
    return local.api(f"dags/{DAG}/dagRuns/{run_id}")


def _task_instances(local: LocalAirflow, run_id: str) -> list[dict]:
    return local.api(f"dags/{DAG}/dagRuns/{run_id}/taskInstances?limit=100")["task_instances"]


def scheduled_night(landing: Path, root: Path, night: datetime | None = None) -> dict:
    """One cax_nightly run over ``landing`` under the real scheduler against ``cax ingest`` of the same
    files, each into a fresh warehouse under ``root``. The run is asked for through the REST API with
    the logical date ``night`` (default: now, so that it takes every file, as ``cax ingest`` does) and
    timed from that request to the run's end as the metadata records it. Returns airflow_s, cli_s,
    ratio, startup_s (not counted), idle_s (the seconds of the run when no task ran: the scheduler's
    own loop), airflow_cpu_s and cli_cpu_s (CPU seconds of each side), submissions (checked the same
    on both sides), files and the run's task instances with their phases."""
    root = Path(root).resolve()
    landing = Path(landing).resolve()
    cli_s, cli_cpu_s = ingest(landing, root / "cli")
    with running_airflow(landing, root) as (local, startup_s):
        logical = (night or datetime.now(UTC)).replace(microsecond=0)
        run_id = "bench-night"
        cpu, start = airflow_cpu(local), time.time()
        local.api(f"dags/{DAG}/dagRuns", "POST", {"dag_run_id": run_id, "logical_date": logical.isoformat()})
        local.wait_for_runs(DAG, {run_id}, timeout=3600)
        airflow_cpu_s = airflow_cpu(local) - cpu
        airflow_s = _moment(_run(local, run_id)["end_date"]) - start
        tasks = task_phases(local, run_id)
        idle_s = airflow_s - _busy(_task_instances(local, run_id))
    return {"airflow_s": airflow_s, "cli_s": cli_s, "ratio": airflow_s / cli_s, "startup_s": startup_s,
            "idle_s": idle_s, "airflow_cpu_s": airflow_cpu_s, "cli_cpu_s": cli_cpu_s,
            "submissions": _same_night(root / "cli" / "warehouse.duckdb", root / "var" / "warehouse.duckdb"),
            "files": sum(1 for f in landing.rglob("*") if f.suffix.lower() in (".xlsx", ".xls")),
            "tasks": tasks, "task_totals": _totals(tasks)}


def _busy(tasks: list[dict]) -> float:
    """Seconds during which at least one of ``tasks`` ran (the union of their start-to-end spans)."""
    spans = sorted((_moment(t["start_date"]), _moment(t["end_date"]))
                   for t in tasks if t["start_date"] and t["end_date"])
    busy, reached = 0.0, float("-inf")
    for begin, end in spans:
        busy += max(0.0, end - max(begin, reached))
        reached = max(reached, end)
    return busy


def _totals(tasks: list[dict]) -> dict[str, float]:
    """The phases summed over the run's task instances (side by side ones counted each)."""
    keys = ("duration_s", "wait_s", "startup_s", "body_s", "finish_s")
    return {key: round(sum(t[key] or 0 for t in tasks), 3) for key in keys}


def backfill_week(landing: Path, nights: list[datetime], root: Path) -> dict:
    """``airflow backfill create`` over ``nights`` (the logical dates, 01:00 Vietnam time of consecutive
    days; night N takes the files received by its cut-off), one night at a time as the README tells,
    timed from the command to the end of the last night's run as the metadata records it; against one
    ``cax ingest`` of the same files. Returns airflow_s, per_night_s (the median run), between_runs_s
    (the median pause from one night's end to the next's start), cli_s, runs, submissions (checked the
    same on both sides), startup_s (not counted), airflow_cpu_s and cli_cpu_s (CPU seconds of each
    side; the backfill's includes the ``airflow backfill create`` command's), idle_per_night_s (the
    median of the seconds in a night when no task ran), command_s (from the command to the first
    night's start), each night's duration and each task's median over the nights
    (with its phases: what every night pays again)."""
    root = Path(root).resolve()
    landing = Path(landing).resolve()
    first, last = (min(nights).isoformat(), max(nights).isoformat())
    cli_s, cli_cpu_s = ingest(landing, root / "cli")
    with running_airflow(landing, root) as (local, startup_s):
        cpu, start = airflow_cpu(local) + _children_cpu(), time.time()
        runs = local.backfill(DAG, first, last, timeout=3600 + 600 * len(nights))
        airflow_cpu_s = airflow_cpu(local) + _children_cpu() - cpu
        runs = sorted((_run(local, r["dag_run_id"]) for r in runs), key=lambda r: r["logical_date"])
        tasks = [task for run in runs for task in task_phases(local, run["dag_run_id"])]
        busy = [_busy(_task_instances(local, run["dag_run_id"])) for run in runs]
    spans = [(_moment(r["start_date"]), _moment(r["end_date"])) for r in runs]
    if len(runs) != len(nights):
        raise RuntimeError(f"the backfill made {len(runs)} runs for {len(nights)} nights")
    return {"airflow_s": max(end for _, end in spans) - start,
            "per_night_s": statistics.median(end - begin for begin, end in spans),
            "between_runs_s": statistics.median(spans[i + 1][0] - spans[i][1] for i in range(len(spans) - 1))
            if len(spans) > 1 else 0.0,
            "cli_s": cli_s, "runs": len(runs), "startup_s": startup_s,
            "airflow_cpu_s": airflow_cpu_s, "cli_cpu_s": cli_cpu_s,
            "submissions": _same_night(root / "cli" / "warehouse.duckdb", root / "var" / "warehouse.duckdb"),
            "idle_per_night_s": statistics.median(end - begin - b for (begin, end), b in zip(spans, busy, strict=True)),
            "command_s": spans[0][0] - start,
            "nights_s": [round(end - begin, 3) for begin, end in spans], "tasks": _medians(tasks)}


def _medians(tasks: list[dict]) -> list[dict]:
    """Per task (mapped ones together), the median of each phase over ``tasks``, in order of first start."""
    by_name: dict[str, list[dict]] = {}
    for task in tasks:
        by_name.setdefault(task["task"].split("[")[0], []).append(task)
    medians = []
    for name, found in by_name.items():
        row: dict = {"task": name}
        for key in ("duration_s", "wait_s", "startup_s", "parse_s", "body_s", "finish_s"):
            values = [task[key] for task in found if task[key] is not None]
            row[key] = statistics.median(values) if values else None
        medians.append(row)
    return medians


def scheduler_rows(landing: Path, root: Path) -> list[tuple[str, float, str]]:
    """``scheduled_night`` as the rows of the older bench table (label, seconds, note)."""
    night = scheduled_night(landing, root)
    verdict = "within" if night["ratio"] <= GOAL_RATIO else "over"
    return [("cax ingest (own process, fresh warehouse)", night["cli_s"], f"{night['submissions']} submissions"),
            ("local Airflow start-up + DAG parsed (not counted)", night["startup_s"], ""),
            ("cax_nightly under the scheduler, trigger to success", night["airflow_s"],
             f"{night['submissions']} submissions, the same"),
            ("scheduler / cax ingest", night["ratio"], f"{verdict} the goal of x{GOAL_RATIO}")]


# -- alone ------------------------------------------------------------------------------------------

def stand_in_week(out: Path, days: int = 7) -> tuple[Path, list[datetime]]:
    """A small week for trying ``backfill_week`` until bench/datasets.py's ``week`` is at hand: the
    samples' ID-card workbooks (half months of April to June 2021) dealt out over ``days`` days of July
    2021, each arriving at noon; the nights are 01:00 Vietnam time of the day after each day."""
    from etl.clock import VIETNAM
    from samples import generate_samples
    from samples.kinds import ID_CARD_2021

    landing = out / "landing"
    if not landing.exists():
        generate_samples(out / "generated", seed=2021, kinds=(ID_CARD_2021,))
        landing.mkdir(parents=True)
        workbooks = sorted(p for p in (out / "generated").iterdir() if p.suffix in (".xlsx", ".xls"))
        for i, path in enumerate(workbooks):
            arrived = (datetime(2021, 7, 1, 12, tzinfo=VIETNAM) + timedelta(days=i % days)).timestamp()
            shutil.copyfile(path, landing / path.name)
            os.utime(landing / path.name, (arrived, arrived))
    nights = [datetime(2021, 7, 2, 1, 0, tzinfo=VIETNAM) + timedelta(days=i) for i in range(days)]
    return landing, nights


def _week(work: Path) -> tuple[Path, list[datetime]]:
    """bench/datasets.py's week (63 provinces x 7 days, generated once into its cache) when it is
    there, else the stand-in."""
    try:
        from datasets import DEFAULT_CACHE, week
    except ImportError:
        return stand_in_week(work / "stand-in-week")
    landing, nights = week(DEFAULT_CACHE)
    return landing.path, nights


def _print(result: dict) -> None:
    for key, value in result.items():
        if key not in ("tasks",):
            print(f"{key:16} {value:.2f}" if isinstance(value, float) else f"{key:16} {value}")
    if "tasks" in result:
        print(f"\n{'task':20} {'duration':>8} {'wait':>6} {'startup':>8} {'(parse)':>8} {'body':>6} {'finish':>6}")
        for task in result["tasks"]:
            cells = [task[k] for k in ("duration_s", "wait_s", "startup_s", "parse_s", "body_s", "finish_s")]
            print(f"{task['task']:20} " + " ".join(f"{c:8.2f}" if c is not None else f"{'-':>8}" for c in cells))
    if result.get("ratio") is not None:
        verdict = "within" if result["ratio"] <= GOAL_RATIO else "over"
        print(f"\nscheduler / cax ingest: x{result['ratio']:.2f}, {verdict} the goal of x{GOAL_RATIO}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=("night", "week"))
    parser.add_argument("landing", nargs="?", type=Path, help="the night's landing folder")
    parser.add_argument("--work", type=Path, default=REPO / "var" / "bench" / "scheduler",
                        help="where the warehouses and the Airflow home go")
    args = parser.parse_args(argv)
    try:
        if args.what == "night":
            if args.landing is None:
                parser.error("night needs a landing folder")
            _print(scheduled_night(args.landing, args.work / "night"))
        else:
            _print(backfill_week(*_week(args.work), args.work / "week"))
    except (AirflowError, RuntimeError) as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
