"""End to end: every example analyst query of warehouse/queries/ runs on the sample night's analysts'
copy, opened read-only as an analyst opens it, and answers what the generator's truth says it should.

The files are found by listing the folder, so a new query is run without editing this module: it must
hold one statement, begin with its header (question, the relations it reads, how to read the answer,
its parameters), read the relations its header names, carry admin_era beside any province code and
return rows. A file with a check in CHECKS is also compared, row by row, with expectations worked out
from truth.json, the official unit lists (etl.reference) and the article's own figures, never from the
warehouse.
"""

from __future__ import annotations

import math
import re
import shutil
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from openpyxl import load_workbook

from etl import reference
from etl.pipeline import run_night
from tests.builders import make_settings, truth_in_scope, truth_loading, truth_sheets

pytestmark = pytest.mark.e2e

QUERIES = Path(__file__).resolve().parents[2] / "warehouse" / "queries"
FILES = sorted(QUERIES.glob("*.sql"))
LABELS = ("Question", "Reads:", "Answer:", "Parameters")
RELATION = re.compile(r"\b(mart|audit|dw|ref)\.([a-z_0-9]+)\b")
SECURITY = ("tips_received", "crime_reports", "cases_clarified", "subjects")


def _answer(published: Path, text: str) -> list[dict]:
    """The rows of a query file's one statement, as dicts, on the published copy opened read-only."""
    con = duckdb.connect(str(published), read_only=True)
    try:
        result = con.execute(text)
        columns = [d[0] for d in result.description]
        return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]
    finally:
        con.close()


def _header(text: str) -> str:
    """The comment block the file begins with."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        lines.append(line[2:].strip())
    return "\n".join(lines)


def _paragraph(header: str, label: str) -> str:
    """The header's paragraph that starts with ``label``, up to the next label."""
    start = header.index(label)
    ends = [i for other in LABELS if (i := header.find("\n" + other, start + 1)) != -1]
    return header[start:min(ends, default=len(header))]


def _code(text: str) -> str:
    """The statement without its comments (none of the queries holds '--' inside a string)."""
    return "\n".join(line.split("--", 1)[0] for line in text.splitlines())


def _floored(shown: float, numerator: float, denominator: float) -> bool:
    """Whether ``shown`` is numerator / denominator as a percentage floored to one decimal: never above
    it (99.97% is not shown as 100), less than 0.1 below it."""
    exact = 100 * numerator / denominator
    return exact - 0.1 - 1e-9 < shown <= exact + 1e-9 and math.isclose(shown * 10, round(shown * 10))


def _staffing(truth: dict) -> dict:
    """(era, province) -> month, as-of date, communes in scope on the official list of that day, communes
    staffed, officers."""
    figures = {}
    for w, sheet in truth_sheets(truth, "01"):
        on = date.fromisoformat(w["as_of_date"])
        in_scope = len(reference.communes(w["era"], w["province_code"], in_scope_only=True, on=on))
        rows = truth_in_scope(sheet)
        figures[(w["era"], w["province_code"])] = (date.fromisoformat(w["period"] + "-01"), on, in_scope,
                                                   sum(1 for r in rows if r["officers"] > 0),
                                                   sum(r["officers"] for r in rows))
    return figures


def _daily(truth: dict) -> dict:
    """(province, day) -> ID-card applications of the loading rows of the final daily workbooks."""
    daily: dict = defaultdict(int)
    for w, sheet in truth_sheets(truth, "03"):
        for r in truth_loading(sheet):
            daily[(w["province_code"], date.fromisoformat(r["report_date"]))] += r["applications"]
    return daily


def _month(truth: dict, code: str) -> dict:
    """(era, province, month) -> the rows that load of a monthly sheet."""
    return {(w["era"], w["province_code"], date.fromisoformat(w["period"] + "-01")): truth_loading(sheet)
            for w, sheet in truth_sheets(truth, code)}


