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


REFERENCE_TABLES = ("ref.unit_list", "ref.admin_unit", "ref.admin_unit_crosswalk", "ref.admin_unit_to_2025",
                    "ref.province_crosswalk", "ref.province_scope", "dw.dim_admin_unit", "dw.dim_province")
# Facts that point at a unit version, and the level of their units.
KEYED_FACTS = ("dw.fact_commune_staffing", "dw.fact_security_activity", "dw.fact_id_card_applications")
_ERA_VALIDITY = {reference.PRE2025: (date(1900, 1, 1), date(2025, 6, 30)),
                 reference.ERA2025: (reference.ERA_SWITCH_DATE, date(9999, 12, 31))}


def unit_list_frame() -> pd.DataFrame:
    """``ref.unit_list``: the dated lists the warehouse knows, with their validity and size."""
    rows = []
    for unit_list in reference.unit_lists():
        units = reference.snapshot(unit_list.list_id)
        communes = units[units.level == "commune"]
        rows.append({"list_id": unit_list.list_id, "list_date": unit_list.data_date,
                     "valid_from": unit_list.valid_from, "valid_to": unit_list.valid_to,
                     "admin_era": unit_list.admin_era, "origin": unit_list.origin, "source": unit_list.source,
                     "units": len(communes), "communes_in_scope": int(communes.is_in_scope.sum())})
    return pd.DataFrame(rows)


def _recorded_lists(conn: sa.Connection) -> list[tuple]:
    from etl.load.warehouse import has_table

    if not has_table(conn, "ref", "unit_list"):
        return []
    return [tuple(r) for r in conn.exec_driver_sql(
        "select list_id, valid_from, valid_to, source, units from ref.unit_list order by list_id").fetchall()]


def prepare_reference(conn: sa.Connection) -> None:
    """Before the DDL runs: a warehouse from before the dated lists kept ref.province_crosswalk as a
    view and ref.admin_unit keyed by era; the reference tables are rebuilt whole, so drop them."""
    from etl.load.warehouse import has_table

    views = {r[0] for r in conn.exec_driver_sql(
        "select table_schema || '.' || table_name from information_schema.tables where table_type = 'VIEW'").fetchall()}
    if "ref.province_crosswalk" in views:
        conn.exec_driver_sql("drop view ref.province_crosswalk")
    if has_table(conn, "ref", "admin_unit") and not has_table(conn, "ref", "unit_list"):
        for table in REFERENCE_TABLES:
            conn.exec_driver_sql(f"drop table if exists {table}")


def sync_reference(conn: sa.Connection) -> bool:
    """Load the reference side when the warehouse's lists are not those known now (a new warehouse,
    a list imported with ``cax units import``): ref.*, dw.dim_admin_unit and dw.dim_province are
    rebuilt, and every fact is pointed at its unit's version again. Returns whether it did."""
    lists = unit_list_frame()
    wanted = [(r.list_id, r.valid_from, r.valid_to, r.source, r.units) for r in lists.itertuples(index=False)]
    if _recorded_lists(conn) == sorted(wanted):
        return False
    for table in REFERENCE_TABLES:
        conn.exec_driver_sql(f"delete from {table}")
    insert_frame(conn, "ref.unit_list", lists)
    load_reference(conn)
    rekey_facts(conn)
    return True


def rekey_facts(conn: sa.Connection) -> None:
    """Point every fact row at the version of its unit in force in its unit list (rows loaded before
    the dated lists were resolved against their era's latest list)."""
    for era in reference.ERAS:
        latest = reference.unit_lists_of_era(era)[-1].list_id
        for table in (*KEYED_FACTS, "dw.dim_submission"):
            conn.exec_driver_sql(f"update {table} set unit_list = $list where unit_list is null and admin_era = $era",
                                 {"list": latest, "era": era})
    for table in KEYED_FACTS:
        conn.exec_driver_sql(f"""
            update {table} f set admin_unit_key = d.admin_unit_key
            from dw.dim_admin_unit d, ref.unit_list l
            where l.list_id = f.unit_list and d.unit_code = f.unit_code and d.level in ('commune', 'district')
              and l.valid_from between d.valid_from and d.valid_to""")


def load_reference(conn: sa.Connection) -> None:
    """ref.admin_unit (the history), its crosswalks and scope counts, dw.dim_admin_unit (type 2 over
    every list), dw.dim_province (one row per province of each era, named as in its latest list)
    and dw.dim_date."""
    units = reference.admin_units()
    insert_frame(conn, "ref.admin_unit", units)
    insert_frame(conn, "ref.admin_unit_crosswalk", reference.crosswalk())
    insert_frame(conn, "ref.admin_unit_to_2025", reference.chain_to_2025())
    insert_frame(conn, "ref.province_crosswalk", reference.province_crosswalk())
    scope = reference.province_scope()
    insert_frame(conn, "ref.province_scope", scope)
    dims = units.drop(columns=["parent_code", "first_list", "last_list"]).copy()
    dims.insert(0, "admin_unit_key", range(1, len(dims) + 1))
    dims["is_current"] = dims.valid_to == units.valid_to.max()
    insert_frame(conn, "dw.dim_admin_unit", dims)
    frames = []
    for era in reference.ERAS:
        latest = reference.unit_lists_of_era(era)[-1].list_id
        frames.append(scope[scope.list_id == latest])
    provinces = pd.concat(frames, ignore_index=True)
    insert_frame(conn, "dw.dim_province", pd.DataFrame({
        "province_key": range(1, len(provinces) + 1), "admin_era": provinces.admin_era,
        "province_code": provinces.province_code, "province_name": provinces.province_name,
        "short_name": [reference.split_prefix(n, "province")[1] for n in provinces.province_name],
        "communes_in_scope": provinces.communes_in_scope,
        "valid_from": provinces.admin_era.map(lambda e: _ERA_VALIDITY[e][0]),
        "valid_to": provinces.admin_era.map(lambda e: _ERA_VALIDITY[e][1]),
        "is_current": provinces.admin_era == reference.ERA2025,
    }))
    if conn.exec_driver_sql("select count(*) from dw.dim_date").fetchall()[0][0]:
        return
    days = pd.date_range(*DATE_RANGE, freq="D")
    insert_frame(conn, "dw.dim_date", pd.DataFrame({
        "date_key": days.strftime("%Y%m%d").astype(int), "full_date": days.date, "year": days.year,
        "quarter": days.quarter, "month": days.month, "day": days.day,
        "month_start": days.to_period("M").start_time.date,
        "month_end": (days + pd.offsets.MonthEnd(0)).date, "iso_weekday": days.day_of_week + 1,
        "is_weekend": days.day_of_week >= 5, "admin_era": [reference.era_of(d) for d in days.date],
    }))
