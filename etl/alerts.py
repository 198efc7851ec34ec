"""The nightly DAG's failure policy: which errors are worth a retry, and the alert when the pipeline fails.

A retry helps when the machine was in the way, not when the setup is wrong:

* transient (retried with backoff): the warehouse locked by another process (DuckDB's "Could not set
  lock" / "Conflicting lock", and the loader's own WarehouseError after waiting CAX_LOCK_WAIT_S),
  any other DuckDB I/O error or OSError (a full disk, a network share that dropped, an interrupted
  write), TimeoutError;
* permanent (the task fails at once, no retry): a path that does not exist, is not a directory, is a
  directory, is taken by a file, or may not be written (FileNotFoundError, NotADirectoryError,
  IsADirectoryError, FileExistsError, PermissionError, and the same words in a DuckDB or wrapped
  error), and every other exception:
  a bug or bad data in the pipeline is not fixed by running it again.

A rejected workbook is neither: it is an outcome recorded in the audit, and its task succeeds.

The alert (``on_failure``) runs in the failed task's process, so it lands in the task log too; it is
written to ``var/alerts/`` and, when an ``smtp_default`` connection exists and ``CAX_ALERT_TO``
names recipients, mailed with the SMTP provider's ``SmtpNotifier``. Airflow is imported here only
inside the functions the DAG calls.
"""

from __future__ import annotations

import functools
import html
import logging
import os
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from etl.clock import now_vietnam, to_vietnam
from etl.config import SettingError, alert_recipients, load_settings

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

SMTP_CONNECTION = "smtp_default"

# Words of a setup problem: no retry mends them. Checked before the transient ones, since DuckDB
# raises one IOException for a lock, a missing folder and a refused permission alike.
_PERMANENT_WORDS = ("No such file or directory", "Not a directory", "Is a directory", "File exists",
                    "Permission denied", "Operation not permitted", "Read-only file system", "cannot be written")
