"""Publish: the mart views built once per night, then the analysts' copy swapped in atomically.

Analysts never open the loader's file: DuckDB takes one writer or many readers, never both. They
read a copy that is replaced in one rename, so they never see a half-loaded night. In the copy,
which never changes once written, each mart's rows are computed once and stored, and its view
reads them: a query on a decade of daily rows answers in milliseconds instead of recomputing
the mart from 40 million facts each time (bench/queries.py).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import sqlalchemy as sa

from etl.config import PUBLISHED_STORAGE_VERSION, Settings
from etl.load.warehouse import WarehouseError, run_script, sql_file, writer


def mart_names() -> list[str]:
    """The mart views in the order they are built (warehouse/mart/build_order.txt: a view after
    those it reads)."""
    return [line.strip() for line in sql_file("mart/build_order.txt").splitlines()
            if line.strip() and not line.startswith("#")]


def build_marts(conn: sa.Connection) -> None:
    """(Re)create every mart view, in build order."""
    for name in mart_names():
        run_script(conn, sql_file(f"mart/{name}.sql"))


# The schema of the analysts' copy holding each mart's rows as the copy was written (mart_stored.<view>).
STORED_SCHEMA = "mart_stored"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def store_marts(conn: duckdb.DuckDBPyConnection, database: str) -> list[str]:
    """In ``database`` (the analysts' copy, attached under that name): every mart view's rows stored
    in mart_stored.<view>, in build order, and the view replaced by one reading them, with its own
    comments and its columns'. A national view is computed from its province view's stored rows.
    Returns the views stored."""
    views = [row[0] for row in conn.execute(
        "select view_name from duckdb_views() where database_name = ? and schema_name = 'mart' and not internal",
        [database]).fetchall()]
    built = mart_names()
    order = [name for name in built if name in views] + sorted(set(views) - set(built))
    if not order:
        return []
    copy, stored = _quoted(database), f"{_quoted(database)}.{STORED_SCHEMA}"
    conn.execute(f"create schema {stored}")
    for name in order:
        view = f"{copy}.mart.{_quoted(name)}"
        described = conn.execute("select comment from duckdb_views() where database_name = ? and schema_name = 'mart'"
                                 " and view_name = ?", [database, name]).fetchall()
        columns = conn.execute("select column_name, comment from duckdb_columns() where database_name = ? and"
                               " schema_name = 'mart' and table_name = ? and comment is not null order by column_index",
                               [database, name]).fetchall()
        table = f"{stored}.{_quoted(name)}"
        conn.execute(f"create table {table} as select * from {view}")
        statements = [
            # Unqualified: a view binds the names it reads in its own database, under whatever name it
            # is opened.
            f"create or replace view {view} as select * from {STORED_SCHEMA}.{_quoted(name)}",
            f"comment on table {table} is {_literal(f'The rows of mart.{name} as this copy was published.')}",
            *(f"comment on view {view} is {_literal(comment)}" for (comment,) in described if comment is not None),
            *(f"comment on column {view}.{_quoted(column)} is {_literal(comment)}" for column, comment in columns)]
        conn.execute(";\n".join(statements))  # in one call: some 200 comments cost 0.1 s one by one
    return order


class PublishError(WarehouseError):
    """The analysts' copy could not be written whole; the previous one is still in place."""


@contextmanager
def _only_publisher(published: Path) -> Iterator[None]:
    """Hold the lock file beside the analysts' copy: one publisher at a time per copy (two warehouses
    may be told the same CAX_PUBLISHED), so whatever temporary file is there now is a leftover."""
    with open(published.with_name(f".{published.name}.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _remove_leftovers(published: Path, temporary: Path) -> None:
    """What a killed publish left beside the copy: its temporary file and write-ahead log (a DuckDB
    file would refuse to be copied into, being no longer empty), and the uniquely named copies of
    older versions. A WAL beside the copy itself can only come from someone writing the copy: a
    reader would replay it onto the new night."""
    for leftover in (temporary, Path(f"{temporary}.wal"), Path(f"{published}.wal"),
                     *published.parent.glob(f".{published.name}.*.tmp")):
        leftover.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def temporary_path(published: Path) -> Path:
    """Where the next copy is written, hidden beside the analysts' copy (a rename within one folder,
    one file system, is atomic)."""
    return published.with_name(f".{published.name}.publishing")


def _literal(text: object) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def copy_for_analysts(conn: duckdb.DuckDBPyConnection, published: Path,
                      storage_version: str = PUBLISHED_STORAGE_VERSION) -> Path:
    """Copy the database ``conn`` is open on to the analysts' path: a complete, checkpointed copy in
    ``storage_version`` (what the analysts' DuckDB clients open), with each mart's rows stored
    (store_marts), written beside it, flushed to disk and renamed over it. A reader sees the previous
    night or this one, never part of one; a reader with the previous file open keeps reading it until
    it reconnects.

    ``conn`` (DuckDB's, or duckdb_engine's wrapper of it) is the writer's, so nothing loads meanwhile,
    and outside a transaction: CHECKPOINT refuses to run in one."""
    published.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_path(published)
    row = conn.execute("select current_database()").fetchone()
    source = str(row[0]) if row else ""
    alias = "analysts_copy" if source != "analysts_copy" else "analysts_copy_2"
    with _only_publisher(published):
        _remove_leftovers(published, temporary)
        try:
            # Tables with their rows and constraints, views and comments, macros, sequences, types.
            conn.execute(f"attach {_literal(temporary)} as {alias} (storage_version {_literal(storage_version)})")
            try:
                conn.execute(f'copy from database "{source}" to {alias}')
                conn.execute("begin")  # one commit for the stored marts and their comments
                try:
                    store_marts(conn, alias)
                    conn.execute("commit")
                except BaseException:
                    conn.execute("rollback")
                    raise
                conn.execute(f"checkpoint {alias}")
            finally:
                conn.execute(f"detach {alias}")
            if Path(f"{temporary}.wal").exists():  # the rename would leave part of the copy behind
                raise PublishError(f"the analysts' copy {temporary} kept a write-ahead log after its checkpoint")
            _fsync(temporary)
            os.replace(temporary, published)
            _fsync(published.parent)  # the rename itself survives a power cut
        except BaseException as error:
            _remove_leftovers(published, temporary)
            if isinstance(error, (duckdb.Error, OSError)):
                raise PublishError(f"the analysts' copy {published} could not be written ({error}); analysts "
                                   "still see the previous one: mend the cause (a full disk?) and run the night "
                                   "again, which loads nothing twice and publishes") from error
            raise
    return published


def publish(settings: Settings) -> Path:
    """Build the marts in the warehouse, then publish the analysts' copy; returns its path."""
    deadlines = {"monthly": settings.monthly_deadline_days, "daily": settings.daily_deadline_days}
    with writer(settings.warehouse, deadlines) as engine:
        with engine.begin() as conn:
            build_marts(conn)
        raw = engine.raw_connection()  # DuckDB's own connection: SQLAlchemy's always opens a transaction
        try:
            assert raw.driver_connection is not None
            return copy_for_analysts(raw.driver_connection, settings.published, settings.published_storage_version)
        finally:
            raw.close()
