"""Every view, table and column of mart, dw, audit and ref is described (issue 12): the data dictionary
(cax docs) is written from these comments, and analysts read them with duckdb_columns(). Checked on a
warehouse built as the product builds one, on its analysts' copy, and on a warehouse whose comments
were lost (they come back each time the schema is ensured)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from etl.load.warehouse import writer
from etl.publish import copy_for_analysts
from tests.builders import query

pytestmark = pytest.mark.sql

SCHEMAS = ("mart", "dw", "audit", "ref")
IN_SCHEMAS = "schema_name in ('mart', 'dw', 'audit', 'ref')"
# Each relation and column whose comment is missing or blank, by its qualified name.
UNDESCRIBED = f"""
    select schema_name || '.' || table_name from duckdb_tables()
    where {IN_SCHEMAS} and coalesce(trim(comment), '') = ''
    union all
    select schema_name || '.' || view_name from duckdb_views()
    where not internal and {IN_SCHEMAS} and coalesce(trim(comment), '') = ''
    union all
    select schema_name || '.' || table_name || '.' || column_name from duckdb_columns()
    where {IN_SCHEMAS} and coalesce(trim(comment), '') = ''
    order by 1"""


def _undescribed(warehouse: Path) -> list[str]:
    return [name for (name,) in query(warehouse, UNDESCRIBED)]


def _fail_naming(missing: list[str]) -> None:
    if missing:
        pytest.fail(f"{len(missing)} relations or columns have no comment:\n  " + "\n  ".join(missing)
                    + "\nadd a COMMENT ON after the CREATE (warehouse/ddl/<schema>/<table>.sql or "
                      "warehouse/mart/<view>.sql)", pytrace=False)


def test_every_relation_and_column_of_the_four_schemas_has_a_comment(built_warehouse):
    relations = query(built_warehouse, f"""
        select schema_name, count(*) from (
            select schema_name from duckdb_tables() where {IN_SCHEMAS}
            union all select schema_name from duckdb_views() where not internal and {IN_SCHEMAS})
        group by all""")
    # Every schema is there (12 mart views; 9 dw, 5 audit and 8 ref tables when this was written).
    assert {schema for schema, _ in relations} == set(SCHEMAS)
    assert dict(relations)["mart"] >= 12 and dict(relations)["dw"] >= 9
    _fail_naming(_undescribed(built_warehouse))


def test_the_analysts_copy_keeps_every_comment(built_warehouse, tmp_path):
    published = tmp_path / "published" / "warehouse.duckdb"
    con = duckdb.connect()
    try:
        con.execute(f"attach '{built_warehouse}' as built (read_only); use built")
        copy_for_analysts(con, published)
    finally:
        con.close()
    described = f"select count(*) from duckdb_columns() where {IN_SCHEMAS} and comment <> ''"
    assert query(published, described) == query(built_warehouse, described)
    _fail_naming(_undescribed(published))


def _strip(warehouse: Path) -> None:
    """Remove one comment of each kind, as a warehouse made before they existed lacks them."""
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("comment on table audit.quarantine is null")
        con.execute("comment on column audit.quarantine.rule is ''")
        con.execute("comment on column dw.fact_commune_staffing.unit_list is null")
        con.execute("comment on view mart.indicators is null")
    finally:
        con.close()


def test_a_missing_comment_is_named(built_warehouse, tmp_path):
    copy = Path(shutil.copy(built_warehouse, tmp_path / "warehouse.duckdb"))
    _strip(copy)
    assert _undescribed(copy) == ["audit.quarantine", "audit.quarantine.rule", "dw.fact_commune_staffing.unit_list",
                                  "mart.indicators"]
    with pytest.raises(pytest.fail.Exception, match="audit.quarantine.rule"):
        _fail_naming(_undescribed(copy))


def test_the_comments_come_back_each_time_the_schema_is_ensured(built_warehouse, tmp_path):
    """A warehouse made before the comments gets them from the next writer (every night opens one);
    the marts' own come back when a night publishes (build_marts)."""
    copy = Path(shutil.copy(built_warehouse, tmp_path / "warehouse.duckdb"))
    _strip(copy)
    with writer(copy, {"monthly": 5, "daily": 16}):
        pass
    assert _undescribed(copy) == ["mart.indicators"]
    assert query(copy, "select comment from duckdb_columns() where schema_name = 'audit'"
                       " and table_name = 'quarantine' and column_name = 'rule'")[0][0].startswith("Id of the rule")
