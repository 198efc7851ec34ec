"""A synthetic history of the warehouse for the analysts' query benchmark (bench/queries.py).

Ten calendar years of reports (2016 to 2025) and 2026 up to 31 October, in the project's own star
schema, made the way the loader makes a warehouse (``etl.load.warehouse.ensure_schema``, the
reference side from ``etl.load.dimensions``) and then filled in DuckDB with SQL: daily ID-card
applications of every commune-level unit (the ~10,600 units of the lists before 1 July 2025, the
3,321 after), monthly staffing and security activity per unit, monthly commendations per province
and level, one ID-card target per province and campaign (a year; the last of the 63 provinces ends
on 30 June 2025). Every fact row points at a ``dw.dim_submission`` row (one per province, sheet and
period: a month, a half month for the daily sheet) with its ``audit.submission`` and ``audit.file``
rows, at the unit version in force in the list of its date, as a loaded night leaves it. Figures
are pseudo-random from hashes of the unit and the day, so two builds are identical. The marts and
the analysts' copy are then made by ``etl.publish.publish``, the night's own path.

The ten years start on 1 January 2016: the brief's 38 million ID-card rows counted ~10,600 units
for all ten years, but from July 2025 there are 3,321, so ten years back from 31 October 2026 hold
37.7 million fact rows; from 1 January 2016 they hold 41.2 million. The quick history (``quick``,
for make bench-quick) is 2025 and 2026 so far: 3.7 million rows over both eras.

    python bench/history.py [--quick] [--cache DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb

from etl.config import Settings
from etl.extract.aliases import LEVELS
from etl.load.warehouse import WAREHOUSE_SQL, engine_for, ensure_schema
from etl.publish import publish
from etl.unit_lists import ERA_SWITCH_DATE

# Bump when what is generated changes: a cached history of another version is built again.
VERSION = "1"
LAST_DAY = date(2026, 10, 31)
FACT_TABLES = ("dw.fact_id_card_applications", "dw.fact_commune_staffing", "dw.fact_security_activity",
               "dw.fact_commendation", "dw.fact_id_card_target")
# The level that gives no commendation after 1 July 2025 (no districts: etl/extract/table.py).
DISTRICT_LEVEL = "Cấp huyện"
MIB = 1024 * 1024
ROOT = WAREHOUSE_SQL.parent
PUBLISH_STEP = "publish (etl.publish): marts, the analysts' copy"


@dataclass
class History:
    """A built history: where its warehouse and analysts' copy are, what it holds, what it cost."""

    warehouse: Path
    published: Path
    first_day: date
    last_day: date
    fact_rows: dict[str, int]
    build_s: float  # the whole build: schema and reference, facts, audit, publish
    publish_s: float  # etl.publish.publish alone: the marts and the analysts' copy
    seconds: dict[str, float] = field(default_factory=dict)  # per step of the build
    warehouse_mib: float = 0.0
    published_mib: float = 0.0
    cached: bool = False  # read from the cache rather than built now

    @property
    def total_fact_rows(self) -> int:
        return sum(self.fact_rows.values())


def first_day_of(years: int) -> date:
    """1 January ``years`` years before the last day's year: whole calendar years, then 2026 so far."""
    return date(LAST_DAY.year - years, 1, 1)


def _digest(*paths: Path) -> str:
    """Of the files at ``paths`` (folders whole): a history made with other DDL is made again, and one
    published with other marts or another publish is published again."""
    sha = hashlib.sha256()
    for top in paths:
        for path in sorted([top] if top.is_file() else top.rglob("*")):
            if path.is_file():
                sha.update(path.relative_to(ROOT).as_posix().encode() + path.read_bytes())
    return sha.hexdigest()[:12]


def _settings(folder: Path) -> Settings:
    return Settings(warehouse=folder / "warehouse.duckdb", landing=folder / "landing",
                    published=folder / "published" / "warehouse.duckdb", var=folder)