def check_national_staffing_line(rows: list[dict], truth: dict, settings) -> None:
    april = (date(2021, 4, 1), date(2021, 4, 23), 63, truth["national"])
    october = (date(2026, 10, 1), date(2026, 10, 20), 34, truth["national_2026"])
    assert [r["admin_era"] for r in rows] == ["pre2025", "2025"]  # the latest month of each era
    for row, (month, as_of, provinces, national) in zip(rows, (april, october), strict=True):
        in_scope = len(reference.communes(row["admin_era"], in_scope_only=True, on=as_of))
        assert (row["period_start"], row["as_of_date"], row["provinces_reporting"], row["provinces_expected"],
                row["communes_in_scope"], row["communes_staffed"], row["officers"]) == (
            month, as_of, provinces, provinces, in_scope, national["communes"], national["officers"])
        assert _floored(row["coverage_pct"], national["communes"], in_scope)
        assert row["officers_per_commune"] == pytest.approx(national["officers"] / national["communes"], abs=0.005)
    assert rows[0]["officers"] > 44_000 and rows[0]["coverage_pct"] == 100.0  # "hơn 44.000 ... đạt 100%"
    assert rows[1]["coverage_pct"] == 99.9  # 3,320 of 3,321: a gap is never shown as 100


def check_officers_per_commune_by_province(rows: list[dict], truth: dict, settings) -> None:
    expected = _staffing(truth)
    got = {(r["admin_era"], r["province_code"]): r for r in rows}
    assert len(rows) == len(got) == 63 + 34 and set(got) == set(expected)
    for key, (month, on, scope, staffed, officers) in expected.items():
        row = got[key]
        assert (row["period_start"], row["as_of_date"], row["communes_in_scope"], row["communes_staffed"],
                row["officers"]) == (month, on, scope, staffed, officers), key
        assert row["officers_per_commune"] == pytest.approx(officers / staffed, abs=0.005), key
        assert _floored(row["coverage_pct"], staffed, scope), key
    eras = [r["admin_era"] for r in rows]
    assert eras == sorted(eras, reverse=True)  # pre2025 first
    for era in ("pre2025", "2025"):
        ratios = [r["officers_per_commune"] for r in rows if r["admin_era"] == era]
        assert ratios == sorted(ratios, reverse=True)


def check_provinces_below_full_coverage(rows: list[dict], truth: dict, settings) -> None:
    expected = {(era, code, month): scope - staffed
                for (era, code), (month, _, scope, staffed, _) in _staffing(truth).items() if staffed < scope}
    got = {(r["admin_era"], r["province_code"], r["period_start"]): r["communes_not_staffed"] for r in rows}
    assert got == expected
    assert ("2025", "66", date(2026, 10, 1)) in got  # Đắk Lắk, October 2026: a row quarantined, a commune short
    assert all(r["coverage_pct"] < 100 for r in rows)


def check_id_card_days_ahead_by_province(rows: list[dict], truth: dict, settings) -> None:
    daily = _daily(truth)
    got = {r["province_code"]: r for r in rows}
    assert len(rows) == len(got) == len(truth["id_card"]) == 63 and {r["admin_era"] for r in rows} == {"pre2025"}
    for code, campaign in truth["id_card"].items():
        row = got[code]
        last = max(day for c, day in daily if c == code)
        cumulative = sum(n for (c, _), n in daily.items() if c == code)
        deadline = date.fromisoformat(campaign["deadline"])
        reached = date.fromisoformat(campaign["reached_date"]) if campaign["reached_date"] else None
        assert (row["target"], row["target_deadline"], row["counted_to"], row["cumulative_applications"],
                row["target_reached_date"]) == (campaign["target"], deadline, last, cumulative, reached), code
        assert row["days_ahead"] == ((deadline - reached).days if reached else None), code
        assert row["applications_to_go"] == (None if reached else campaign["target"] - cumulative), code
        assert _floored(row["target_pct"], cumulative, campaign["target"]), code
    # The article: Hải Dương reached its 988.200 on 14/5/2021, 47 days before 30/6/2021.
    assert (got["30"]["target"], got["30"]["target_reached_date"], got["30"]["days_ahead"]) == (
        988_200, date(2021, 5, 14), 47)


def check_id_card_progress_of_one_province(rows: list[dict], truth: dict, settings) -> None:
    days = sorted((day, n) for (code, day), n in _daily(truth).items() if code == "30")
    campaign = truth["id_card"]["30"]
    assert [r["report_date"] for r in rows] == [day for day, _ in days]
    running = 0
    for row, (day, applications) in zip(rows, days, strict=True):
        running += applications
        reached = date(2021, 5, 14) if day >= date(2021, 5, 14) else None
        assert (row["admin_era"], row["province_code"], row["applications"], row["cumulative_applications"],
                row["target"], row["target_reached_date"], row["days_ahead"]) == (
            "pre2025", "30", applications, running, campaign["target"], reached, 47 if reached else None), day
    (may_14,) = [r for r in rows if r["report_date"] == date(2021, 5, 14)]
    assert (may_14["cumulative_applications"], may_14["target"]) == (991_830, 988_200)  # the article's figures


