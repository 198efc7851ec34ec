"""What tests build: small workbooks cell by cell, settings under a temporary folder, arrival
times, and queries on a warehouse file. One module, imported by every test that needs them."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import xlsxwriter

from etl.clock import VIETNAM
from etl.config import Settings


def write_workbook(path: Path, rows: list[list[object]], sheet: str = "Sheet1",
                   merges: Iterable[tuple[int, int, int, int, str]] = (), hidden_first: bool = False) -> Path:
    """An .xlsx with one sheet holding ``rows`` (cell by cell; "=SUM(...)" strings as formulas, other
    text as text) and ``merges`` (first row, first column, last row, last column, text); with
    ``hidden_first`` a hidden sheet comes before it."""
    return write_sheets(path, {sheet: rows}, {sheet: merges}, hidden_first)


def write_sheets(path: Path, sheets: dict[str, list[list[object]]],
                 merges: dict[str, Iterable[tuple[int, int, int, int, str]]] | None = None,
                 hidden_first: bool = False) -> Path:
    """An .xlsx with a sheet per entry of ``sheets``, in order, each written as ``write_workbook`` does."""
    book = xlsxwriter.Workbook(str(path))
    if hidden_first:
        other = book.add_worksheet("Ẩn")
        other.write(0, 0, "STT")
        other.hide()
    for sheet, rows in sheets.items():
        page = book.add_worksheet(sheet)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, str) and value.startswith("=SUM"):
                    page.write_formula(r, c, value, None, 0)
                elif isinstance(value, str):
                    page.write_string(r, c, value)  # text stays text, even '=5 người'
                elif value is not None:
                    page.write(r, c, value)
        for first_row, first_col, last_row, last_col, text in (merges or {}).get(sheet, ()):
            page.merge_range(first_row, first_col, last_row, last_col, text)
    book.close()
    return path


def arrive(path: Path, *when: int) -> Path:
    """Set a file's arrival (its modification time) to ``datetime(*when)`` in Vietnam time."""
    stamp = datetime(*when, tzinfo=VIETNAM).timestamp()  # type: ignore[misc]
    os.utime(path, (stamp, stamp))
    return path


def make_settings(root: Path) -> Settings:
    """Settings with everything under ``root``: landing/ and var/ (warehouse, published copy, staging)."""
    var = root / "var"
    return Settings(warehouse=var / "warehouse.duckdb", landing=root / "landing",
                    published=var / "published" / "warehouse.duckdb", var=var)


def build_warehouse(path: Path) -> Path:
    """A warehouse as the product builds one, before any report: the schema with its comments and the
    reference side (the writer of every night), then the marts (as publish builds them)."""
    from etl.load.warehouse import writer
    from etl.publish import build_marts

    with writer(path) as engine, engine.begin() as conn:
        build_marts(conn)
    return path


def query(warehouse: Path, sql: str) -> list[tuple]:
    """A query's rows on a warehouse file, opened read-only."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def query_frame(warehouse: Path, sql: str) -> pd.DataFrame:
    """A query's rows as Python objects (datetime.date, None), not pandas types."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        result = con.execute(sql)
        return pd.DataFrame(result.fetchall(), columns=[d[0] for d in result.description], dtype=object)
    finally:
        con.close()


def checksum(warehouse: Path, relation: str) -> str:
    """A digest of every row of a table or view, in a fixed order."""
    return hashlib.sha256(repr(query(warehouse, f"select * from {relation} order by all")).encode()).hexdigest()


def warehouse_checksums(warehouse: Path, schemas: tuple[str, ...] = ("dw", "mart"),
                        leave_out: tuple[str, ...] = ()) -> dict[str, str]:
    """Every table and view of ``schemas`` -> a digest of its rows in a fixed order, without the
    columns ``leave_out`` (a load time, where two warehouses loaded at other moments are compared),
    listed from DuckDB's catalogue so a new table or view is covered without editing a test."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        listed = con.execute("""select table_schema, table_name, list(column_name order by ordinal_position)
                                from information_schema.columns where list_contains(?, table_schema)
                                group by all order by all""", [list(schemas)]).fetchall()
        digests = {}
        for schema, name, columns in listed:
            kept = ", ".join(f'"{c}"' for c in columns if c not in leave_out)
            rows = con.execute(f"select {kept} from {schema}.{name} order by all").fetchall()
            digests[f"{schema}.{name}"] = hashlib.sha256(repr(rows).encode()).hexdigest()
        return digests
    finally:
        con.close()


def refuse_to_open(monkeypatch, name: str) -> None:
    """Opening a file named ``name`` through Python is refused, as the system refuses a file without
    read permission: chmod 000 does not stop root, and the tests may run as root. Forked readers
    inherit it."""
    real = Path.open

    def refusing(self, *args, **kwargs):
        if self.name == name:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self, *args, **kwargs)
    monkeypatch.setattr(Path, "open", refusing)
