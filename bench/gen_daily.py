"""The benchmark's daily ID-card workbooks (sheet 03, docs/template.md section 5) and their figures.

One workbook holds one province's days: the template's title block (with the target cell), the
header, one row per unit and day (every row carries its date), and the total row. Before July 2025
the units are the province's districts ("Huyện, thị xã, thành phố"), from that date its xã, phường
and đặc khu ("Xã, phường, đặc khu"), named exactly as the unit list writes them.

Every figure is drawn from a generator seeded by the province and the day (``day_random``), never
from what was drawn before, so a day's workbook is the same bytes whichever days, provinces or
processes generate it: a week is the first seven days of the year, a resent file its original with
one figure changed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from etl.clock import VIETNAM
from samples.books import XlsxBook
from samples.kinds import REPORT_TITLE, SHEET_03, UNIT_LINE
from samples.plan import province_words, stamp_arrival
from samples.spelling import dmy, vn_int
from samples.tables import Col, Row, Sum, Table, title_rows, write_table
from samples.units import Province

SEED = "cax-bench-1"  # part of every generator's seed: change it (and the cache version) to draw anew
TITLE = REPORT_TITLE["id_card_2021"]  # "BÁO CÁO TIẾN ĐỘ THU NHẬN HỒ SƠ CCCD"
UNIT_HEADINGS = {"pre2025": "Huyện, thị xã, thành phố", "2025": "Xã, phường, đặc khu"}
# Applications on a weekday per unit, by unit type: a commune takes a few dozen, a district the sum
# of its communes'. Saturdays and Sundays are quieter; each day's count varies around its rate.
COMMUNE_RATE = {"phường": (8, 40), "xã": (4, 25), "thị trấn": (6, 30), "đặc khu": (1, 8)}
DISTRICT_RATE_PER_COMMUNE = (1.5, 7)  # a district (huyện, quận, thị xã, thành phố): its communes' together
WEEKDAY_FACTOR = (1.0, 1.0, 1.0, 1.0, 1.0, 0.6, 0.35)
DAY_NOISE = (0.6, 1.4)
# A campaign's target: the expected count up to its deadline, give or take a tenth.
TARGET_MARGIN = (0.9, 1.1)


@dataclass(frozen=True)
class DailyProvince:
    """What a province's daily workbooks need: its names, its units and their rates, its target."""

    code: str
    era: str
    police: str          # 'CÔNG AN TỈNH HẢI DƯƠNG', the title block's line
    police_office: str   # 'Công an tỉnh Hải Dương', the workbook's author
    slug: str            # 'hai_duong', for file names
    units: tuple[str, ...]       # unit names as the list writes them, in the list's order
    rates: tuple[float, ...]     # applications on a weekday, per unit
    target: int
    deadline: date


def day_random(kind: str, code: str, day: date | None = None) -> random.Random:
    """The generator of one province (``day`` None: its rates and target) or of one province's day."""
    return random.Random(f"{SEED}/{kind}/{code}/{day.isoformat() if day else 'province'}")


def unit_rate(unit_type: str, communes: int, rng: random.Random) -> float:
    """A unit's applications on a weekday: a commune's by its type, a district's by its ``communes``."""
    if unit_type in COMMUNE_RATE:
        return rng.uniform(*COMMUNE_RATE[unit_type])
    return communes * rng.uniform(*DISTRICT_RATE_PER_COMMUNE)


def make_province(kind: str, province: Province, era: str, units: Sequence[tuple[str, str, int]],
                  deadline: date, campaign_days: int) -> DailyProvince:
    """A province's daily-workbook plan from its ``units`` (name, unit type, communes under it, 1 for
    a commune); the target is about its expected count over ``campaign_days`` days."""
    rng = day_random(kind, province.code)
    rates = tuple(unit_rate(unit_type, communes, rng) for _, unit_type, communes in units)
    mean_week = sum(WEEKDAY_FACTOR) / len(WEEKDAY_FACTOR)
    target = int(round(sum(rates) * mean_week * campaign_days * rng.uniform(*TARGET_MARGIN), -2))
    return DailyProvince(province.code, era, province.police, province.police_office, province_words(province)[2],
                         tuple(name for name, _, _ in units), rates, target, deadline)


def day_counts(kind: str, province: DailyProvince, day: date) -> list[int]:
    """Each unit's applications on ``day``."""
    rng = day_random(kind, province.code, day)
    factor = WEEKDAY_FACTOR[day.weekday()]
    return [round(rate * factor * rng.uniform(*DAY_NOISE)) for rate in province.rates]


def arrival(kind: str, province: DailyProvince, day: date, earliest: int = 17 * 60, latest: int = 23 * 60) -> datetime:
    """When a workbook sent on ``day`` arrived: between ``earliest`` and ``latest`` minutes after midnight."""
    rng = random.Random(f"{SEED}/{kind}/{province.code}/{day.isoformat()}/arrival")
    minute = rng.randint(earliest, latest)
    return datetime(day.year, day.month, day.day, minute // 60, minute % 60, rng.randint(0, 59), tzinfo=VIETNAM)


def daily_table(province: DailyProvince, days: Sequence[date], counts: Sequence[Sequence[int]]) -> Table:
    """Sheet 03 of ``days`` (counts per day, per unit): title block with the target, header, rows, total."""
    cols = [Col("date", "Ngày", width=12), Col("unit", UNIT_HEADINGS[province.era], width=30),
            Col("applications", "Số hồ sơ thu nhận trong ngày", width=16)]
    first, last = days[0], days[-1]
    period = (f"Số liệu ngày {first:%d/%m/%Y}" if first == last
              else f"Từ ngày {first:%d/%m/%Y} đến ngày {last:%d/%m/%Y}")
    target = f"Chỉ tiêu được giao: {vn_int(province.target)} hồ sơ, thời hạn {dmy(province.deadline)}"
    title, target_row = title_rows(province.police, TITLE, period, 4, UNIT_LINE["03"], len(cols) - 1, target)
    rows = [Row("data", {"date": day, "unit": name, "applications": count})
            for day, day_count in zip(days, counts, strict=True)
            for name, count in zip(province.units, day_count, strict=True)]
    rows.append(Row("total", {"date": "Tổng cộng", "unit": None, "applications": Sum(sum(map(sum, counts)))}))
    return Table("03", SHEET_03, title, cols, rows, "date", False, target_row)


def write_daily(path: Path, province: DailyProvince, days: Sequence[date], counts: Sequence[Sequence[int]],
                received: datetime, fast: bool = True) -> None:
    """Write one daily workbook, its modification time ``received``: with the template writer
    (``gen_xlsx.ZipBook``) when ``fast``, else with xlsxwriter."""
    created = received - timedelta(minutes=25)
    title = "Báo cáo tiến độ thu nhận hồ sơ CCCD"
    if fast:
        from gen_xlsx import ZipBook

        book: XlsxBook | ZipBook = ZipBook(path, created, title, province.police_office, SHEET_03)
    else:
        book = XlsxBook(path, created, title, province.police_office)
    sheet, _ = write_table(book, daily_table(province, days, counts), set())
    book.close(sheet)
    stamp_arrival(path, received)