def check_security_tips_by_month_national(rows: list[dict], truth: dict, settings) -> None:
    expected: dict = defaultdict(lambda: [0] * len(SECURITY))
    for (era, _, month), loading in _month(truth, "02").items():
        for r in loading:
            expected[(era, month)] = [a + r[f] for a, f in zip(expected[(era, month)], SECURITY, strict=True)]
    got = {(r["admin_era"], r["period_start"]): [r[f] for f in SECURITY] for r in rows}
    assert got == dict(expected)
    reporting = defaultdict(set)
    for era, code, month in _month(truth, "02"):
        reporting[(era, month)].add(code)
    for r in rows:
        provinces = len(reference.provinces(r["admin_era"], on=r["period_start"]))
        assert (r["provinces_reporting"], r["provinces_expected"], r["tips_received_to_date"]) == (
            len(reporting[(r["admin_era"], r["period_start"])]), provinces, r["tips_received"])  # one month an era


def check_security_tips_by_month_by_province(rows: list[dict], truth: dict, settings) -> None:
    expected = {key: [sum(r[f] for r in loading) for f in SECURITY] for key, loading in _month(truth, "02").items()}
    got = {(r["admin_era"], r["province_code"], r["period_start"]): [r[f] for f in SECURITY] for r in rows}
    assert got == expected
    # One month per era in the samples: the figures to date are the month's.
    assert all([r[f + "_to_date"] for f in SECURITY] == [r[f] for f in SECURITY] for r in rows)


def check_commendations_by_province(rows: list[dict], truth: dict, settings) -> None:
    expected: dict = defaultdict(lambda: [0, 0])
    for (era, code, _), loading in _month(truth, "04").items():
        for r in loading:
            expected[(era, code)] = [expected[(era, code)][0] + r["collectives"],
                                     expected[(era, code)][1] + r["individuals"]]
    got = {(r["admin_era"], r["province_code"]): [r["collectives"], r["individuals"]] for r in rows}
    assert got == dict(expected)
    assert got[("pre2025", "30")] == [108, 250]  # "108 lượt tập thể, 250 lượt cá nhân"


def check_rows_to_resend(rows: list[dict], truth: dict, settings) -> None:
    # The rows the generator seeded to be quarantined, in files no correction replaced.
    seeded = sorted((w["era"], w["province_code"], w["file"], sheet["sheet_name"], r["row"] + 1)
                    for w in truth["workbooks"] if not w.get("corrected_by") for sheet in w["sheets"].values()
                    for r in sheet["rows"] if r.get("expect") == "quarantine")
    assert seeded and sorted((r["admin_era"], r["province_code"], r["file_name"], r["sheet"], r["row_number"])
                             for r in rows) == seeded
    assert all(r["message_vi"] and r["message_en"] and r["province_name"] for r in rows)


def check_reporting_completeness_of_a_month(rows: list[dict], truth: dict, settings) -> None:
    april = [date(2021, 4, day) for day in range(1, 31)]
    provinces = reference.provinces("pre2025", on=april[0])
    names = dict(zip(provinces.unit_code, provinces.name, strict=True))
    (late,) = [w for w in truth["workbooks"] if w.get("late")]
    got = {r["sheet"]: r for r in rows}
    assert sorted(got) == ["01", "02", "03", "04"] and {r["admin_era"] for r in rows} == {"pre2025"}
    for sheet in ("01", "02", "04"):
        assert {k: got[sheet][k] for k in ("provinces_expected", "reports_expected", "on_time", "late", "missing",
                                            "rejected", "reported_pct", "not_on_time")} == {
            "provinces_expected": 63, "reports_expected": 63, "on_time": 62, "late": 1, "missing": 0, "rejected": 0,
            "reported_pct": 100.0, "not_on_time": f"{names[late['province_code']]} ({late['province_code']}): 1 late"}
    # Sheet 03: a day is on time when the first workbook holding it arrived within the daily deadline.
    first_day = min(date.fromisoformat(r["report_date"]) for _, s in truth_sheets(truth, "03") for r in s["rows"])
    arrived: dict = {}
    for w, _ in truth_sheets(truth, "03", final=False):
        received = datetime.fromisoformat(w["modified"]).date()
        start, end = date.fromisoformat(w["date_from"]), date.fromisoformat(w["date_to"])
        for day in (d for d in april if start <= d <= end):
            arrived[(w["province_code"], day)] = min(received, arrived.get((w["province_code"], day), received))
    due = timedelta(days=settings.daily_deadline_days)
    statuses = [("missing" if (code, day) not in arrived else
                 "on_time" if arrived[(code, day)] <= day + due else "late")
                for code in names for day in april if day >= first_day]
    daily = got["03"]
    assert (daily["provinces_expected"], daily["reports_expected"], daily["on_time"], daily["late"],
            daily["missing"]) == (63, len(statuses), statuses.count("on_time"), statuses.count("late"),
                                  statuses.count("missing"))


