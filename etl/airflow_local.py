"""A local Airflow (``airflow standalone``) for the nightly load: ``make airflow`` and the
real-scheduler test start and stop it here, the same way.

It never imports Airflow (it runs the ``airflow`` command of this environment): ``etl`` stays
usable without a scheduler. Every process it starts carries a marker in its environment, so
``down`` finds them all, task processes included (they leave the starting process group), and
nothing is left running.

Settings (environment variables, local defaults):

- ``AIRFLOW_HOME``: the metadata database, logs and generated password; default ``var/airflow``.
- ``CAX_AIRFLOW_PORT``: the web UI and API on 127.0.0.1 (default 8080); the tasks reach the
  execution API there, so ``AIRFLOW__CORE__EXECUTION_API_SERVER_URL`` is derived from it.
- ``CAX_AIRFLOW_WORKER_LOG_PORT``, ``CAX_AIRFLOW_TRIGGER_LOG_PORT``: the log servers (8793, 8794),
  taken by any other Airflow on the machine.
- ``CAX_AIRFLOW_PARALLELISM``: task processes at once (default 2: Airflow's 32 swamp 2 cores).

The ``CAX_*`` settings of the project (``CAX_LANDING``, ``CAX_VAR``, ...) pass to the tasks.

Tuned for a night of few, long tasks on a small machine (see ``environment``): the scheduler imports
what the tasks import once, when it starts (``PRELOAD``), so a change to ``etl/`` under a running
Airflow takes effect when it is restarted; a task's end is noticed within a second, and the next
task starts within a quarter of a second.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from etl.config import number_setting

REPO = Path(__file__).resolve().parents[1]
POOL = ("duckdb_writer", "1", "DuckDB takes one writer at a time")
MARKER = "CAX_AIRFLOW_SESSION"  # in the environment of every process a LocalAirflow starts
USER = "admin"  # the simple auth manager's default user; its password is generated on first start
# What the nightly tasks import, imported once when the scheduler starts (its LocalExecutor's workers
# are forked from a forkserver that imported them, and each task process is forked from a worker):
# without it every task imported them again (Airflow's task runner, pandas, pyarrow, DuckDB, Great
# Expectations, etl: seconds a task, more without compiled bytecode), and the second worker, started
# when the two extract batches run side by side, imported the executor (0.8 s). A module that fails to
# import is skipped by multiprocessing, so the list cannot stop the scheduler; one missing only costs
# its import.
# The price: a change to etl/ under a running Airflow takes effect when it is restarted.
PRELOAD = ("airflow.executors.local_executor", "airflow.sdk.execution_time.supervisor",
           "airflow.sdk.execution_time.task_runner", "airflow.dag_processing.dagbag", "pendulum", "pandas",
           "pyarrow.parquet", "pyarrow.dataset", "duckdb", "duckdb_engine", "great_expectations", "etl.alerts",
           "etl.pipeline", "etl.extract.sandbox", "etl.extract.stage", "etl.validate.night", "etl.load.night",
           "etl.feedback", "etl.publish", "etl.report")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (for a test's or a benchmark's Airflow beside another one)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def set_options(config: str, options: dict[tuple[str, ...], str]) -> str:
    """``config`` (an airflow.cfg) with each (section, key) of ``options`` set: its line replaced where
    the section has it, else added under the section's header (the section added at the end when
    missing). Comments and every other line are kept."""
    lines = config.splitlines()
    section, placed = None, set()
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1].strip().lower()
        elif section and "=" in stripped and not stripped.startswith(("#", ";")):
            key = stripped.split("=", 1)[0].strip().lower()
            if (section, key) in options:
                lines[i] = f"{key} = {options[section, key]}"
                placed.add((section, key))
    for (section, key), value in options.items():
        if (section, key) in placed:
            continue
        header = next((i for i, line in enumerate(lines) if line.strip().lower() == f"[{section}]"), None)
        if header is None:
            lines += ["", f"[{section}]"]
            header = len(lines) - 1
        lines.insert(header + 1, f"{key} = {value}")
    return "\n".join(lines) + "\n"


class AirflowError(RuntimeError):
    """The local Airflow did not start, or a run did not finish as asked; says where to look."""


@dataclass(frozen=True)
class LocalAirflow:
    """Where and how a local Airflow runs; ``up()`` starts it, ``down()`` stops all it started."""

    home: Path
    port: int = 8080
    worker_log_port: int = 8793
    trigger_log_port: int = 8794
    parallelism: int = 2
    # False in the bench: only the runs it triggers or backfills (no cron nor asset-triggered run).
    schedule: bool = True
    session: str = field(default_factory=lambda: uuid.uuid4().hex)

    @classmethod
    def from_environment(cls) -> LocalAirflow:
        """The settings of ``make airflow`` (see the module's docstring)."""
        var = Path(os.environ.get("CAX_VAR") or "var")
        return cls(home=Path(os.environ.get("AIRFLOW_HOME") or var / "airflow").resolve(),
                   port=int(number_setting("CAX_AIRFLOW_PORT", 8080)),
                   worker_log_port=int(number_setting("CAX_AIRFLOW_WORKER_LOG_PORT", 8793)),
                   trigger_log_port=int(number_setting("CAX_AIRFLOW_TRIGGER_LOG_PORT", 8794)),
                   parallelism=int(number_setting("CAX_AIRFLOW_PARALLELISM", 2)))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.home / "standalone.log"

    @property
    def password_file(self) -> Path:
        return self.home / "simple_auth_manager_passwords.json.generated"

    def environment(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """``base`` (default: this process's environment) with this Airflow's settings."""
        env = dict(os.environ if base is None else base)
        bin_dir = str(Path(sys.executable).parent)  # standalone starts its parts as `airflow` from PATH
        env.update({
            "PATH": os.pathsep.join([bin_dir, env.get("PATH", "")]),
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": str(self.parallelism),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{self.home / 'airflow.db'}",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__BASE_URL": self.url,
            # Without it every task tries http://localhost:8080/execution/ and never starts.
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.url}/execution/",
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(self.worker_log_port),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(self.trigger_log_port),
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": str(self.schedule),
            # A task's supervisor notices its process ended only at its next heartbeat check (5 s by
            # default), and its worker and executor slot stay taken until then: on a night of four
            # steps the next task waited up to 5 s at each step. 1 s: one heartbeat a second per task.
            "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": "1",
            # The scheduler's loop sleeps this long when it found nothing to do: a task that ends waits
            # for the next loop to start the one after it (1 s by default: a second a step, five a night).
            # 0.25 s costs about 3% of a core more while the scheduler is idle.
            "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.25",
            "AIRFLOW__SCHEDULER__MP_START_METHOD": "forkserver",
            "AIRFLOW__SCHEDULER__MP_FORKSERVER_PRELOAD": ",".join(PRELOAD),
            MARKER: self.session,
        })
        env.pop("AIRFLOW__CORE__UNIT_TEST_MODE", None)  # set by the in-process DAG tests' conftest
        return env

    def airflow(self, *args: str, timeout: float = 300) -> str:
        """Run one ``airflow`` command against this home; its standard output. AirflowError, with
        its output, when it fails."""
        done = subprocess.run([str(Path(sys.executable).parent / "airflow"), *args], env=self.environment(),
                              capture_output=True, text=True, timeout=timeout)
        if done.returncode:
            raise AirflowError(f"airflow {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        return done.stdout

    # -- start and stop ---------------------------------------------------------------------------

    def up(self, timeout: float = 240) -> subprocess.Popen:
        """Migrate the metadata database, create the pool, start ``airflow standalone`` in the
        background (its own process group, output in ``log_file``) and wait until its API, scheduler,
        DAG processor and triggerer answer. Stops what it started when that fails."""
        self.home.mkdir(parents=True, exist_ok=True)
        self.airflow("db", "migrate")
        self.write_config()
        self.airflow("pools", "set", *POOL)
        with open(self.log_file, "ab") as log:
            process = subprocess.Popen([str(Path(sys.executable).parent / "airflow"), "standalone"],
                                       env=self.environment(), stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
        self.pid_file.write_text(str(process.pid))
        try:
            self._wait_healthy(process, timeout)
        except BaseException:
            self.down()
            raise
        return process

    def write_config(self) -> Path:
        """Write this Airflow's settings into ``AIRFLOW_HOME/airflow.cfg`` (created by ``db migrate``), so
        an ``airflow`` command in another shell with only AIRFLOW_HOME set (``dags test``, ``backfill
        create``, ``tasks clear``) sees the same DAGs folder, database and ports as the running one, not
        Airflow's defaults and its example DAGs. The file's other lines and comments stay as they are."""
        path = self.home / "airflow.cfg"
        options = {tuple(name[len("AIRFLOW__"):].lower().split("__", 1)): value
                   for name, value in self.environment({}).items() if name.startswith("AIRFLOW__")}
        path.write_text(set_options(path.read_text(encoding="utf-8") if path.exists() else "", options),
                        encoding="utf-8")
        return path

    def _wait_healthy(self, process: subprocess.Popen, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AirflowError(f"airflow standalone ended ({process.returncode}); see {self.log_file}")
            health = self._health()
            if health and all(health.get(part, {}).get("status") == "healthy"
                              for part in ("metadatabase", "scheduler", "dag_processor", "triggerer")) \
                    and self.password_file.exists():
                self._warm_execution_api(deadline)
                return
            time.sleep(2)
        raise AirflowError(f"Airflow did not come up within {timeout:.0f} s at {self.url}; see {self.log_file}")

    def _warm_execution_api(self, deadline: float) -> None:
        """Ask the execution API (through which tasks start and report) once: the API server builds it
        on its first request, which took 7 s here, and the first task's supervisor gave up after 5 s
        and asked again; the first task of the first night waited for it."""
        try:
            with urllib.request.urlopen(f"{self.url}/execution/health",
                                        timeout=max(5.0, deadline - time.monotonic())):
                pass
        except OSError as error:
            raise AirflowError(f"the execution API at {self.url}/execution/ did not answer ({error}); "
                               f"see {self.log_file}") from None

    def _health(self) -> dict | None:
        try:
            with urllib.request.urlopen(f"{self.url}/api/v2/monitor/health", timeout=5) as answer:
                return json.load(answer)
        except (OSError, ValueError):
            return None

    @property
    def pid_file(self) -> Path:
        return self.home / "standalone.pid"

    def processes(self) -> list[int]:
        """The processes still running that this Airflow started: those of the session ``up`` opened
        (task processes leave its process group, not its session) and any carrying its marker. The
        marker alone is not enough: a process that sets its title (the API server) overwrites the
        copy of its environment that /proc shows."""
        mark = f"{MARKER}={self.session}".encode()
        leader = int(self.pid_file.read_text()) if self.pid_file.exists() else None
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                stat = (entry / "stat").read_text()
                # Fields after the command's closing parenthesis: state, ppid, pgrp, session, ...
                state, _, _, session = stat[stat.rindex(")") + 2:].split()[:4]
                if state != "Z" and (int(session) == leader
                                     or mark in (entry / "environ").read_bytes().split(b"\0")):
                    found.append(int(entry.name))
            except (OSError, ValueError):  # ended meanwhile, or another user's
                continue
        return found

    def down(self, grace: float = 30) -> list[int]:
        """Stop every process this Airflow started: SIGTERM, then SIGKILL after ``grace`` seconds.
        Returns those still running afterwards (none, unless the system refused)."""
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
            for pid in self.processes():
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + wait
            while self.processes() and time.monotonic() < deadline:
                time.sleep(0.5)
            if not self.processes():
                self.pid_file.unlink(missing_ok=True)
                break
        return self.processes()

    # -- login, trigger, wait ---------------------------------------------------------------------

    def password(self) -> str:
        """The generated password of ``USER`` (written by the API server on its first start)."""
        return json.loads(self.password_file.read_text(encoding="utf-8"))[USER]

    def _token(self) -> str:
        body = json.dumps({"username": USER, "password": self.password()}).encode()
        request = urllib.request.Request(f"{self.url}/auth/token", data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.load(answer)["access_token"]

    def api(self, path: str, method: str = "GET", payload: dict | None = None) -> dict:
        """One call to the REST API v2 (``path`` after /api/v2/) with a token; its JSON answer."""
        request = urllib.request.Request(
            f"{self.url}/api/v2/{path}", method=method,
            data=None if payload is None else json.dumps(payload).encode(),
            headers={"Authorization": f"Bearer {self._token()}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return json.load(answer)
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")
            raise AirflowError(f"{method} /api/v2/{path}: {error.code} {detail}") from None

    def wait_for_dag(self, dag_id: str, timeout: float = 180) -> None:
        """Wait until the DAG processor has parsed ``dag_id``, then unpause it (DAGs start paused)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.api(f"dags/{dag_id}")
                break
            except AirflowError:
                if time.monotonic() > deadline:
                    raise AirflowError(f"{dag_id} was not parsed within {timeout:.0f} s; see {self.log_file}") from None
                time.sleep(3)
        self.api(f"dags/{dag_id}", "PATCH", {"is_paused": False})

    def runs(self, dag_id: str) -> list[dict]:
        """Every run of ``dag_id``: run_id, logical_date, run_type, state, ..."""
        return self.api(f"dags/{dag_id}/dagRuns?limit=100&order_by=logical_date")["dag_runs"]

    def wait_for_runs(self, dag_id: str, run_ids: set[str], timeout: float = 240) -> list[dict]:
        """Wait until the runs ``run_ids`` of ``dag_id`` have finished; return them. AirflowError when
        one failed or the time is up (with each run's state)."""
        deadline = time.monotonic() + timeout
        while True:
            runs = [run for run in self.runs(dag_id) if run["dag_run_id"] in run_ids]
            states = {run["dag_run_id"]: run["state"] for run in runs}
            if len(runs) == len(run_ids) and all(state in ("success", "failed") for state in states.values()):
                if any(state == "failed" for state in states.values()):
                    raise AirflowError(f"{dag_id}: {states}; see the task logs under {self.home / 'logs'}")
                return runs
            if time.monotonic() > deadline:
                raise AirflowError(f"{dag_id} not finished within {timeout:.0f} s: {states}")
            time.sleep(3)

    def backfill(self, dag_id: str, first: str, last: str, *options: str, timeout: float = 600) -> list[dict]:
        """``airflow backfill create`` of the nights ``first`` to ``last`` (ISO 8601 with their offset),
        waited for until the scheduler marks the backfill completed (a Dag takes one running backfill
        at a time); the runs of those nights. AirflowError when one failed or the time is up."""
        # One night at a time, oldest first: a backfill has its own limit of active runs (10 unless
        # told), and the DAG's max_active_runs does not hold it; nights run side by side would each
        # take the files of every night before them that had not loaded yet.
        self.airflow("backfill", "create", "--dag-id", dag_id, "--from-date", first, "--to-date", last,
                     "--max-active-runs", "1", *options)
        deadline = time.monotonic() + timeout
        while True:
            [backfill] = self.api(f"backfills?dag_id={dag_id}&order_by=-id&limit=1")["backfills"]
            if backfill["completed_at"]:
                break
            if time.monotonic() > deadline:
                raise AirflowError(f"backfill {backfill['id']} of {dag_id} not completed within {timeout:.0f} s")
            time.sleep(3)
        span = (datetime.fromisoformat(first), datetime.fromisoformat(last))
        runs = [run for run in self.runs(dag_id)
                if run["logical_date"] and span[0] <= datetime.fromisoformat(run["logical_date"]) <= span[1]]
        return self.wait_for_runs(dag_id, {run["dag_run_id"] for run in runs}, timeout=60)

    def trigger(self, dag_id: str, logical_date: str, run_id: str) -> str:
        """``airflow dags trigger`` for ``logical_date`` (ISO 8601 with its offset); the run id."""
        self.airflow("dags", "trigger", dag_id, "--logical-date", logical_date, "--run-id", run_id)
        return run_id


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """``python -m etl.airflow_local up``: start the local Airflow, print the URL and the login, and
    keep it running until Ctrl-C (or SIGTERM), then stop every process it started."""
    args = sys.argv[1:] if argv is None else argv
    if args != ["up"]:
        print("usage: python -m etl.airflow_local up", file=sys.stderr)
        return 2
    local = LocalAirflow.from_environment()
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as Ctrl-C does: everything it started
    print(f"Starting Airflow in {local.home} (log: {local.log_file}) ...", flush=True)
    try:
        process = local.up()
        print(f"Airflow is up: {local.url}\n  login: {USER} / {local.password()}\n"
              f"  new DAGs start paused: unpause cax_nightly in the UI or with `airflow dags unpause cax_nightly`\n"
              f"  Ctrl-C stops it.", flush=True)
        process.wait()
        print(f"airflow standalone ended ({process.returncode}); see {local.log_file}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    except AirflowError as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        left = local.down()
        print("Airflow stopped." if not left else f"still running: {left}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
