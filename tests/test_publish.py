"""The analysts' copy stores each mart's rows (etl.publish.store_marts): its mart views read the rows
computed when it was written, national views from their province views' stored rows, and keep
their comments. Built on a warehouse of a few rows written in code; expected values by hand."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from etl.publish import STORED_SCHEMA, copy_for_analysts
from tests.builders import query

pytestmark = pytest.mark.unit

# Two mart views of the build order, the national one reading the province one, and a view the
# build order does not know (a mart added by hand), each with comments.
WAREHOUSE = """
create schema dw;
create schema mart;
create table dw.fact_commune_staffing (province_code varchar, officers integer);
insert into dw.fact_commune_staffing values ('30', 5), ('30', 4), ('01', 7);
create view mart.staffing_by_province as select province_code, sum(officers) as officers
    from dw.fact_commune_staffing group by province_code;
create view mart.national_staffing as select count(*) as provinces_reporting, sum(officers) as officers
    from mart.staffing_by_province;
create view mart.by_hand as select max(officers) as most from dw.fact_commune_staffing;
comment on view mart.staffing_by_province is 'per province';
comment on column mart.staffing_by_province.officers is 'officers of the province';
comment on view mart.national_staffing is 'nationwide';
comment on column mart.national_staffing.provinces_reporting is 'provinces added up'
"""


@pytest.fixture
def published(tmp_path: Path) -> Path:
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    try:
        con.execute(WAREHOUSE)
        return copy_for_analysts(con, tmp_path / "published" / "warehouse.duckdb")
    finally:
        con.close()


def test_each_mart_view_reads_its_stored_rows(published: Path) -> None:
    # 30: 5 + 4 = 9, 01: 7; nationwide 2 provinces, 16 officers; the largest single figure 7.
    assert sorted(query(published, "select * from mart.staffing_by_province")) == [("01", 7), ("30", 9)]
    assert query(published, "select * from mart.national_staffing") == [(2, 16)]
    assert query(published, "select * from mart.by_hand") == [(7,)]
    views = dict(query(published, "select view_name, sql from duckdb_views() where schema_name = 'mart'"))
    assert set(views) == {"staffing_by_province", "national_staffing", "by_hand"}
    assert all(f"{STORED_SCHEMA}.{name}" in sql for name, sql in views.items())


def test_the_stored_rows_stay_when_the_facts_change(published: Path) -> None:
    """Nothing is computed when analysts query: a fact written into the copy afterwards (nobody does)
    changes no mart."""
    con = duckdb.connect(str(published))
    try:
        con.execute("insert into dw.fact_commune_staffing values ('30', 100), ('02', 1)")
        assert sorted(con.execute("select * from mart.staffing_by_province").fetchall()) == [("01", 7), ("30", 9)]
        assert con.execute("select * from mart.national_staffing").fetchall() == [(2, 16)]
    finally:
        con.close()


def test_the_views_keep_their_comments(published: Path) -> None:
    assert sorted(query(published, "select view_name, comment from duckdb_views() where schema_name = 'mart'")) == [
        ("by_hand", None), ("national_staffing", "nationwide"), ("staffing_by_province", "per province")]
    assert sorted(query(published, "select table_name, column_name, comment from duckdb_columns()"
                                   " where schema_name = 'mart' and comment is not null")) == [
        ("national_staffing", "provinces_reporting", "provinces added up"),
        ("staffing_by_province", "officers", "officers of the province")]
