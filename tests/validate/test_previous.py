"""The previous period's figures beside a night's rows (etl.validate.previous), on a tiny warehouse."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest

from etl.validate.previous import with_previous

pytestmark = pytest.mark.unit


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema dw; create table dw.fact_commune_staffing "
                "(admin_era varchar, unit_code varchar, as_of_date date, officers integer)")
    con.execute("insert into dw.fact_commune_staffing values ('pre2025', '10507', '2021-02-20', 4), "
                "('pre2025', '10507', '2021-03-20', 5), ('2025', '10507', '2021-03-20', 9)")
    con.close()
    return path


def _rows(codes: list[str | None]) -> pd.DataFrame:
    # As the staged rows come from Parquet: text columns in pandas' string dtype, a column of
    # nothing but missing codes as objects.
    return pd.DataFrame({"admin_era": pd.array(["pre2025"] * len(codes), dtype="string"),
                         "unit_code": codes if all(c is None for c in codes) else pd.array(codes, dtype="string"),
                         "as_of_date": [date(2021, 4, 23)] * len(codes), "officers": [6.0] * len(codes)})


def test_a_unit_gets_its_latest_earlier_figure_of_its_own_era(warehouse):
    out = with_previous("commune_staffing", _rows(["10507", "99999"]), warehouse)
    assert out["previous_officers"].tolist()[0] == 5.0  # March, not February; not the 2025 unit's 9
    assert pd.isna(out["previous_officers"].tolist()[1])


def test_a_night_whose_every_unit_is_unknown_has_no_previous_figures(warehouse):
    out = with_previous("commune_staffing", _rows([None, None]), warehouse)
    assert out["previous_officers"].isna().all() and len(out) == 2


def test_figures_read_ahead_are_read_again_once_the_warehouse_is_written(warehouse):
    """The validating process reads the earlier figures while the workbooks are parsed; a warehouse
    written in between (another night, a correction) is read again, never answered from memory."""
    assert with_previous("commune_staffing", _rows(["10507"]), warehouse)["previous_officers"].tolist() == [5.0]
    con = duckdb.connect(str(warehouse))
    con.execute("update dw.fact_commune_staffing set officers = 7 where as_of_date = '2021-03-20' "
                "and admin_era = 'pre2025'")
    con.close()
    assert with_previous("commune_staffing", _rows(["10507"]), warehouse)["previous_officers"].tolist() == [7.0]
