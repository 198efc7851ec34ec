"""The analysts' queries on their copy of the warehouse: how long the first query of a new process
takes (cold) and the same query again in the same connection (warm), for the three questions an
analyst asks most: the national staffing line (``mart.national_staffing``, as the README's "For
analysts" reads it), one province's ID-card campaign (``mart.id_card_progress``) and every
indicator of one month (``mart.indicators``).

Cold is measured inside a fresh ``python`` process, from ``duckdb.connect`` to the last row fetched
(the interpreter's start and ``import duckdb`` excluded; they are in the process's time, from its
start to its first answer, reported beside). The operating system's file cache is left as it is:
cold here means a new process, not a disk read. Every answer is checked against figures worked out
from the fact tables with other SQL, so a fast wrong answer fails the benchmark.

    python bench/queries.py PUBLISHED.duckdb [--repeats 5]
    python bench/queries.py --quick          # on the quick history of bench/history.py
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

# What an analyst asks: the province (era and code together: a code means another province in each
# era; '30' was Hải Dương before 1/7/2025) and the month.
PROVINCE = ("pre2025", "30")
MONTH = date(2026, 10, 1)

# Run in a fresh interpreter: the connection and the first query timed together (cold), then the
# same query again ``repeats`` times on that connection (warm). Each answer is a line of its own
# after MARK: DuckDB draws its progress bar on the same output for a query over 2 s.
MARK = "probe: "
PROBE = """
import json, sys, time
import duckdb
published, sql, repeats, MARK = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
start = time.perf_counter()
con = duckdb.connect(published, read_only=True)
rows = con.execute(sql).fetchall()
print("\\n" + MARK + json.dumps({"cold_s": time.perf_counter() - start, "rows": len(rows)}), flush=True)
warm = []
for _ in range(repeats):
    start = time.perf_counter()
    con.execute(sql).fetchall()
    warm.append(time.perf_counter() - start)
con.close()
print("\\n" + MARK + json.dumps({"warm_s": warm}))
"""


class WrongAnswer(AssertionError):
    """A query's answer disagrees with the figures worked out from the facts."""


Row = dict[str, Any]


@dataclass(frozen=True)
class Query:
    sql: str
    check: Callable[[duckdb.DuckDBPyConnection, list[Row]], None]


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> tuple:
    row = con.execute(sql, params or []).fetchone()
    assert row is not None
    return row


def _expect(ok: bool, what: str) -> None:
    if not ok:
        raise WrongAnswer(what)


def check_national(con: duckdb.DuckDBPyConnection, rows: list[Row]) -> None:
    """One line per month any province reported sheet 01; every line within bounds; the last line's
    officers are the in-scope officers of that month's sheet-01 rows (one report per province)."""
    months = _one(con, "select count(distinct (admin_era, period_start)) from dw.dim_submission where template = '01'")
    _expect(len(rows) == months[0], f"{len(rows)} national lines for {months[0]} months reported")
    for row in rows:
        coverage = row["coverage_pct"]
        _expect(0 < row["provinces_reporting"] <= row["provinces_expected"]
                and 0 <= row["communes_staffed"] <= row["communes_in_scope"]
                and row["officers"] >= row["communes_staffed"]
                and (coverage is None or 0 <= coverage <= 100), f"a national line out of bounds: {row}")
    last = rows[-1]
    facts = _one(con, """
        select sum(f.officers) filter (where u.is_in_scope), count(distinct s.province_code)
        from dw.fact_commune_staffing f
        join dw.dim_submission s using (submission_id)
        join dw.dim_admin_unit u using (admin_unit_key)
        where s.template = '01' and s.admin_era = ? and s.period_start = ?""",
                 [last["admin_era"], last["period_start"]])
    _expect((last["officers"], last["provinces_reporting"]) == facts, f"the last line {last}; the facts {facts}")


def check_id_card_progress(con: duckdb.DuckDBPyConnection, rows: list[Row]) -> None:
    """A row per day the province reported, with the day's applications; the count cumulated within
    each campaign, never falling; days ahead only once the target is reached."""
    facts = _one(con, """
        select count(distinct report_date), sum(applications) from dw.fact_id_card_applications
        where admin_era = ? and province_code = ?""", list(PROVINCE))
    applications = sum(r["applications"] for r in rows)
    _expect((len(rows), applications) == facts, f"{len(rows)} days and {applications} applications; the facts {facts}")
    previous: dict[date, int] = {}
    for row in rows:
        cumulative, deadline = row["cumulative_applications"], row["target_deadline"]
        reached = row["target_reached_date"]
        _expect(cumulative == previous.get(deadline, 0) + row["applications"], f"not cumulated on {row}")
        previous[deadline] = cumulative
        _expect((reached is None) == (row["days_ahead"] is None)
                and (reached is None or cumulative >= row["target"]), f"reached without the target on {row}")


