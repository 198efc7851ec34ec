"""The benchmark's inputs, generated once and cached: a month-end national night of 2026, a year of
daily ID-card workbooks of the 2021 era (and a week of it for the scheduler), a resent file, and the
sample night.

Each function writes into ``cache/<name>-v<VERSION>-<parameters>/``: the workbooks in ``landing/``,
then ``landing.json`` (what ``Landing`` says, and how long generation took) last, as the marker
that the folder is complete. A folder without its marker is generated again from scratch; one with
it is returned at once. Generation is never timed by the harness; it prints its progress and time.

    python bench/datasets.py                 # everything, full sizes, into var/bench/cache
    python bench/datasets.py --quick         # the quick bench's sizes
    python bench/datasets.py national resent # some of them
"""

from __future__ import annotations

import argparse
import calendar
import functools
import json
import multiprocessing
import os
import random
import shutil
import time as clock
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

VERSION = 1  # part of every cache folder's name: raise it whenever what is generated changes
REPO = Path(__file__).resolve().parents[1]
DEFAULT_CACHE = REPO / "var" / "bench" / "cache"
NATIONAL_MONTH = (2026, 10)  # samples.kinds.PERIOD_2026
NATIONAL_DEADLINE = date(2026, 12, 31)  # the 2026 campaign's target deadline, stated in every daily workbook
BACKFILL_YEAR = 2022  # the list of 3/2/2021 is in force from 3/2/2021 to 6/5/2023: every day of 2022 resolves
WEEK_DAYS = 7
WORKERS = 2  # processes writing the backfill's workbooks
POOL_FROM = 1000  # workbooks; fewer are written in this process (a spawned worker costs seconds to start)


@dataclass(frozen=True)
class Landing:
    """A generated landing folder: how many workbooks, how many data rows (rows that name a unit,
    bound for a fact table or the quarantine), and what it is, in words."""

    path: Path
    workbooks: int
    data_rows: int
    what: str


def national_days() -> list[date]:
    """The days of the national night's month, October 2026."""
    year, month = NATIONAL_MONTH
    first = date(year, month, 1)
    return [first + timedelta(days=n) for n in range(calendar.monthrange(year, month)[1])]


def national_cutoff() -> datetime:
    """The month-end night's cut-off: 01:00 on 1/11/2026, Vietnam time (the scheduled run's
    logical date); every file of ``national_2026`` arrived before it, ``resent`` after it."""
    from etl.clock import VIETNAM

    return datetime.combine(national_days()[-1] + timedelta(days=1), time(1, 0), VIETNAM)


