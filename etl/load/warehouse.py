"""Access to the DuckDB warehouse through SQLAlchemy: engines, the one writer and its lock, the
schema, SQL files, bulk inserts and queries.

Bulk inserts go through the driver connection from registered DataFrames (DuckDB reads them
natively, ~0.1 s for 300k rows); ``DataFrame.to_sql`` and row-by-row inserts are never used.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TypeVar

import pandas as pd
import sqlalchemy as sa

from etl.config import lock_wait_seconds

WAREHOUSE_SQL = Path(__file__).resolve().parents[2] / "warehouse"
T = TypeVar("T")

# duckdb_engine warns that DuckDB has no server-side cursors; nothing to act on.
warnings.filterwarnings("ignore", message=".*duckdb-engine doesn't yet support reflection.*")


@cache
def sql_file(relative: str) -> str:
    return (WAREHOUSE_SQL / relative).read_text(encoding="utf-8")


def engine_for(warehouse: Path, read_only: bool = False) -> sa.Engine:
    """An engine on the warehouse file; the folder is created when writing."""
    if not read_only:
        warehouse.parent.mkdir(parents=True, exist_ok=True)
    args = {"read_only": True} if read_only else {}
    return sa.create_engine(f"duckdb:///{warehouse}", connect_args=args, poolclass=sa.pool.NullPool)


def statements(script: str) -> list[str]:
    """The statements of a .sql script: split on ';' at a line's end, comment lines dropped."""
    bodies = ("\n".join(line for line in part.splitlines() if not line.strip().startswith("--"))
              for part in script.split(";\n"))
    return [body.strip().rstrip(";") for body in bodies if body.strip()]


def run_script(conn: sa.Connection, script: str, params: dict | None = None) -> None:
    """Run each statement of a .sql script, binding the ``$name`` parameters it uses."""
    for body in statements(script):
        used = {k: v for k, v in (params or {}).items() if f"${k}" in body}
        conn.exec_driver_sql(body, used or None)


def ddl_files() -> list[Path]:
    """The schema's files in the order they run: the schemas, then the tables of ref, dw and audit."""
    ddl = WAREHOUSE_SQL / "ddl"
    return [ddl / "00_schemas.sql", *(path for folder in ("ref", "dw", "audit")
                                      for path in sorted((ddl / folder).glob("*.sql")))]


def scalar(conn: sa.Connection, sql: str, params: dict | None = None) -> object:
    """One value; fetches every row, since DuckDB 2 refuses new work on a half-read result."""
    rows = conn.exec_driver_sql(sql, params).fetchall() if params else conn.exec_driver_sql(sql).fetchall()
    return rows[0][0] if rows else None


@contextmanager
def registered(conn: sa.Connection, name: str, frame: pd.DataFrame) -> Iterator[None]:
    """``frame`` visible to SQL as the view ``name`` for the duration of the block."""
    raw = conn.connection.driver_connection
    assert raw is not None
    raw.register(name, frame)
    try:
        yield
    finally:
        raw.unregister(name)


def insert_frame(conn: sa.Connection, table: str, frame: pd.DataFrame) -> int:
    """Bulk insert a DataFrame by column name, natively in DuckDB (never row by row)."""
    if frame.empty:
        return 0
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    with registered(conn, "incoming_frame", frame):
        conn.exec_driver_sql(f"insert into {table} ({columns}) select {columns} from incoming_frame")
    return len(frame)


def insert_row(conn: sa.Connection, table: str, row: dict[str, object]) -> None:
    """Insert one row (an audit or dimension record) with bound parameters."""
    columns = ", ".join(f'"{c}"' for c in row)
    values = ", ".join(f"${c}" for c in row)
    conn.exec_driver_sql(f"insert into {table} ({columns}) values ({values})", dict(row))


class WarehouseError(RuntimeError):
    """The warehouse cannot be opened or written; the message says why and what to do."""


def _explain(warehouse: Path, error: Exception) -> WarehouseError | None:
    text = str(error)
    if "Could not set lock" in text or "Conflicting lock" in text:
        return WarehouseError(f"another process is using the warehouse {warehouse} (a load is running); "
                              "nothing was written: try again when it has finished")
    if any(word in text for word in ("Permission denied", "Operation not permitted", "Read-only file system")):
        return WarehouseError(f"the warehouse {warehouse} cannot be written (permission denied or read-only); "
                              "nothing was written")
    if "No space left" in text or "File too large" in text or "disk" in text.lower():
        return WarehouseError(f"the disk holding {warehouse} is full; the transaction in progress was rolled "
                              "back and nothing partial was kept: free space and run the night again")
    return None


def _with_lock_wait(warehouse: Path, attempt: Callable[[], T], wait_s: float) -> T:
    """Run ``attempt`` (which opens the warehouse), waiting while another process holds its lock."""
    import time

    deadline = time.monotonic() + wait_s
    while True:
        try:
            return attempt()
        except (sa.exc.OperationalError, sa.exc.DBAPIError, OSError) as error:
            explained = _explain(warehouse, error)
            if explained is None:
                raise
            if "another process" in str(explained) and time.monotonic() < deadline:
                time.sleep(0.5)
                continue
            raise explained from error