def check_indicators(con: duckdb.DuckDBPyConnection, rows: list[Row]) -> None:
    """The month's ID-card applications summed over the provinces as reported are the facts' sum;
    officers are given for every province that reported sheet 01; coverage within 0 to 100."""
    def values(code: str) -> list[float]:
        return [r["value"] for r in rows if r["indicator_code"] == code and r["boundary_basis"] == "as_reported"]

    facts = _one(con, """
        select sum(applications) from dw.fact_id_card_applications
        where report_date between ? and last_day(?::date)""", [MONTH, MONTH])
    _expect(sum(values("id_card_applications")) == facts[0],
            f"{sum(values('id_card_applications'))} applications in the month; the facts {facts[0]}")
    provinces = _one(con, "select count(*) from dw.dim_submission where template = '01' and period_start = ?",
                     [MONTH])
    _expect(len(values("officers")) == provinces[0], f"officers of {len(values('officers'))} provinces of"
                                                     f" {provinces[0]} that reported")
    _expect(all(0 <= v <= 100 for v in values("coverage_pct")), "a coverage outside 0 to 100")


QUERIES = {
    "national_staffing": Query("select * from mart.national_staffing order by period_start", check_national),
    "id_card_progress, one province": Query(
        f"select * from mart.id_card_progress where admin_era = '{PROVINCE[0]}' and province_code = '{PROVINCE[1]}'"
        " order by report_date", check_id_card_progress),
    "indicators, one month": Query(
        f"select * from mart.indicators where grain = 'month' and period_start = date '{MONTH}'", check_indicators),
}


def _probe(published: Path, sql: str, repeats: int) -> dict:
    """One new process: its cold and warm seconds, and its time from its start to its first answer."""
    start = time.perf_counter()
    seen: dict = {}
    with subprocess.Popen([sys.executable, "-c", PROBE, str(published), sql, str(repeats), MARK],
                          stdout=subprocess.PIPE, text=True) as probe:
        assert probe.stdout is not None
        for line in probe.stdout:
            if line.startswith(MARK):
                seen.update(json.loads(line.removeprefix(MARK)))
                seen.setdefault("process_s", time.perf_counter() - start)  # at its first answer
    if probe.returncode or "warm_s" not in seen:
        raise RuntimeError(f"the query process failed ({probe.returncode}): {sql}")
    return seen


def _check(published: Path) -> dict[str, int]:
    """Each query's answer against the facts (outside the timings); its row count."""
    con = duckdb.connect(str(published), read_only=True)
    try:
        counted = {}
        for name, query in QUERIES.items():
            result = con.execute(query.sql)
            columns = [c[0] for c in result.description]
            rows = [dict(zip(columns, row, strict=True)) for row in result.fetchall()]
            _expect(bool(rows), f"{name}: no rows")
            query.check(con, rows)
            counted[name] = len(rows)
        return counted
    finally:
        con.close()


def query_latencies(published: Path, repeats: int = 5) -> dict[str, dict[str, float]]:
    """Per query: the median cold (a new process's connection and first query) and warm (the same
    query again, ``repeats`` times in each process) latencies in ms, the median whole process's ms,
    and the rows of its answer, checked. ``repeats`` processes per query, the queries interleaved."""
    rows = _check(published)
    seen: dict[str, list[dict]] = {name: [] for name in QUERIES}
    for _ in range(repeats):
        for name, query in QUERIES.items():
            seen[name].append(_probe(published, query.sql, repeats))
    result = {}
    for name, probes in seen.items():
        _expect({p["rows"] for p in probes} == {rows[name]}, f"{name}: another answer in a new process")
        result[name] = {
            "cold_ms": 1000 * statistics.median(p["cold_s"] for p in probes),
            "warm_ms": 1000 * statistics.median(statistics.median(p["warm_s"]) for p in probes),
            "process_ms": 1000 * statistics.median(p["process_s"] for p in probes),
            "rows": rows[name],
        }
    return result


def print_latencies(latencies: dict[str, dict[str, float]]) -> None:
    width = max(len(name) for name in latencies)
    print(f"{'query'.ljust(width)}  {'cold ms':>8}  {'warm ms':>8}  {'process ms':>10}  {'rows':>7}")
    for name, seen in latencies.items():
        print(f"{name.ljust(width)}  {seen['cold_ms']:8.1f}  {seen['warm_ms']:8.1f}  {seen['process_ms']:10.0f}"
              f"  {seen['rows']:7,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("published", type=Path, nargs="?", help="an analysts' copy (default: the history's)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="the quick history (2025 and 2026 so far)")
    parser.add_argument("--cache", type=Path, default=Path("var/bench"))
    args = parser.parse_args()
    published = args.published
    if published is None:
        from history import build_history

        published = build_history(args.cache, quick=args.quick).published
    print_latencies(query_latencies(published, args.repeats))


if __name__ == "__main__":
    main()
