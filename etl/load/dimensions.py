"""The reference side of the star, written once per warehouse (units, provinces, dates) or on
every night (indicator definitions, reporting rules)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import sqlalchemy as sa

from etl import reference
from etl.load.warehouse import WAREHOUSE_SQL, insert_frame, insert_row

DATE_RANGE = (date(2019, 1, 1), date(2030, 12, 31))


def record_indicator_definitions(conn: sa.Connection) -> None:
    """ref.indicator_definition from warehouse/indicators.csv, replaced on every run."""
    definitions = pd.read_csv(WAREHOUSE_SQL / "indicators.csv", dtype=str, keep_default_na=False)
    definitions["scale"] = pd.to_numeric(definitions["scale"].replace("", None))
    definitions = definitions.replace({"numerator": {"": None}, "denominator": {"": None}})
    conn.exec_driver_sql("delete from ref.indicator_definition")
    insert_frame(conn, "ref.indicator_definition", definitions)


def record_reporting_rules(conn: sa.Connection, deadlines: dict[str, int] | None = None) -> None:
    """ref.reporting_rule: days after a period's end by which its report is due, per cadence
    (``deadlines``, by default those of the settings)."""
    if deadlines is None:
        from etl.config import load_settings

        settings = load_settings()
        deadlines = {"monthly": settings.monthly_deadline_days, "daily": settings.daily_deadline_days}
    conn.exec_driver_sql("delete from ref.reporting_rule")
    for cadence, days in deadlines.items():
        insert_row(conn, "ref.reporting_rule", {"cadence": cadence, "deadline_days": days})


def load_reference(conn: sa.Connection) -> None:
    """ref.admin_unit and its crosswalk, dw.dim_admin_unit, dw.dim_province and dw.dim_date."""
    units = reference.admin_units()
    insert_frame(conn, "ref.admin_unit", units)
    insert_frame(conn, "ref.admin_unit_crosswalk", reference.crosswalk())
    dims = units.copy()
    dims.insert(0, "admin_unit_key", range(1, len(dims) + 1))
    dims["is_current"] = dims.admin_era == reference.ERA2025
    insert_frame(conn, "dw.dim_admin_unit", dims.drop(columns=["parent_code"]))
    provinces = units[units.level == "province"].copy()
    in_scope = units[units.is_in_scope].groupby(["admin_era", "province_code"]).size()
    provinces["communes_in_scope"] = [int(in_scope.get((e, c), 0))
                                      for e, c in zip(provinces.admin_era, provinces.unit_code, strict=True)]
    provinces = provinces.rename(columns={"unit_code": "province_code_", "name": "province_name"})
    insert_frame(conn, "dw.dim_province", pd.DataFrame({
        "province_key": range(1, len(provinces) + 1), "admin_era": provinces.admin_era,
        "province_code": provinces.province_code, "province_name": provinces.province_name,
        "short_name": provinces.short_name, "communes_in_scope": provinces.communes_in_scope,
        "valid_from": provinces.valid_from, "valid_to": provinces.valid_to,
        "is_current": provinces.admin_era == reference.ERA2025,
    }))
    days = pd.date_range(*DATE_RANGE, freq="D")
    insert_frame(conn, "dw.dim_date", pd.DataFrame({
        "date_key": days.strftime("%Y%m%d").astype(int), "full_date": days.date, "year": days.year,
        "quarter": days.quarter, "month": days.month, "day": days.day,
        "month_start": days.to_period("M").start_time.date,
        "month_end": (days + pd.offsets.MonthEnd(0)).date, "iso_weekday": days.day_of_week + 1,
        "is_weekend": days.day_of_week >= 5, "admin_era": [reference.era_of(d) for d in days.date],
    }))
