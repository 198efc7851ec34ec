"""Publish: the mart views built once per night, then the analysts' copy swapped in atomically.

Analysts never open the loader's file: DuckDB takes one writer or many readers, never both. They
read a copy that is replaced in one rename, so they never see a half-loaded night.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import sqlalchemy as sa

from etl.config import Settings
from etl.load.warehouse import run_script, sql_file, writer


def mart_names() -> list[str]:
    """The mart views in the order they are built (warehouse/mart/build_order.txt: a view after
    those it reads)."""
    return [line.strip() for line in sql_file("mart/build_order.txt").splitlines()
            if line.strip() and not line.startswith("#")]


def build_marts(conn: sa.Connection) -> None:
    """(Re)create every mart view, in build order."""
    for name in mart_names():
        run_script(conn, sql_file(f"mart/{name}.sql"))


def copy_for_analysts(warehouse: Path, published: Path) -> Path:
    """Copy the warehouse to the analysts' path atomically (they never see a half-written file)."""
    published.parent.mkdir(parents=True, exist_ok=True)
    tmp = published.with_name(f".{published.name}.{os.getpid()}.tmp")
    shutil.copyfile(warehouse, tmp)
    os.replace(tmp, published)
    return published


def publish(settings: Settings) -> Path:
    """Build the marts in the warehouse, then publish the analysts' copy; returns its path."""
    deadlines = {"monthly": settings.monthly_deadline_days, "daily": settings.daily_deadline_days}
    with writer(settings.warehouse, deadlines) as engine, engine.begin() as conn:
        build_marts(conn)
    return copy_for_analysts(settings.warehouse, settings.published)
