"""The failure policy (etl.alerts): which real errors are retried, and the alert of a failed night,
mailed through the SMTP provider's SmtpNotifier to a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import duckdb
import pendulum
import pytest

from etl.alerts import is_transient, retry_only_transient

pytestmark = pytest.mark.airflow


def _raised(action) -> BaseException:
    try:
        action()
    except BaseException as error:  # noqa: BLE001 - the error itself is what the test looks at
        return error
    raise AssertionError("expected an error")


@pytest.fixture
def locked_warehouse(tmp_path):
    """A DuckDB file held open for writing by another process, as a running load holds it."""
    path = tmp_path / "warehouse.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
                               "print('open', flush=True); sys.stdin.read()", str(path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "open"
    yield path
    holder.stdin.close()
    holder.wait(timeout=30)


def test_a_lock_held_by_another_process_is_retried(locked_warehouse, monkeypatch):
    import sqlalchemy as sa

    from etl.load.warehouse import WarehouseError, writer

    raw = _raised(lambda: duckdb.connect(str(locked_warehouse)))
    assert isinstance(raw, duckdb.IOException) and "lock" in str(raw)
    assert is_transient(raw)
    # The same through SQLAlchemy (the error wrapped), and the loader's own error after its wait.
    wrapped = _raised(lambda: sa.create_engine(f"duckdb:///{locked_warehouse}").connect())
    assert isinstance(wrapped, sa.exc.OperationalError) and is_transient(wrapped)
    monkeypatch.setenv("CAX_LOCK_WAIT_S", "0")

    def load():
        with writer(locked_warehouse):
            pass

    waited = _raised(load)
    assert isinstance(waited, WarehouseError) and is_transient(waited)


def test_other_io_errors_are_retried(tmp_path):
    with socket.socket() as probe:  # a loopback port nobody listens on: the server is down
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    refused = _raised(lambda: socket.create_connection(("127.0.0.1", port), timeout=5))
    assert isinstance(refused, ConnectionRefusedError) and is_transient(refused)


def test_a_wrong_setup_or_a_bug_fails_at_once(tmp_path):
    (tmp_path / "a_file").write_text("not a folder")
    under_a_file = _raised(lambda: duckdb.connect(str(tmp_path / "a_file" / "warehouse.duckdb")))
    assert isinstance(under_a_file, duckdb.IOException) and not is_transient(under_a_file)
    missing_folder = _raised(lambda: duckdb.connect(str(tmp_path / "no_such_folder" / "warehouse.duckdb")))
    assert not is_transient(missing_folder)
    assert not is_transient(_raised(lambda: (tmp_path / "missing.xlsx").read_bytes()))
    assert not is_transient(_raised(lambda: tmp_path.read_bytes()))  # IsADirectoryError
    assert not is_transient(_raised(lambda: (tmp_path / "a_file").mkdir()))  # FileExistsError
    assert not is_transient(_raised(lambda: duckdb.connect(":memory:").execute("select * from no_such_table")))
    assert not is_transient(_raised(lambda: {}["key"]))


def test_the_wrapper_fails_a_permanent_error_at_once_and_lets_a_transient_one_retry(locked_warehouse):
    from airflow.sdk.exceptions import AirflowFailException

    @retry_only_transient
    def task_body(path: Path):
        return duckdb.connect(str(path))

    permanent = _raised(lambda: task_body(locked_warehouse.parent / "a" / "b.duckdb"))
    assert isinstance(permanent, AirflowFailException)
    assert isinstance(permanent.__cause__, duckdb.IOException) and "No such file" in str(permanent)
    transient = _raised(lambda: task_body(locked_warehouse))
    assert isinstance(transient, duckdb.IOException) and not isinstance(transient, AirflowFailException)


# --- the alert of a real failed night -------------------------------------------------------------

class _Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        from email import message_from_bytes

        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller.port, inbox
    controller.stop()


def _smtp_connection(port: int) -> str:
    return json.dumps({"conn_type": "smtp", "host": "127.0.0.1", "port": port,
                       "extra": {"disable_ssl": True, "disable_tls": True, "from_email": "cax@example.org",
                                 "timeout": 10, "retry_limit": 0}})


@pytest.fixture
def broken_night(tmp_path, monkeypatch):
    """A night whose warehouse's folder is a regular file: a wrong setup, which no retry mends."""
    (tmp_path / "landing").mkdir()
    (tmp_path / "not_a_folder").write_text("a file where the warehouse's folder should be")
    warehouse = tmp_path / "not_a_folder" / "warehouse.duckdb"
    monkeypatch.setenv("CAX_VAR", str(tmp_path / "var"))
    monkeypatch.setenv("CAX_LANDING", str(tmp_path / "landing"))
    monkeypatch.setenv("CAX_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("CAX_ALERT_TO", "data-team@example.org, duty@example.org")
    monkeypatch.delenv("AIRFLOW_CONN_SMTP_DEFAULT", raising=False)
    return tmp_path / "var" / "alerts", warehouse


def _fail_a_night(dagbag) -> tuple[object, set[str]]:
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session

    run = dagbag.dags["cax_nightly"].test(logical_date=pendulum.datetime(2021, 4, 24, 1, tz="Asia/Ho_Chi_Minh"))
    with create_session() as session:
        failed = {ti.task_id for ti in session.query(TaskInstance).filter_by(dag_id="cax_nightly", run_id=run.run_id)
                  if str(ti.state) in ("failed", "TaskInstanceState.FAILED")}
    assert str(run.state) in ("failed", "DagRunState.FAILED")
    return run, failed


def _alerts(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))}


