"""Publish: the mart views built once per night, then the analysts' copy swapped in atomically.

Analysts never open the loader's file: DuckDB takes one writer or many readers, never both. They
read a copy that is replaced in one rename, so they never see a half-loaded night.
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
    ``storage_version`` (what the analysts' DuckDB clients open), written beside it, flushed to disk
    and renamed over it. A reader sees the previous night or this one, never part of one; a reader
    with the previous file open keeps reading it until it reconnects.

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