def _cached(cache: Path, name: str, make: Callable[[Path], tuple[int, int, str]]) -> Landing:
    """The landing folder ``cache/name/landing``: read from its marker when complete, else made by
    ``make(landing)`` (which returns workbooks, data rows and the words) and then marked complete."""
    folder = Path(cache).resolve() / name
    marker = folder / "landing.json"
    if marker.exists():
        done = json.loads(marker.read_text(encoding="utf-8"))
        return Landing(folder / "landing", done["workbooks"], done["data_rows"], done["what"])
    if folder.exists():
        shutil.rmtree(folder)  # an interrupted generation: start again
    landing = folder / "landing"
    landing.mkdir(parents=True)
    print(f"generating {name} into {landing} ...", flush=True)
    start = clock.perf_counter()
    workbooks, data_rows, what = make(landing)
    seconds = clock.perf_counter() - start
    result = Landing(landing, workbooks, data_rows, what)
    marker.write_text(json.dumps({**asdict(result), "path": str(landing), "generated_in_s": round(seconds, 1),
                                  "version": VERSION}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"  {name}: {workbooks:,} workbooks, {data_rows:,} data rows, generated in {seconds:.1f} s", flush=True)
    return result


# The national night of October 2026 ----------------------------------------------------------------

def national_provinces(provinces: int | None = None) -> list:
    """The first ``provinces`` of the 34 (all when None), by code, with their communes (samples.units)."""
    from samples.units import load_provinces_2025

    chosen = load_provinces_2025()
    if provinces is not None:
        if not 1 <= provinces <= len(chosen):
            raise ValueError(f"provinces must be 1 to {len(chosen)}, not {provinces}")
        chosen = chosen[:provinces]
    return chosen


def _national_daily(province) -> tuple:
    """A province's October 2026 daily workbook: its plan, days and counts (gen_daily)."""
    from gen_daily import day_counts, make_province

    days = national_days()
    first = days[0]
    units = [(c.name, c.unit_type, 1) for c in province.communes]
    plan = make_province("national", province, "2025", units, NATIONAL_DEADLINE, (NATIONAL_DEADLINE - first).days + 1)
    return plan, days, [day_counts("national", plan, day) for day in days]


def _national_file(plan) -> str:
    year, month = NATIONAL_MONTH
    return f"{plan.code}_{plan.slug}_Bieu03_CCCD_T{month:02d}-{year}.xlsx"


def write_national_daily(landing: Path, province) -> tuple[Path, int]:
    """Write a province's (``samples.units.Province`` of 2025) October 2026 ID-card workbook into
    ``landing``, arriving on the evening of 31/10/2026; the file and its data rows."""
    from gen_daily import arrival, write_daily

    plan, days, counts = _national_daily(province)
    path = landing / _national_file(plan)
    write_daily(path, plan, days, counts, arrival("national", plan, days[-1]))
    return path, len(days) * len(plan.units)


def national_2026(cache: Path, provinces: int | None = None) -> Landing:
    """A month-end night of October 2026: the 34 provinces' monthly workbooks (the samples' own, with
    their seeded faults) and, per province, one workbook of sheet 03 with every day of the month, one
    row per commune and day (the list of 1/7/2025). Every file arrived on the evening of 31/10/2026.
    ``provinces``: the first N provinces only (the quick bench)."""
    name = f"national_2026-v{VERSION}-{provinces or 34}p"

    def make(landing: Path) -> tuple[int, int, str]:
        from etl.clock import VIETNAM
        from samples import generate_samples
        from samples.plan import stamp_arrival

        chosen = national_provinces(provinces)
        codes = {p.code for p in chosen}
        monthly = landing.parent / "monthly"  # the samples' kind, all 34, of which the chosen are moved
        generate_samples(monthly, seed=2021, kinds=("monthly_2026",))
        truth = json.loads((monthly / "truth.json").read_text(encoding="utf-8"))
        workbooks = data_rows = 0
        last_day = national_days()[-1]
        for entry in truth["workbooks"]:
            if entry["province_code"] not in codes:
                continue
            target = landing / entry["file"]
            (monthly / entry["file"]).rename(target)
            rng = random.Random(f"national/{entry['file']}")
            minute = rng.randint(17 * 60, 23 * 60)
            stamp_arrival(target, datetime.combine(last_day, time(minute // 60, minute % 60), VIETNAM))
            workbooks += 1
            data_rows += sum(len(sheet["rows"]) for sheet in entry["sheets"].values())
        monthly_rows = data_rows
        for province in chosen:
            data_rows += write_national_daily(landing, province)[1]
            workbooks += 1
        (monthly / "truth.json").rename(landing.parent / "monthly_truth.json")
        shutil.rmtree(monthly)
        return workbooks, data_rows, (
            f"October 2026 month-end night, {len(chosen)} provinces: monthly reports ({monthly_rows:,} rows, "
            f"the samples' seeded faults included) and a month of daily ID-card rows per commune "
            f"({data_rows - monthly_rows:,} rows)")

    return _cached(cache, name, make)


def resent(cache: Path) -> Path:
    """One workbook of the national night sent again: the first province's October ID-card workbook
    with one figure changed (other bytes, the same province, sheet and period), arriving on
    2/11/2026 at 09:30, alone in its folder. Returns the file."""
    from etl.clock import VIETNAM

    def make(landing: Path) -> tuple[int, int, str]:
        from gen_daily import write_daily

        plan, days, counts = _national_daily(national_provinces(1)[0])
        counts[14][0] += 7  # 15/10: the first commune's count, corrected
        stem = _national_file(plan).removesuffix(".xlsx")
        sent_again = datetime(2026, 11, 2, 9, 30, tzinfo=VIETNAM)
        write_daily(landing / f"{stem} (gui lai).xlsx", plan, days, counts, sent_again)
        return 1, len(days) * len(plan.units), f"province {plan.code}'s October 2026 ID-card workbook, resent"

    landing = _cached(cache, f"resent-v{VERSION}", make)
    (file,) = sorted(landing.path.iterdir())
    return file


# A year of daily ID-card workbooks of the 2021 era ------------------------------------------------------

def _backfill_days(days: int) -> list[date]:
    first = date(BACKFILL_YEAR, 1, 1)
    count = (date(BACKFILL_YEAR + 1, 1, 1) - first).days
    if not 1 <= days <= count:
        raise ValueError(f"days must be 1 to {count}, not {days}")
    return [first + timedelta(days=n) for n in range(days)]


def backfill_file_name(code: str, slug: str, day: date) -> str:
    """A backfill workbook's file name: the province and its day."""
    return f"{code}_{slug}_Bieu03_CCCD_{day:%d.%m.%Y}.xlsx"


@functools.lru_cache(maxsize=4)
def _backfill_provinces(provinces: int) -> list:
    """The first ``provinces`` of the 63 of the list in force throughout ``BACKFILL_YEAR``, as
    daily-workbook plans: each district, its communes counted, with a target for the year."""
    from gen_daily import make_province

    from etl import reference
    from samples.units import list_on, load_provinces

    first, last = date(BACKFILL_YEAR, 1, 1), date(BACKFILL_YEAR, 12, 31)
    if list_on(first) != list_on(last):
        raise RuntimeError(f"a unit list changes during {BACKFILL_YEAR}; the backfill needs one list all year")
    chosen, district_info = load_provinces(on=first)
    if not 1 <= provinces <= len(chosen):
        raise ValueError(f"provinces must be 1 to {len(chosen)}, not {provinces}")
    era = reference.PRE2025
    communes = reference.communes(era, on=list_on(first)).groupby("district_code").size().to_dict()
    return [make_province("backfill", p, era,
                          [(district_info[d][0], district_info[d][2], communes.get(d, 1)) for d in p.districts],
                          last, (last - first).days + 1)
            for p in chosen[:provinces]]


def _write_backfill(plan, days: Sequence[date], landing: Path) -> int:
    """One province's daily workbooks (a worker's task); how many were written."""
    from gen_daily import arrival, day_counts, write_daily

    for day in days:
        write_daily(landing / backfill_file_name(plan.code, plan.slug, day), plan, [day],
                    [day_counts("backfill", plan, day)], arrival("backfill", plan, day))
    return len(days)


def backfill_year(cache: Path, provinces: int = 63, days: int = 365) -> Landing:
    """A year of daily ID-card workbooks of 2022: one per province and day (the first ``provinces``
    provinces, the first ``days`` days), each the province's districts on that day (about 11 rows),
    arriving that evening; written by ``WORKERS`` processes."""
    name = f"backfill_{BACKFILL_YEAR}-v{VERSION}-{provinces}p-{days}d"

    def make(landing: Path) -> tuple[int, int, str]:
        plans = _backfill_provinces(provinces)
        dates = _backfill_days(days)
        total = len(plans) * len(dates)
        written = 0
        if total < POOL_FROM:
            for plan in plans:
                written += _write_backfill(plan, dates, landing)
        else:
            # spawn: the caller may hold threads (DuckDB, pandas) that a forked child would inherit locked.
            with ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("spawn")) as pool:
                tasks = [pool.submit(_write_backfill, plan, dates, landing) for plan in plans]
                for done in as_completed(tasks):
                    written += done.result()
                    if written % (10 * len(dates)) < len(dates) or written == total:
                        print(f"  {written:,} / {total:,} workbooks", flush=True)
        rows = sum(len(p.units) for p in plans) * len(dates)
        return written, rows, (f"daily ID-card workbooks of {dates[0]:%d/%m/%Y} to {dates[-1]:%d/%m/%Y}, "
                               f"{len(plans)} provinces, one per province and day, a row per district")

    return _cached(cache, name, make)


def week(cache: Path, provinces: int = 63) -> tuple[Landing, list[datetime]]:
    """The first seven days of ``backfill_year``'s workbooks (hard links, in a folder of their own),
    and the logical dates of their seven nights: 01:00 Vietnam time of the day after each day (the
    DAG's cut-off, dags/cax_nightly.py ``night_cutoff``). Linked from the full year when it is
    cached, else from a backfill of seven days (the same bytes: every day is drawn on its own)."""
    from etl.clock import VIETNAM

    dates = _backfill_days(WEEK_DAYS)
    year = Path(cache).resolve() / f"backfill_{BACKFILL_YEAR}-v{VERSION}-{provinces}p-365d"
    source = (year / "landing") if (year / "landing.json").exists() else backfill_year(cache, provinces, WEEK_DAYS).path

    def make(landing: Path) -> tuple[int, int, str]:
        endings = tuple(f"_{day:%d.%m.%Y}.xlsx" for day in dates)
        linked = [f for f in sorted(source.iterdir()) if f.name.endswith(endings)]
        for file in linked:
            os.link(file, landing / file.name)
        plans = _backfill_provinces(provinces)
        if len(linked) != len(plans) * len(dates):
            raise RuntimeError(f"{source} holds {len(linked)} workbooks of the week, not {len(plans) * len(dates)}")
        return len(linked), sum(len(p.units) for p in plans) * len(dates), (
            f"the backfill's first {len(dates)} days ({dates[0]:%d/%m} to {dates[-1]:%d/%m/%Y}), "
            f"{len(plans)} provinces")

    nights = [datetime.combine(day + timedelta(days=1), time(1, 0), VIETNAM) for day in dates]
    return _cached(cache, f"week_{BACKFILL_YEAR}-v{VERSION}-{provinces}p", make), nights


# The sample night --------------------------------------------------------------------------------------

def sample_night(cache: Path) -> Landing:
    """The sample workbooks (``generate_samples(seed=2021)``): 481 files of both eras, faults included."""

    def make(landing: Path) -> tuple[int, int, str]:
        from samples import generate_samples

        files = generate_samples(landing, seed=2021)
        truth = json.loads((landing / "truth.json").read_text(encoding="utf-8"))
        rows = sum(len(sheet["rows"]) for entry in truth["workbooks"] for sheet in entry["sheets"].values())
        return len(files), rows, "the sample night (seed 2021): April 2021, the CCCD campaign, October 2026"

    return _cached(cache, f"sample-v{VERSION}", make)


def main() -> None:
    """Generate (or find cached) the datasets named, at full or quick size; print each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    names = ("sample", "national", "resent", "backfill", "week")
    parser.add_argument("what", nargs="*", help=f"some of {', '.join(names)} (default: all)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--quick", action="store_true", help="the quick bench's sizes")
    args = parser.parse_args()
    unknown = set(args.what) - set(names)
    if unknown:
        parser.error(f"unknown datasets {sorted(unknown)}; choose from {', '.join(names)}")
    for what in args.what or names:
        if what == "sample":
            print(sample_night(args.cache))
        elif what == "national":
            print(national_2026(args.cache, provinces=5 if args.quick else None))
        elif what == "resent":
            print(resent(args.cache))
        elif what == "backfill":
            print(backfill_year(args.cache, provinces=10, days=30) if args.quick else backfill_year(args.cache))
        else:
            landing, nights = week(args.cache)
            print(landing, f"nights {nights[0]:%d/%m/%Y %H:%M} to {nights[-1]:%d/%m/%Y %H:%M}")


if __name__ == "__main__":
    main()