# File name -> its check, called with the query's rows, the truth and the night's settings.
CHECKS: dict[str, Callable[[list[dict], dict, Any], None]] = {
    "national_staffing_line.sql": check_national_staffing_line,
    "officers_per_commune_by_province.sql": check_officers_per_commune_by_province,
    "provinces_below_full_coverage.sql": check_provinces_below_full_coverage,
    "id_card_days_ahead_by_province.sql": check_id_card_days_ahead_by_province,
    "id_card_progress_of_one_province.sql": check_id_card_progress_of_one_province,
    "security_tips_by_month_national.sql": check_security_tips_by_month_national,
    "security_tips_by_month_by_province.sql": check_security_tips_by_month_by_province,
    "commendations_by_province.sql": check_commendations_by_province,
    "rows_to_resend.sql": check_rows_to_resend,
    "reporting_completeness_of_a_month.sql": check_reporting_completeness_of_a_month,
}


def test_every_check_has_its_query_file():
    """The questions issue 12 asks are all answered: a renamed or removed file does not lose its check."""
    assert sorted(set(CHECKS) - {p.name for p in FILES}) == []


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_query_is_one_statement_with_its_header_and_answers_its_question(path: Path, sample_night):
    settings, truth, _ = sample_night
    text = path.read_text(encoding="utf-8")
    with duckdb.connect() as con:
        statements = con.extract_statements(text)
    assert len(statements) == 1, f"{path.name} holds {len(statements)} statements: one query per file"
    header = _header(text)
    assert header, f"{path.name} does not begin with its comment block"
    missing = [label for label in LABELS if label not in header]
    assert not missing, f"{path.name}'s header lacks {missing}"
    read = {".".join(m) for m in RELATION.findall(_code(text))}
    named = {".".join(m) for m in RELATION.findall(_paragraph(header, "Reads:"))}
    assert read == named, f"{path.name} reads {sorted(read)} but its header names {sorted(named)}"
    outside = sorted(r for r in read if r.split(".")[0] in ("dw", "ref"))
    assert not outside or "no mart gives" in _paragraph(header, "Reads:"), (
        f"{path.name} reads {outside}: the analysts' interface is mart and audit; say why no mart gives it")

    rows = _answer(settings.published, text)
    assert rows, f"{path.name} returned no row on the sample night"
    if "province_code" in rows[0]:
        assert "admin_era" in rows[0], f"{path.name}: a province code means nothing without its admin_era"
    check = CHECKS.get(path.name)
    if check:
        check(rows, truth, settings)


def test_rows_a_province_resent_are_no_longer_to_resend(sample_night, sample_landing, tmp_path):
    """Vĩnh Phúc sends its April 2021 report again without the row naming a commune it has no unit of:
    on a copy of the night's warehouse, its rows leave rows_to_resend.sql and the others stay."""
    settings, truth, _ = sample_night
    (faulty,) = [w for w in truth["workbooks"] if "unknown_unit" in w["faults"] and w["era"] == "pre2025"]
    copy = make_settings(tmp_path)
    copy.warehouse.parent.mkdir(parents=True)
    shutil.copyfile(settings.warehouse, copy.warehouse)
    book = load_workbook(sample_landing[0] / faulty["file"])
    for sheet in faulty["sheets"].values():
        for row in sorted((r["row"] for r in sheet["rows"] if r.get("expect") == "quarantine"), reverse=True):
            book[sheet["sheet_name"]].delete_rows(row + 1)
    copy.landing.mkdir()
    resent = copy.landing / faulty["file"].replace(".xlsx", " (gui lai).xlsx")
    book.save(resent)
    assert {o.status for o in run_night([resent], copy).outcomes} == {"loaded"}

    query = (QUERIES / "rows_to_resend.sql").read_text(encoding="utf-8")
    before = {(r["province_code"], r["file_name"]) for r in _answer(settings.published, query)}
    after = {(r["province_code"], r["file_name"]) for r in _answer(copy.published, query)}
    assert ("26", faulty["file"]) in before
    assert after == before - {("26", faulty["file"])}