def build_history(cache: Path, years: int = 10, quick: bool = False) -> History:
    """The history ending 31/10/2026 (``years`` calendar years before 2026, one with ``quick``),
    built under ``cache`` unless a complete one of this version is there; prints what it cost."""
    first_day = first_day_of(1 if quick else years)
    span = f"{first_day:%Y%m%d}-{LAST_DAY:%Y%m%d}"
    folder = cache.resolve() / f"history-v{VERSION}-{_digest(WAREHOUSE_SQL / 'ddl')}-{span}"
    marker = folder / "built.json"
    settings = _settings(folder)
    marts_key = _digest(WAREHOUSE_SQL / "mart", WAREHOUSE_SQL / "indicators.csv", ROOT / "etl" / "publish.py")
    if marker.exists():
        recorded = json.loads(marker.read_text(encoding="utf-8"))
        history = _history_from(recorded["history"], settings)
        if recorded["marts"] != marts_key:  # the same facts, other marts: publish them again
            history.publish_s = _timed(lambda: publish(settings))
            history.seconds[PUBLISH_STEP] = history.publish_s
            history.published_mib = settings.published.stat().st_size / MIB
            _write_marker(marker, history, marts_key)
            print(f"history: marts changed, published again in {history.publish_s:.1f} s")
        history.cached = True
        _print(history)
        return history
    for stale in cache.resolve().glob(f"history-*-{span}"):  # of another version: a gigabyte each
        shutil.rmtree(stale, ignore_errors=True)
    folder.mkdir(parents=True)
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    seconds["schema and reference (ensure_schema)"] = _timed(lambda: _make_schema(settings))
    con = duckdb.connect(str(settings.warehouse))
    try:
        for step, statements in _steps(first_day):
            started = time.perf_counter()
            con.execute(statements)
            seconds[step] = time.perf_counter() - started
        fact_rows = {table: _count(con, table) for table in FACT_TABLES}
        seconds["checkpoint"] = _timed(lambda: con.execute("checkpoint"))
    finally:
        con.close()
    publish_s = seconds[PUBLISH_STEP] = _timed(lambda: publish(settings))
    history = History(
        warehouse=settings.warehouse, published=settings.published, first_day=first_day, last_day=LAST_DAY,
        fact_rows=fact_rows, build_s=time.perf_counter() - start, publish_s=publish_s, seconds=seconds,
        warehouse_mib=settings.warehouse.stat().st_size / MIB, published_mib=settings.published.stat().st_size / MIB)
    _write_marker(marker, history, marts_key)  # last: a build killed before it is started again
    _print(history)
    return history


def _timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"select count(*) from {table}").fetchone()
    return int(row[0]) if row else 0


def _make_schema(settings: Settings) -> None:
    """The schema and the reference side, as the loader makes them for a new warehouse."""
    engine = engine_for(settings.warehouse)
    try:
        ensure_schema(engine, {"monthly": settings.monthly_deadline_days, "daily": settings.daily_deadline_days})
    finally:
        engine.dispose()


def _write_marker(marker: Path, history: History, marts_key: str) -> None:
    recorded = {"version": VERSION, "marts": marts_key, "history": asdict(history) | {"cached": False}}
    marker.write_text(json.dumps(recorded, default=str, indent=1), encoding="utf-8")


def _history_from(recorded: dict, settings: Settings) -> History:
    """The History a marker recorded, at the paths of this cache (it may have moved since)."""
    return History(**{**recorded, "warehouse": settings.warehouse, "published": settings.published,
                      "first_day": date.fromisoformat(recorded["first_day"]),
                      "last_day": date.fromisoformat(recorded["last_day"])})


def _print(history: History) -> None:
    state = "cached" if history.cached else "built"
    print(f"history {history.first_day:%d/%m/%Y}-{history.last_day:%d/%m/%Y} {state}: "
          f"{history.total_fact_rows:,} fact rows in {history.build_s:.1f} s "
          f"(publish {history.publish_s:.1f} s); warehouse {history.warehouse_mib:.0f} MiB, "
          f"analysts' copy {history.published_mib:.0f} MiB")
    for step, seconds in history.seconds.items():
        print(f"  {seconds:7.1f} s  {step}")
    for table, rows in history.fact_rows.items():
        print(f"  {rows:>12,}  {table}")


