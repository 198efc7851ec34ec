"""The four sheets of the template (docs/template.md), described as data.

Everything sheet-specific that extraction, validation and loading need: which dataset and
suite a sheet feeds, its cadence (monthly or daily), its figures, whether a blank count means
zero, and what a data row names (a commune, a district or commune, a commendation level).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SheetSpec:
    code: str
    title: str  # the sheet's name in the template
    dataset: str  # the Great Expectations suite and staging name
    fact_table: str
    cadence: str  # "monthly": one calendar month; "daily": the dates it lists
    name_column: str  # the column that names what a data row is about
    figures: tuple[str, ...]
    dates: tuple[str, ...] = ()
    blank_is_zero: bool = False  # docs/template.md: in sheets 02 and 04 a blank count means zero
    name_pattern: str = ""  # how provinces name the sheet (on its header_key), to break ties


SHEETS: dict[str, SheetSpec] = {
    "01": SheetSpec("01", "Biểu 01 - Bố trí CA chính quy", "commune_staffing", "dw.fact_commune_staffing", "monthly",
                    "commune_name",
                    ("officers", "chiefs", "deputies"), ("staffed_date",),
                    name_pattern=r"\bbieu ?0?1\b|\bbo tri\b|\bbien che\b"),
    "02": SheetSpec("02", "Biểu 02 - Tình hình ANTT", "security_activity", "dw.fact_security_activity", "monthly",
                    "commune_name",
                    ("tips_received", "crime_reports", "cases_clarified", "subjects", "admin_violation_cases",
                     "fines_vnd", "education_dossiers", "rehab_dossiers", "reform_school_dossiers"),
                    blank_is_zero=True, name_pattern=r"\bbieu ?0?2\b|\bantt\b|\ban ninh\b"),
    "03": SheetSpec("03", "Biểu 03 - Thu nhận hồ sơ CCCD", "id_card_applications",
                    "dw.fact_id_card_applications", "daily", "unit_name",
                    ("applications",), ("report_date",), name_pattern=r"\bbieu ?0?3\b|\bcccd\b|\bcan cuoc\b"),
    "04": SheetSpec("04", "Biểu 04 - Khen thưởng", "commendation", "dw.fact_commendation", "monthly",
                    "level_written",
                    ("collectives", "individuals"), blank_is_zero=True,
                    name_pattern=r"\bbieu ?0?4\b|\bkhen thuong\b"),
}
DATASETS = {spec.dataset: spec for spec in SHEETS.values()}
