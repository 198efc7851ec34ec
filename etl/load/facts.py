"""Accepted data rows -> fact rows, one pure function per dataset (keys looked up, types set)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from etl.extract.sheets import DATASETS


def _date_key(days: pd.Series) -> pd.Series:
    """yyyymmdd as a number (dw.dim_date's key); by arithmetic, 10x faster than formatting text."""
    stamps = pd.to_datetime(days).dt
    return (stamps.year * 10000 + stamps.month * 100 + stamps.day).astype("int64")


def _with_keys(rows: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    """Rows with the unit's surrogate key and district, from dw.dim_admin_unit."""
    return rows.merge(keys, on=["unit_list", "unit_code"], how="left", validate="many_to_one")


def _counts(frame: pd.DataFrame, columns: tuple[str, ...], nullable: bool = False) -> dict[str, pd.Series]:
    kind = "Int64" if nullable else "int64"
    return {c: pd.to_numeric(frame[c]).round().astype(kind) for c in columns}


def commune_staffing(rows: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    facts = _with_keys(rows, keys)
    return pd.DataFrame({
        "submission_id": facts.submission_id, "as_of_date": facts.as_of_date, "date_key": _date_key(facts.as_of_date),
        "admin_era": facts.admin_era, "province_code": facts.province_code, "district_code": facts.district_code,
        "unit_code": facts.unit_code, "admin_unit_key": facts.admin_unit_key.astype("int64"),
        "unit_list": facts.unit_list, **_counts(facts, ("officers",)),
        **_counts(facts, ("chiefs", "deputies"), nullable=True),
        "staffed_date": facts.staffed_date, "note": facts.note, "source_row": facts.row_number.astype("int64"),
    })


SECURITY_FIGURES = DATASETS["security_activity"].figures


def security_activity(rows: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    facts = _with_keys(rows, keys)
    return pd.DataFrame({
        "submission_id": facts.submission_id, "period_start": facts.period_start, "period_end": facts.period_end,
        "date_key": _date_key(facts.period_start), "admin_era": facts.admin_era,
        "province_code": facts.province_code, "district_code": facts.district_code, "unit_code": facts.unit_code,
        "admin_unit_key": facts.admin_unit_key.astype("int64"), "unit_list": facts.unit_list,
        **_counts(facts, SECURITY_FIGURES),
        "note": facts.note, "source_row": facts.row_number.astype("int64"),
    })


def id_card_applications(rows: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    facts = _with_keys(rows, keys)
    return pd.DataFrame({
        "submission_id": facts.submission_id, "report_date": facts.report_date,
        "date_key": _date_key(facts.report_date), "admin_era": facts.admin_era,
        "province_code": facts.province_code, "unit_level": facts.unit_level, "unit_code": facts.unit_code,
        "admin_unit_key": facts.admin_unit_key.astype("int64"), "unit_list": facts.unit_list,
        **_counts(facts, ("applications",)),
        "source_row": facts.row_number.astype("int64"),
    })


def commendation(rows: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "submission_id": rows.submission_id, "period_start": rows.period_start, "period_end": rows.period_end,
        "date_key": _date_key(rows.period_start), "admin_era": rows.admin_era, "province_code": rows.province_code,
        "level": rows.level, **_counts(rows, ("collectives", "individuals")),
        "source_row": rows.row_number.astype("int64"),
    })


BUILDERS: dict[str, Callable[[pd.DataFrame, pd.DataFrame], pd.DataFrame]] = {
    "commune_staffing": commune_staffing,
    "security_activity": security_activity,
    "id_card_applications": id_card_applications,
    "commendation": commendation,
}