def test_a_failed_night_is_alerted_in_a_file_and_by_mail(airflow_db, dagbag, broken_night, smtp_server,
                                                         monkeypatch):
    alerts, warehouse = broken_night
    port, inbox = smtp_server
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", _smtp_connection(port))
    run, failed = _fail_a_night(dagbag)
    assert len(failed) == 1  # a permanent error: failed at once, the tasks after it never ran
    (task_id,) = failed
    files = _alerts(alerts)
    assert len(files) == 1 and next(iter(files)).endswith(f"_cax_nightly_{task_id}.txt")
    text = next(iter(files.values()))
    for fact in ("DAG: cax_nightly", f"Task: {task_id}", f"Run: {run.run_id}", "2021-04-24 01:00",
                 "File exists", str(warehouse.parent), "Try: 1", "not retried",
                 # How to run that night again (a second trigger of one logical date is refused).
                 "--from-date 2021-04-24T01:00:00+07:00 --to-date 2021-04-24T01:00:00+07:00 "
                 "--reprocess-behavior failed"):
        assert fact in text, fact
    assert "mailed to data-team@example.org, duty@example.org" in text
    assert len(inbox.messages) == 1
    recipients, mail = inbox.messages[0]
    assert sorted(recipients) == ["data-team@example.org", "duty@example.org"]
    assert "cax_nightly" in mail["Subject"] and task_id in mail["Subject"]
    body = "".join(part.get_payload(decode=True).decode("utf-8") for part in mail.walk()
                   if part.get_content_type() == "text/html")
    assert f"Task: {task_id}" in body and "File exists" in body and str(warehouse.parent) in body


def test_without_an_smtp_connection_no_mail_is_tried_and_the_file_is_still_written(
        airflow_db, dagbag, broken_night, smtp_server):
    alerts, _ = broken_night
    _, inbox = smtp_server
    _, failed = _fail_a_night(dagbag)
    (text,) = _alerts(alerts).values()
    assert f"Task: {next(iter(failed))}" in text and "File exists" in text
    assert "no mail: no 'smtp_default' connection" in text
    assert inbox.messages == []


def test_a_mail_server_that_is_down_does_not_hide_the_alert(airflow_db, dagbag, broken_night, monkeypatch):
    alerts, _ = broken_night
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", _smtp_connection(_free_port()))  # nobody listens there
    _, failed = _fail_a_night(dagbag)
    (text,) = _alerts(alerts).values()
    assert f"Task: {next(iter(failed))}" in text and "File exists" in text
    assert "mail FAILED" in text


def test_a_night_failing_on_a_bad_setting_is_still_alerted(tmp_path, monkeypatch):
    """The alert reads the settings too: when one of them is what failed, it still lands in CAX_VAR."""
    from types import SimpleNamespace

    from etl.alerts import on_failure
    from etl.config import SettingError, load_settings

    monkeypatch.setenv("CAX_VAR", str(tmp_path / "var"))
    monkeypatch.setenv("CAX_WORKERS", "two")
    monkeypatch.delenv("CAX_ALERT_TO", raising=False)
    error = _raised(load_settings)
    assert isinstance(error, SettingError)
    ti = SimpleNamespace(dag_id="cax_nightly", task_id="discover_files", map_index=-1, run_id="scheduled__x",
                         try_number=1)
    on_failure({"ti": ti, "exception": error, "logical_date": pendulum.datetime(2021, 4, 24, 1, tz="UTC")})
    (alert,) = (tmp_path / "var" / "alerts").glob("*_cax_nightly_discover_files.txt")
    text = alert.read_text(encoding="utf-8")
    assert "CAX_WORKERS='two'" in text and "Task: discover_files" in text and "2021-04-24 08:00" in text
    assert "no mail: CAX_ALERT_TO names no recipient" in text