def _literal(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _campaign_deadlines(first_day: date) -> list[tuple[str, date]]:
    """(era, deadline) of each ID-card campaign: a year, ending on 31 December; the 63 provinces'
    last ends the day before the era switch."""
    eve = ERA_SWITCH_DATE - timedelta(days=1)
    deadlines = [("pre2025", date(year, 12, 31)) for year in range(first_day.year, eve.year)]
    if first_day <= eve:
        deadlines.append(("pre2025", eve))
    deadlines += [("2025", date(year, 12, 31)) for year in range(ERA_SWITCH_DATE.year, LAST_DAY.year + 1)]
    return deadlines


def _steps(first_day: date) -> list[tuple[str, str]]:
    """The SQL that fills the warehouse, step by step: (what it makes, the statements)."""
    first, last, switch = _literal(first_day), _literal(LAST_DAY), _literal(ERA_SWITCH_DATE)
    levels = ", ".join(f"({_literal(label)}, {rank})" for rank, (label, _) in enumerate(LEVELS, start=1))
    deadlines = ", ".join(f"({_literal(era)}, date {_literal(day)})" for era, day in _campaign_deadlines(first_day))
    # fraction(a, b, salt): a pseudo-random fraction in [0, 1) from a hash of its arguments.
    return [
        ("calendar, unit lists, files and submissions", f"""
        create temp macro fraction(a, b, salt) as (hash(a, b, salt) % 100000) / 100000.0;
        create temp macro date_key(d) as year(d) * 10000 + month(d) * 100 + day(d);
        -- dw.dim_date starts in 2019 (etl/load/dimensions.py): the years before it, alike.
        insert into dw.dim_date
        select date_key(d), d, year(d), quarter(d), month(d), day(d),
               date_trunc('month', d)::date, last_day(d), isodow(d), isodow(d) >= 6,
               case when d >= date {switch} then '2025' else 'pre2025' end
        from (select unnest(generate_series(date {first}, (select min(full_date) from dw.dim_date) - 1,
                                            interval 1 day))::date as d);
        -- Each day with the unit list in force on it (the oldest list before the first), and how
        -- busy it is: Sundays and Saturdays less, the first half of 2021 (the chip-card drive) more.
        create temp table day_list as
        select d.day, date_key(d.day) as date_key,
               coalesce(l.list_id, (select list_id from ref.unit_list order by valid_from limit 1)) as unit_list,
               case isodow(d.day) when 7 then 0.2 when 6 then 0.6 else 1.0 end
               * case when d.day between date '2021-01-01' and date '2021-06-30' then 4 else 1 end as busy
        from (select unnest(generate_series(date {first}, date {last}, interval 1 day))::date as day) d
        left join ref.unit_list l on d.day between l.valid_from and l.valid_to;
        -- The commune-level units of each list, at the version in force in it; how many a province
        -- has in the list; each unit's size (ID-card applications on an ordinary day) and the month
        -- its regular police started (the programme reached every unit by mid-2021).
        create temp table list_unit as
        select l.list_id as unit_list, d.admin_unit_key, d.unit_code, d.province_code, d.district_code,
               row_number() over (partition by l.list_id, d.province_code order by d.unit_code) as unit_rank,
               count(*) over (partition by l.list_id, d.province_code) as province_units,
               2 + hash(d.unit_code) % 19 as size,
               (date '2016-01-01' + to_months((hash(d.unit_code, 'staffed') % 66)::integer))::date as staffed_from
        from ref.unit_list l
        join dw.dim_admin_unit d on d.level = 'commune' and l.valid_from between d.valid_from and d.valid_to;
        -- The files: a monthly workbook (sheets 01, 02, 04) per province and month, an ID-card
        -- workbook (sheet 03) per province and half month, each sent some days after its period.
        create temp table history_file as
        with months as (
            select unnest(generate_series(date {first}, date {last}, interval 1 month))::date as month_start
        ),
        periods as (
            select 'monthly' as kind, month_start as period_start, last_day(month_start) as period_end from months
            union all
            select 'daily', month_start, month_start + 14 from months
            union all
            select 'daily', month_start + 15, last_day(month_start) from months
        ),
        named as (
            select p.kind, v.province_code, v.admin_era, p.period_start, p.period_end,
                   case p.kind when 'monthly'
                       then format('{{}}_BaoCao_T{{:02d}}-{{}}.xlsx', v.province_code, month(p.period_start),
                                   year(p.period_start))
                       else format('{{}}_CCCD_{{:02d}}-{{:02d}}_T{{:02d}}-{{}}.xlsx', v.province_code,
                                   day(p.period_start), day(p.period_end), month(p.period_start), year(p.period_start))
                   end as file_name
            from periods p
            join dw.dim_province v on p.period_start between v.valid_from and v.valid_to
        )
        select *, sha256('history v{VERSION} ' || file_name) as sha256,
               period_end::timestamp
               + to_days((1 + hash(file_name) % case kind when 'monthly' then 7 else 12 end)::integer)
               + to_hours((8 + hash(file_name, 'hour') % 9)::integer) as received_at,
               date_trunc('day', received_at) + interval 1 day + interval 1 hour as loaded_at,
               'history-' || strftime(loaded_at, '%Y-%m-%d') as run_id
        from named;
        -- A submission per sheet of each file; its unit list is the one in force on its as-of date
        -- (sheet 01, the 23rd) or its period's end.
        create temp table history_submission as
        select f.*, s.template, left(f.sha256, 16) || '-' || s.template as submission_id,
               'Biểu ' || s.template as sheet,
               case when s.template = '01' then f.period_start + 22 end as as_of_date,
               coalesce(as_of_date, f.period_end) as units_date, d.unit_list
        from history_file f
        join (values ('monthly', '01'), ('monthly', '02'), ('monthly', '04'), ('daily', '03')) s(kind, template)
            using (kind)
        join day_list d on d.day = coalesce(case when s.template = '01' then f.period_start + 22 end, f.period_end);
        insert into dw.dim_submission by name
        select submission_id, file_name, sha256, sheet, template, province_code, admin_era, period_start, period_end,
               as_of_date, received_at, loaded_at, 'loaded' as status, unit_list, units_date
        from history_submission;
        """),
        ("dw.fact_id_card_applications (daily, every unit)", """
        create temp table day_submission as
        select d.day, d.date_key, d.unit_list, d.busy, s.province_code, s.admin_era, s.submission_id, s.period_start
        from day_list d
        join history_submission s
          on s.template = '03'
         and s.period_start = date_trunc('month', d.day)::date + case when day(d.day) <= 15 then 0 else 15 end;
        insert into dw.fact_id_card_applications by name
        select s.submission_id, s.day as report_date, s.date_key, s.admin_era, s.province_code,
               'commune' as unit_level, u.unit_code, u.admin_unit_key,
               round(u.size * s.busy * (0.5 + fraction(u.unit_code, s.day, 'cccd')))::bigint as applications,
               6 + (s.day - s.period_start) * u.province_units + u.unit_rank as source_row, s.unit_list
        from day_submission s
        join list_unit u on u.unit_list = s.unit_list and u.province_code = s.province_code;
        """),
        ("dw.fact_commune_staffing (monthly, every unit)", """
        insert into dw.fact_commune_staffing by name
        with snapshot as (
            select s.*, u.district_code, u.unit_code, u.admin_unit_key, u.unit_rank, u.staffed_from,
                   u.staffed_from <= s.as_of_date as staffed
            from history_submission s
            join list_unit u on u.unit_list = s.unit_list and u.province_code = s.province_code
            where s.template = '01'
        )
        select submission_id, as_of_date, date_key(as_of_date) as date_key, admin_era, province_code, district_code,
               unit_code, admin_unit_key,
               case when staffed then 3 + hash(unit_code, period_start) % 5 else 0 end as officers,
               case when staffed then 1 else 0 end as chiefs,
               case when staffed then 1 + hash(unit_code, period_start, 'deputies') % 2 else 0 end as deputies,
               case when staffed then staffed_from end as staffed_date, 6 + unit_rank as source_row, unit_list
        from snapshot;
        """),
        ("dw.fact_security_activity (monthly, every unit)", """
        insert into dw.fact_security_activity by name
        with figures as (
            select s.*, u.district_code, u.unit_code, u.admin_unit_key, u.unit_rank,
                   (hash(u.unit_code, s.period_start, 'tips') % 21)::bigint as tips_received,
                   (hash(u.unit_code, s.period_start, 'cases') % 6)::bigint as admin_violation_cases
            from history_submission s
            join list_unit u on u.unit_list = s.unit_list and u.province_code = s.province_code
            where s.template = '02'
        ),
        reports as (
            select *, floor(tips_received * fraction(unit_code, period_start, 'crime') * 0.5)::bigint as crime_reports
            from figures
        ),
        cleared as (
            select *, floor(crime_reports * fraction(unit_code, period_start, 'clarified'))::bigint as cases_clarified
            from reports
        )
        select submission_id, period_start, period_end,
               date_key(period_start) as date_key, admin_era, province_code,
               district_code, unit_code, admin_unit_key, tips_received, crime_reports, cases_clarified,
               cases_clarified + hash(unit_code, period_start, 'subjects') % 3 as subjects, admin_violation_cases,
               admin_violation_cases * (500000 + hash(unit_code, period_start, 'fine') % 20 * 250000) as fines_vnd,
               (hash(unit_code, period_start, 'education') % 10 = 0)::bigint as education_dossiers,
               (hash(unit_code, period_start, 'rehab') % 20 = 0)::bigint as rehab_dossiers,
               (hash(unit_code, period_start, 'reform') % 50 = 0)::bigint as reform_school_dossiers,
               6 + unit_rank as source_row, unit_list
        from cleared;
        """),
        ("dw.fact_commendation, dw.fact_id_card_target", f"""
        insert into dw.fact_commendation by name
        select s.submission_id, s.period_start, s.period_end,
               date_key(s.period_start) as date_key, s.admin_era,
               s.province_code, l.level, (hash(s.province_code, s.period_start, l.level) % 4)::bigint as collectives,
               (hash(s.province_code, s.period_start, l.level || 'individuals') % 25)::bigint as individuals,
               6 + l.rank as source_row
        from history_submission s
        join (values {levels}) l(level, rank)
          on l.level <> {_literal(DISTRICT_LEVEL)} or s.admin_era = 'pre2025'
        where s.template = '04';
        -- A target per province and campaign, stated in its first workbook of the campaign: what
        -- its units take in on average over the campaign's days, times 0.85 to 1.15, so some
        -- provinces reach it early and some never.
        insert into dw.fact_id_card_target by name
        with campaign as (
            select era, deadline, coalesce(lag(deadline) over (partition by era order by deadline),
                                           date '1900-01-01') as after
            from (values {deadlines}) c(era, deadline)
        ),
        province_size as (
            select unit_list, province_code, sum(size) as size from list_unit group by all
        ),
        expected as (
            select c.era, c.deadline, s.province_code, sum(p.size * s.busy) as on_days_held,
                   count(*) as days_held, min(s.day) as first_day,
                   c.deadline - greatest(c.after, date {first} - 1) as days
            from campaign c
            join day_submission s on s.admin_era = c.era and s.day > c.after and s.day <= c.deadline
            join province_size p on p.unit_list = s.unit_list and p.province_code = s.province_code
            group by all
        )
        select s.submission_id, e.era as admin_era, e.province_code,
               round(e.on_days_held * e.days / e.days_held
                     * (0.85 + 0.3 * fraction(e.province_code, e.deadline, 'target')))::bigint as target,
               e.deadline as target_deadline, s.period_end as stated_on
        from expected e
        join history_submission s
          on s.template = '03' and s.province_code = e.province_code and s.admin_era = e.era
         and e.first_day between s.period_start and s.period_end;
        """),
        ("audit: files, submissions, runs", """
        insert into audit.file by name
        select sha256, file_name, province_code, received_at, run_id, 'loaded' as status, loaded_at as taken_in_at
        from history_file;
        insert into audit.submission by name
        with loaded as (
            select submission_id, count(*) as n from dw.fact_id_card_applications group by all
            union all select submission_id, count(*) from dw.fact_commune_staffing group by all
            union all select submission_id, count(*) from dw.fact_security_activity group by all
            union all select submission_id, count(*) from dw.fact_commendation group by all
        )
        select s.submission_id, s.run_id, s.file_name, s.sha256, s.province_code, s.sheet, s.template,
               s.period_start, s.period_end, s.received_at, 'loaded' as status, l.n as rows_read,
               l.n as rows_loaded, 0 as rows_quarantined, 0 as warnings
        from history_submission s
        join loaded l using (submission_id);
        insert into audit.run by name
        select s.run_id, min(s.loaded_at) as started_at, min(s.loaded_at) + interval 20 minute as finished_at,
               count(distinct s.file_name) as files_seen, count(distinct s.file_name) as files_loaded,
               0 as files_rejected, sum(a.rows_loaded) as rows_loaded, 0 as rows_quarantined
        from history_submission s
        join audit.submission a using (submission_id)
        group by s.run_id;
        """),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2025 and 2026 so far instead of ten years")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--cache", type=Path, default=Path("var/bench"))
    args = parser.parse_args()
    build_history(args.cache, years=args.years, quick=args.quick)


if __name__ == "__main__":
    main()