_PERMANENT_OS = (FileNotFoundError, FileExistsError, NotADirectoryError, IsADirectoryError, PermissionError)
_LOCK_WORDS = ("Could not set lock", "Conflicting lock", "another process is using the warehouse")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and every exception behind it (raise ... from, implicit context, SQLAlchemy's ``orig``)."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [current.__cause__, current.__context__, getattr(current, "orig", None)]


def is_transient(exc: BaseException) -> bool:
    """True when running the task again later may succeed (see the module's docstring for the rule)."""
    import duckdb

    chain = list(_chain(exc))
    texts = [str(e) for e in chain]
    if any(word in text for text in texts for word in _LOCK_WORDS):
        return True
    if any(isinstance(e, _PERMANENT_OS) for e in chain) or any(
            word in text for text in texts for word in _PERMANENT_WORDS):
        return False
    return any(isinstance(e, (duckdb.IOException, OSError, TimeoutError)) for e in chain)


def retry_only_transient(function: F) -> F:
    """Wrap a task's body: a transient error is raised as it is (Airflow retries it with backoff), any
    other fails the task at once, without its retries (AirflowFailException, the cause chained)."""

    @functools.wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except Exception as error:
            if is_transient(error):
                raise
            from airflow.sdk.exceptions import AirflowFailException

            if isinstance(error, AirflowFailException):
                raise
            raise AirflowFailException(f"{type(error).__name__}: {error}") from error

    return run  # type: ignore[return-value]


def task_defaults() -> dict[str, Any]:
    """The DAGs' default_args: the retry policy above (1, 2, 4 minutes apart, at most 15, for the
    errors retry_only_transient lets through) and the alert on failure."""
    return {"owner": "data-team", "retries": 3, "retry_delay": timedelta(minutes=1),
            "retry_exponential_backoff": 2.0, "max_retry_delay": timedelta(minutes=15),
            "on_failure_callback": on_failure}


def _map_index(ti: Any) -> int:
    return -1 if ti.map_index is None else int(ti.map_index)


def _log_file(context: dict[str, Any]) -> str:
    """Where the task's log is, with Airflow's default file name template."""
    try:
        from airflow.configuration import conf

        folder = conf.get("logging", "base_log_folder")
    except Exception:  # outside a configured Airflow (a unit test): the relative part says enough
        folder = "$AIRFLOW_HOME/logs"
    ti = context["ti"]
    mapped = f"map_index={ti.map_index}/" if _map_index(ti) >= 0 else ""
    return (f"{folder}/dag_id={ti.dag_id}/run_id={ti.run_id}/task_id={ti.task_id}/{mapped}"
            f"attempt={ti.try_number}.log")


def _error_text(error: BaseException | str | None) -> str:
    if error is None:
        return "(Airflow gave no exception: see the log)"
    if isinstance(error, str):
        return error
    lines = [f"{type(error).__name__}: {error}"]
    lines += [f"  caused by {type(e).__name__}: {e}" for e in list(_chain(error))[1:]]
    return "\n".join(lines)


def alert_message(context: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) of the alert for a failed task, from its Airflow context."""
    ti = context["ti"]
    error = context.get("exception")
    logical = context.get("logical_date")
    night = f"{to_vietnam(logical):%Y-%m-%d %H:%M} (Vietnam)" if isinstance(logical, datetime) else "none"
    stamp = f"{to_vietnam(logical).isoformat()}+07:00" if isinstance(logical, datetime) else "<its logical date>"
    where = f"{ti.task_id}[{ti.map_index}]" if _map_index(ti) >= 0 else ti.task_id
    subject = f"[cax] {ti.dag_id}.{where} failed (run {ti.run_id})"
    retry = ("a lock or I/O error: Airflow retried it with backoff and the retries are spent"
             if error is not None and not isinstance(error, str) and is_transient(error)
             else "not retried: a retry would fail the same way")
    log_url = getattr(ti, "log_url", None)
    body = "\n".join([
        "Đêm nạp dữ liệu bị lỗi / the nightly load failed.",
        f"DAG: {ti.dag_id}",
        f"Task: {ti.task_id}",
        f"Map index: {_map_index(ti)}",
        f"Run: {ti.run_id}",
        f"Logical date: {night}",
        f"Try: {ti.try_number}",
        f"Error ({retry}):",
        _error_text(error),
        f"Log: {_log_file(context)}" + (f"\n     {log_url}" if log_url else ""),
        "What to do: read the log, fix the cause (the path or setting it names, the space on disk, the"
        " process holding the warehouse), then clear the failed task in the Airflow UI (its downstream"
        " tasks with it), or run the night again under its run id: airflow backfill create --dag-id"
        f" {ti.dag_id} --from-date {stamp} --to-date {stamp} --reprocess-behavior failed. Re-running a"
        " night is safe: files already taken in are not loaded twice. A rejected workbook does not fail"
        " the night: the province's feedback workbook explains it.",
    ])
    return subject, body


def _smtp_connection() -> Any | None:
    """The ``smtp_default`` connection (an Airflow connection or AIRFLOW_CONN_SMTP_DEFAULT), or None."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return Connection.get(SMTP_CONNECTION)
    except AirflowNotFoundException:
        return None


def _mail(context: dict[str, Any], subject: str, body: str) -> str:
    """Mail the alert when it can be; what became of the mail, in words."""
    to = alert_recipients()
    if not to:
        return "no mail: CAX_ALERT_TO names no recipient"
    connection = _smtp_connection()
    if connection is None:
        return f"no mail: no '{SMTP_CONNECTION}' connection (AIRFLOW_CONN_SMTP_DEFAULT or airflow connections add)"
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    sender = connection.extra_dejson.get("from_email") or "cax-nightly@localhost"
    # notify(), not the notifier's __call__: the body is sent as written, never rendered as a template
    # (an error message may hold "{{").
    SmtpNotifier(to=to, from_email=sender, subject=subject, html_content=f"<pre>{html.escape(body)}</pre>",
                 smtp_conn_id=SMTP_CONNECTION).notify(context)  # type: ignore[arg-type]
    return f"mailed to {', '.join(to)} through '{SMTP_CONNECTION}'"


def on_failure(context: dict[str, Any]) -> None:
    """The alert of a failed task: task log, ``var/alerts/<time>_<dag>_<task>.txt``, and mail when set up.

    The file is written before the mail is tried, and a failing mail is recorded in both, never
    raised: the alert must survive a broken mail server."""
    ti = context["ti"]
    subject, body = alert_message(context)
    try:
        folder = load_settings().alerts
    except SettingError:  # the failure may be that very setting: the alert still goes under CAX_VAR
        folder = Path(os.environ.get("CAX_VAR") or "var") / "alerts"
    mapped = f"_{ti.map_index}" if _map_index(ti) >= 0 else ""
    path = folder / f"{now_vietnam():%Y%m%dT%H%M%S}_{ti.dag_id}_{ti.task_id}{mapped}.txt"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{subject}\n\n{body}\n", encoding="utf-8")
    log.error("%s\n%s\nAlert written to %s", subject, body, path)
    try:
        mail = _mail(context, subject, body)
    except Exception as error:  # noqa: BLE001 - any failure of the mail is reported, never raised
        mail = f"mail FAILED: {type(error).__name__}: {error}"
        log.exception("the alert could not be mailed (it is in %s)", path)
    log.error("Alert %s: %s", path.name, mail)
    with Path(path).open("a", encoding="utf-8") as out:
        out.write(f"\n{mail}\n")
