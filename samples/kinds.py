"""The three kinds of submission (``ALL_KINDS``) and what fixes each: its era, reporting period
and as-of date, the CCCD campaign's dates and half-months, the template's sheets (titles, report
titles, unit lines) and the activity figures of sheet 02. Shared by every other module."""

from __future__ import annotations

from datetime import date

from etl import reference

ALL_KINDS = ("monthly_2021", "id_card_2021", "monthly_2026")
MONTHLY_2021, ID_CARD_2021, MONTHLY_2026 = ALL_KINDS

ERA = reference.PRE2025
PERIOD = (2021, 4)
AS_OF = date(2021, 4, 23)
PERIOD_2026 = (2026, 10)
AS_OF_2026 = date(2026, 10, 20)
HAI_DUONG = "30"  # the province of the article (docs/sources.md)

SHEET_01 = "Biểu 01 - Bố trí CA chính quy"
SHEET_02 = "Biểu 02 - Tình hình ANTT"
SHEET_03 = "Biểu 03 - Thu nhận hồ sơ CCCD"
SHEET_04 = "Biểu 04 - Khen thưởng"
SHEET_TITLES = {"01": SHEET_01, "02": SHEET_02, "03": SHEET_03, "04": SHEET_04}
REPORT_TITLE = {
    MONTHLY_2021: "BÁO CÁO KẾT QUẢ TRIỂN KHAI CÔNG AN XÃ, THỊ TRẤN CHÍNH QUY",
    MONTHLY_2026: "BÁO CÁO KẾT QUẢ CÔNG TÁC CÔNG AN XÃ, PHƯỜNG, ĐẶC KHU",
    ID_CARD_2021: "BÁO CÁO TIẾN ĐỘ THU NHẬN HỒ SƠ CCCD",
}
UNIT_LINE = {"01": "Đơn vị tính: đồng chí", "02": "Đơn vị tính: tin, vụ, đối tượng, đồng, hồ sơ",
             "03": "Đơn vị tính: hồ sơ", "04": "Đơn vị tính: tập thể, cá nhân"}

# The CCCD campaign: daily counts from 1/4 to 30/6/2021, sent in half-month workbooks.
CAMPAIGN_START = date(2021, 4, 1)
ID_CARD_DEADLINE = date(2021, 6, 30)
HALF_MONTHS = (
    (date(2021, 4, 1), date(2021, 4, 15)), (date(2021, 4, 16), date(2021, 4, 30)),
    (date(2021, 5, 1), date(2021, 5, 15)), (date(2021, 5, 16), date(2021, 5, 31)),
    (date(2021, 6, 1), date(2021, 6, 15)), (date(2021, 6, 16), date(2021, 6, 30)),
)

STAFFING_KEYS = ("officers", "chiefs", "deputies")  # sheet 01's figures
ACTIVITY_KEYS = (  # sheet 02's figures
    "tips_received", "crime_reports", "cases_clarified", "subjects", "admin_violation_cases", "fines_vnd",
    "education_dossiers", "rehab_dossiers", "reform_school_dossiers",
)
