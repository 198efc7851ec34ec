"""Each mart view on small inputs written by hand, in an in-memory DuckDB (no workbook, no pipeline).

A case is a folder ``tests/sql/<mart>/<case>/``: one CSV per table the mart reads, named
``<schema>.<table>.csv`` (header row = column names; tables not given are empty), and
``expected.csv``, the rows of ``mart.<mart>`` in the columns its header names, compared in any order.
tests/sql/README.md says how to add one.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from etl.load.warehouse import WAREHOUSE_SQL, ddl_files, statements
from etl.publish import mart_names

pytestmark = pytest.mark.sql

WAREHOUSE = WAREHOUSE_SQL
CASES = Path(__file__).resolve().parent
# Floating-point columns are compared at this many decimal places (write at least as many in expected.csv).
DECIMALS = 6


def _schema_scripts() -> list[Path]:
    """The loader's schema files in its order, then the marts in build order: what a warehouse holds."""
    return [*ddl_files(), *(WAREHOUSE / "mart" / f"{name}.sql" for name in mart_names())]


def _cases() -> list[Path]:
    return sorted(p for p in CASES.glob("*/*") if p.is_dir() and (p / "expected.csv").exists())


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _csv(path: Path) -> str:
    literal = str(path).replace("'", "''")
    return f"read_csv('{literal}', header = true, all_varchar = true, delim = ',', quote = '\"')"


def _csv_columns(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    return [row[0] for row in con.execute(f"describe select * from {_csv(path)}").fetchall()]


def _warehouse() -> duckdb.DuckDBPyConnection:
    """An empty warehouse with the marts; NOT NULL is lifted from the columns outside primary keys, so
    a case gives only the columns its mart reads (the others are null)."""
    con = duckdb.connect()
    for script in _schema_scripts():
        for statement in statements(script.read_text(encoding="utf-8")):
            con.execute(statement)
    keys = {(s, t, c) for s, t, columns in con.execute(
        "select schema_name, table_name, constraint_column_names from duckdb_constraints()"
        " where constraint_type = 'PRIMARY KEY'").fetchall() for c in columns}
    for schema, table, column in con.execute(
            "select c.schema_name, c.table_name, c.column_name from duckdb_columns() c"
            " join duckdb_tables() t using (database_name, schema_name, table_name)"
            " where not c.is_nullable").fetchall():
        if (schema, table, column) not in keys:
            con.execute(f"alter table {schema}.{table} alter column {_quote(column)} drop not null")
    return con


def _load(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> None:
    """Insert a CSV into a table by column name, each value cast to the column's type."""
    schema, name = table.split(".")
    types = dict(con.execute("select column_name, data_type from duckdb_columns()"
                             " where schema_name = ? and table_name = ?", [schema, name]).fetchall())
    is_table = con.execute("select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
                           [schema, name]).fetchone()
    if not types or not is_table or not is_table[0]:
        kind = "a view: give the tables it reads" if types else "not a table of warehouse/ddl"
        raise AssertionError(f"{path.name}: {table} is {kind}")
    columns = _csv_columns(con, path)
    unknown = [c for c in columns if c not in types]
    if unknown:
        raise AssertionError(f"{path.name}: {table} has no column {', '.join(unknown)} (it has {', '.join(types)})")
    casts = ", ".join(f"cast({_quote(c)} as {types[c]}) as {_quote(c)}" for c in columns)
    con.execute(f"insert into {table} by name select {casts} from {_csv(path)}")


def _normalised(columns: list[str], types: dict[str, str]) -> str:
    return ", ".join(f"round({_quote(c)}, {DECIMALS}) as {_quote(c)}" if types[c] in ("DOUBLE", "FLOAT")
                     else _quote(c) for c in columns)


def _table_text(header: list[str], rows: list[tuple]) -> str:
    shown = [["" if v is None else str(v) for v in row] for row in sorted(rows, key=repr)]
    return "\n".join("    " + ",".join(r) for r in [header, *shown])


@pytest.mark.parametrize("case", _cases(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_mart_case(case: Path) -> None:
    mart = case.parent.name
    assert mart in mart_names(), f"{case}: no view mart.{mart} in warehouse/mart/build_order.txt"
    con = _warehouse()
    given = sorted(case.glob("*.*.csv"))
    for path in given:
        _load(con, path.name.removesuffix(".csv"), path)
    if not any(p.name == "ref.indicator_definition.csv" for p in given):
        _load(con, "ref.indicator_definition", WAREHOUSE / "indicators.csv")

    expected_csv = case / "expected.csv"
    columns = _csv_columns(con, expected_csv)
    types = dict(con.execute("select column_name, data_type from duckdb_columns()"
                             " where schema_name = 'mart' and table_name = ?", [mart]).fetchall())
    unknown = [c for c in columns if c not in types]
    assert not unknown, f"expected.csv: mart.{mart} has no column {', '.join(unknown)}"
    con.execute(f"create temp table actual as select {_normalised(columns, types)} from mart.{mart}")
    casts = ", ".join(f"cast({_quote(c)} as {types[c]}) as {_quote(c)}" for c in columns)
    con.execute(f"create temp table expected as select {_normalised(columns, types)} from"
                f" (select {casts} from {_csv(expected_csv)})")
    missing = con.execute("select * from expected except all select * from actual").fetchall()
    unexpected = con.execute("select * from actual except all select * from expected").fetchall()
    if missing or unexpected:
        pytest.fail(f"mart.{mart} differs from {case.relative_to(CASES)}/expected.csv\n"
                    f"  expected but not in the view ({len(missing)}):\n{_table_text(columns, missing)}\n"
                    f"  in the view but not expected ({len(unexpected)}):\n{_table_text(columns, unexpected)}",
                    pytrace=False)


def test_every_mart_has_a_case() -> None:
    assert sorted(set(mart_names()) - {p.parent.name for p in _cases()}) == []