@contextmanager
def writer(warehouse: Path, deadlines: dict[str, int] | None = None) -> Iterator[sa.Engine]:
    """The one writing engine of a run, schema ensured; disposed at the end.

    DuckDB takes one writer: a second loader waits for the first (up to CAX_LOCK_WAIT_S), then
    fails cleanly. ``deadlines`` (cadence -> days after the period's end) are the reporting
    rules to record; by default those of the settings.
    """
    engine = engine_for(warehouse)
    keeper: sa.Connection | None = None
    try:
        # A connection held for the whole block keeps the database open in this process, and so
        # its lock: the engine's later connections join it instead of racing another loader.
        keeper = _with_lock_wait(warehouse, engine.connect, lock_wait_seconds())
        ensure_schema(engine, deadlines)
        yield engine
    except (sa.exc.OperationalError, sa.exc.DBAPIError) as error:
        explained = _explain(warehouse, error)
        if explained is None:
            raise
        raise explained from error
    finally:
        if keeper is not None:
            keeper.close()
        engine.dispose()


def ensure_schema(engine: sa.Engine, deadlines: dict[str, int] | None = None) -> None:
    """Create schemas and tables if missing (and migrate older ones), describe every table and column
    (COMMENT ON), fill the reference dimensions once, and record the indicator definitions and
    reporting rules. The marts are built, with their comments, at publish."""
    from etl.load import dimensions

    with engine.begin() as conn:
        dimensions.prepare_reference(conn)
        for path in ddl_files():
            # Each file in one call: its COMMENT ON statements run every time, so a warehouse made
            # before them gets them too; ~250 sent one by one cost 0.05 s a run, in one call 0.03 s.
            conn.exec_driver_sql(";\n".join(statements(path.read_text(encoding="utf-8"))))
        dimensions.sync_reference(conn)
        dimensions.record_indicator_definitions(conn)
        dimensions.record_reporting_rules(conn, deadlines)


def read(warehouse: Path, work: Callable[[sa.Connection], T]) -> T:
    """``work`` on a read-only connection to the warehouse, waiting while a loader holds it.

    DuckDB takes one writer or many readers, never both: a read during another process's load
    waits for it (up to CAX_LOCK_WAIT_S), then fails with the reason in words.
    """
    def attempt() -> T:
        engine = engine_for(warehouse, read_only=True)
        try:
            with engine.connect() as conn:
                return work(conn)
        finally:
            engine.dispose()

    return _with_lock_wait(warehouse, attempt, lock_wait_seconds())


def has_table(conn: sa.Connection, schema: str, table: str) -> bool:
    return bool(scalar(conn, "select count(*) from information_schema.tables where table_schema = $schema"
                             " and table_name = $table", {"schema": schema, "table": table}))


def taken_in(warehouse: Path) -> dict[str, dict[str, str]]:
    """sha256 -> each file name it was recorded under in audit.file -> what became of it there:
    'loaded', 'duplicate', 'rejected', or 'transient' for a rejection that may not happen again
    (etl.extract.errors.TRANSIENT: the machine was busy, or the file was moving)."""
    from etl.extract.errors import TRANSIENT

    if not warehouse.exists():
        return {}

    def files(conn: sa.Connection) -> dict[str, dict[str, str]]:
        known: dict[str, dict[str, str]] = {}
        if has_table(conn, "audit", "file"):
            code = "rejection_code" if scalar(conn, "select count(*) from information_schema.columns where"
                                                    " table_schema = 'audit' and table_name = 'file' and"
                                                    " column_name = 'rejection_code'") else "null"
            for sha, name, status, why in conn.exec_driver_sql(
                    f"select distinct sha256, file_name, status, {code} from audit.file").fetchall():
                known.setdefault(sha, {})[name] = "transient" if why in TRANSIENT else status
        return known

    return read(warehouse, files)


def frame(conn: sa.Connection, sql: str, params: dict | None = None) -> pd.DataFrame:
    """A query's rows as a DataFrame, fetched whole (DuckDB 2 refuses work beside a half-read result)."""
    result = conn.exec_driver_sql(sql, params) if params else conn.exec_driver_sql(sql)
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def unit_keys(conn: sa.Connection) -> pd.DataFrame:
    """Per unit list, the surrogate key (of the version in force in it) and district of every
    commune- and district-level unit. Fetched by DuckDB itself (~60,000 rows: 0.04 s, where rows
    turned into Python tuples first took 0.4 s a night), with the dtypes ``frame`` gives."""
    keys = conn.connection.driver_connection.execute(  # type: ignore[union-attr]
        "select l.list_id as unit_list, d.unit_code, d.admin_unit_key, d.district_code"
        " from dw.dim_admin_unit d join ref.unit_list l on l.valid_from between d.valid_from"
        " and d.valid_to where d.level in ('commune', 'district')").df()
    for column in ("unit_list", "unit_code", "district_code"):
        keys[column] = keys[column].astype("str")
    keys["admin_unit_key"] = keys["admin_unit_key"].astype("int64")
    return keys
