"""The same unit's figures in its previous period, for the outlier rules of the suites.

Only units of the same era are compared: a code means another unit after the 2025 merger, so a
unit whose boundaries changed between the two periods has no previous value and is skipped.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from etl.load.warehouse import frame, has_table, read

# dataset -> (fact table, the column dating a row, the figures compared)
COMPARED = {
    "commune_staffing": ("dw.fact_commune_staffing", "as_of_date", ("officers",)),
    "security_activity": ("dw.fact_security_activity", "period_start", ("tips_received", "crime_reports")),
}


# The warehouse's figures read last, by dataset, with the state of the files they were read from.
_READ: dict[str, tuple[tuple, pd.DataFrame]] = {}


def _state(warehouse: Path) -> tuple:
    """What changes when the warehouse is written or replaced: its file's and its write-ahead log's
    identity (device, inode), size and times (a copy that kept the times has another inode)."""
    def stat(path: Path) -> tuple:
        try:
            found = path.stat()
        except FileNotFoundError:
            return ()
        return found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns
    return str(warehouse.resolve()), stat(warehouse), stat(warehouse.with_name(warehouse.name + ".wal"))


def earlier_figures(dataset: str, warehouse: Path) -> pd.DataFrame:
    """The compared figures of every unit and period the warehouse holds for ``dataset`` (a copy).

    Read once per state of the warehouse's files: the validating process (etl.validate.process)
    reads them while the night's workbooks are parsed, and validation takes them from here, unless
    the warehouse was written in between.
    """
    table, dated_by, figures = COMPARED[dataset]
    state = _state(warehouse)
    if dataset not in _READ or _READ[dataset][0] != state:
        def earlier(conn: sa.Connection) -> pd.DataFrame:
            if not has_table(conn, *table.split(".")):
                return pd.DataFrame()
            return frame(conn, f"select admin_era, unit_code, {dated_by} as dated, {', '.join(figures)} from {table}")

        _READ[dataset] = (state, read(warehouse, earlier))
    return _READ[dataset][1].copy()


def with_previous(dataset: str, rows: pd.DataFrame, warehouse: Path | None) -> pd.DataFrame:
    """``rows`` with a ``previous_<figure>`` column for each compared figure (null when none)."""
    if dataset not in COMPARED or rows.empty:
        return rows
    table, dated_by, figures = COMPARED[dataset]
    out = rows.copy()
    for figure in figures:
        out[f"previous_{figure}"] = float("nan")
    if warehouse is None or not warehouse.exists():
        return out
    before = earlier_figures(dataset, warehouse)
    if before.empty:
        return out
    before["dated"] = pd.to_datetime(before["dated"])
    before = before.sort_values("dated").rename(columns={f: f"previous_{f}" for f in figures})
    left = out.drop(columns=[f"previous_{f}" for f in figures]).reset_index()
    left["dated"] = pd.to_datetime(left[dated_by])
    # The keys as plain objects on both sides: a night whose every unit is unknown has a column of
    # None (object) where the warehouse's are strings, which merge_asof refuses to match.
    for key in ("admin_era", "unit_code"):
        left[key], before[key] = (column.astype(object).where(column.notna(), None)
                                  for column in (left[key], before[key]))
    # Earlier periods only: a resubmission of the same period is not its own previous period.
    matched = pd.merge_asof(left.sort_values("dated"), before, on="dated", by=["admin_era", "unit_code"],
                            allow_exact_matches=False, direction="backward")
    matched = matched.set_index("index").sort_index()
    for figure in figures:
        out[f"previous_{figure}"] = pd.to_numeric(matched[f"previous_{figure}"], errors="coerce").astype(float)
    return out
