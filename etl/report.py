"""Reading the marts back for people: Vietnamese number format and the indicator queries."""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from etl.load.warehouse import WarehouseError, frame, read


def vn_number(value: float | int | None, decimals: int = 0) -> str:
    """44123 -> '44.123'; 5.318 -> '5,32' (dot for thousands, comma for decimals)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def vn_percent(value: float | None) -> str:
    """A coverage percentage with one decimal, never rounded up to 100 (3,320 of 3,321 is 99,9%,
    not 100,0%: a gap is never rounded away)."""
    if value is None or pd.isna(value):
        return "–"
    return vn_number(math.floor(value * 10) / 10, 1)


def _frame(warehouse: Path, sql: str, params: dict | None = None) -> pd.DataFrame:
    try:
        return read(warehouse, lambda conn: frame(conn, sql, params))
    except sa.exc.DBAPIError as error:
        missing = re.search(r"Table with name (\w+) does not exist", str(error))
        if missing is None:
            raise
        # Marts are built when a night publishes: a warehouse of an older version, or whose last
        # night stopped before publishing, may lack a view this version reads.
        raise WarehouseError(
            f"the warehouse {warehouse} has no view mart.{missing.group(1)}: its marts were built by an older "
            "version, or its last night stopped before publishing. Run a night (cax ingest on the landing "
            "folder; files already taken in are skipped) to build them") from error


def national_staffing(warehouse: Path, as_of: date | None = None) -> pd.DataFrame:
    """Rows of mart.national_staffing by month (``period_start``, the month of the reports' titles; a
    row's as_of_date may fall up to 15 days after it); with ``as_of``, the latest month starting on
    or before it, as for the other indicators."""
    frame = _frame(warehouse, "select * from mart.national_staffing order by period_start, admin_era")
    if as_of is not None and not frame.empty:
        frame = frame[frame.period_start <= as_of].tail(1)
    return frame.reset_index(drop=True)


def staffing_by_province(warehouse: Path, month: date, admin_era: str) -> pd.DataFrame:
    """Rows of mart.staffing_by_province for the month (of the reports' titles) holding ``month``."""
    return _frame(warehouse, "select * from mart.staffing_by_province where admin_era = $era"
                  " and period_start = date_trunc('month', $day::date)"
                  " order by province_code", {"era": admin_era, "day": month})


# The province name the nationwide rows carry when they are listed beside the provinces.
NATIONWIDE = "Toàn quốc"


def indicators(warehouse: Path, basis: str, as_of: date | None = None, grain: str = "month") -> pd.DataFrame:
    """Rows of mart.indicators on one boundary basis, and the nationwide rows of mart.national_indicators
    beside them (province_code null, province_name 'Toàn quốc'); with ``as_of``, each indicator's latest
    period starting on or before it."""
    frame = _frame(warehouse, "select * from mart.indicators where boundary_basis = $basis and grain = $grain"
                   " union all by name"
                   " select *, null::varchar as province_code, $nationwide as province_name"
                   " from mart.national_indicators where boundary_basis = $basis and grain = $grain"
                   " order by indicator_code, period_start, admin_era, province_code nulls first",
                   {"basis": basis, "grain": grain, "nationwide": NATIONWIDE})
    if as_of is not None and not frame.empty:
        frame = frame[frame.period_start <= as_of]
        latest = frame.groupby(["indicator_code", "admin_era"]).period_start.transform("max")
        frame = frame[frame.period_start == latest]
    return frame.reset_index(drop=True)


def _milestones(warehouse: Path, mart: str, keys: str, as_of: date | None = None) -> pd.DataFrame:
    """Per campaign of ``mart``'s rows up to ``as_of`` (all when None): target, deadline, the count
    on the last day reported, the day the target was reached (by then) and days ahead."""
    return _frame(warehouse, f"""
        select {keys}, target, target_deadline,
               max(cumulative_applications) as cumulative_applications, max(report_date) as last_report_date,
               min(target_reached_date) filter (where target_reached_date <= report_date) as target_reached_date,
               max(days_ahead) filter (where target_reached_date <= report_date) as days_ahead,
               max(cumulative_applications) filter (where report_date = target_reached_date)
                   as cumulative_on_reached_date
        from mart.{mart}
        where target is not null and report_date <= coalesce($as_of::date, date '9999-12-31')
        group by all
        order by {keys}, target_deadline""", {"as_of": as_of})


def id_card_milestones(warehouse: Path, as_of: date | None = None) -> pd.DataFrame:
    """Per province and campaign, up to ``as_of``: target, deadline, the day it was reached and days ahead."""
    return _milestones(warehouse, "id_card_progress", "admin_era, province_code, province_name", as_of)


def national_id_card_milestones(warehouse: Path, as_of: date | None = None) -> pd.DataFrame:
    """Nationwide, per campaign, up to ``as_of``: the provinces' targets added up, the deadline, the
    day the nationwide count reached it and days ahead."""
    return _milestones(warehouse, "national_id_card_progress", "admin_era", as_of)


def national_totals(warehouse: Path, view: str, measures: list[str]) -> pd.DataFrame:
    """Rows of a nationwide monthly mart (national_security_activity, national_commendations), summed
    over levels."""
    sums = ", ".join(f"sum({m}) as {m}" for m in measures)
    return _frame(warehouse, f"select period_start, admin_era, {sums} from mart.{view}"
                             " group by period_start, admin_era order by period_start")


def history(warehouse: Path, province_code: str) -> pd.DataFrame:
    """Every file and submission of a province, newest first, with what became of it."""
    # A province code names another province in each era (24: Bắc Giang before July 2025, Bắc Ninh
    # after): each row is named in its own era, that of its period (blank when no period was read).
    return _frame(warehouse, """
        with submissions as (
            select s.*, d.template as sheet_code,
                   coalesce(d.admin_era, case when s.period_start >= date '2025-07-01' then '2025'
                                              when s.period_start is not null then 'pre2025' end) as era
            from audit.submission s
            left join dw.dim_submission d using (submission_id)
            where s.province_code = $code
        )
        select s.received_at, s.file_name, s.sheet, s.sheet_code, coalesce(s.era, '') as admin_era,
               coalesce(p.province_name, '') as province_name, s.period_start, s.period_end, s.status,
               s.rows_read, s.rows_loaded, s.rows_quarantined, s.warnings, coalesce(s.reason, '') as reason
        from submissions s
        left join dw.dim_province p on p.admin_era = s.era and p.province_code = s.province_code
        order by s.received_at desc, s.file_name, s.sheet""", {"code": province_code})


def completeness(warehouse: Path, month_start: date) -> pd.DataFrame:
    """mart.reporting_completeness for the periods inside one month."""
    return _frame(warehouse, """
        select * from mart.reporting_completeness
        where period_start >= $start and period_start < $start::date + interval 1 month
        order by sheet, province_code, period_start""", {"start": month_start})


def months_reported(warehouse: Path) -> list[date]:
    """Months for which some monthly report was accepted."""
    frame = _frame(warehouse, "select distinct period_start from mart.reporting_completeness"
                              " where sheet <> '03' and status in ('on_time', 'late') order by 1")
    return list(frame.period_start)


STAFFING_INDICATORS = ("communes_in_scope", "communes_staffed", "officers", "coverage_pct", "officers_per_commune")


def staffing_on_basis(warehouse: Path, month: date, admin_era: str, basis: str,
                      as_of_date: date | None = None) -> pd.DataFrame:
    """Staffing per province for the month holding ``month`` (the month of the reports' titles, not of
    their as-of dates): as reported (mart.staffing_by_province), or re-aggregated to the 34 provinces of
    2025 (from mart.indicators), whose rows are dated ``as_of_date`` (the national row's date)."""
    if basis == "as_reported":
        return staffing_by_province(warehouse, month, admin_era)
    codes = ", ".join(f"'{c}'" for c in STAFFING_INDICATORS)
    long = _frame(warehouse, f"""
        select province_code, province_name, indicator_code, value, comparability from mart.indicators
        where boundary_basis = $basis and grain = 'month'
          and period_start = date_trunc('month', $day::date) and indicator_code in ({codes})""",
                  {"basis": basis, "day": month})
    if long.empty:
        return long
    wide = long.pivot_table(index=["province_code", "province_name"], columns="indicator_code", values="value",
                            aggfunc="first").reset_index()
    wide["comparability"] = long.groupby("province_code").comparability.agg(
        lambda values: "partial" if "partial" in set(values) else "exact").reindex(wide.province_code).values
    for count in ("communes_in_scope", "communes_staffed", "officers"):
        if count in wide:  # counts, not 366.0 (mart.indicators keeps every value as a double)
            wide[count] = wide[count].round().astype("Int64")
    wide.insert(0, "admin_era", "2025")
    wide.insert(0, "as_of_date", as_of_date)
    wide["period_start"] = month.replace(day=1)
    return wide.sort_values("province_code").reset_index(drop=True)


def write_load_summary(folder: Path, run_id: str, outcomes) -> Path:
    """A night's load summary, every submission with its whole reason, as CSV in ``folder``
    (var/reports/); its path. ``outcomes`` are the night's FileOutcome records."""
    import csv

    from etl.safe import path_part

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"load_summary_{path_part(run_id)}.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["file", "sheet", "province", "status", "rows_read", "rows_loaded", "rows_quarantined",
                         "warnings", "reason"])
        for o in outcomes:
            writer.writerow([o.file_name, o.sheet or "", o.province_code or "", o.status, o.rows_read,
                             o.rows_loaded, o.rows_quarantined, o.warnings, o.reason or ""])
    return path
