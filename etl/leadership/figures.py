"""Everything the leadership extracts show, read from the marts in one read-only connection.

The workbook, the brief's sentences and its charts all draw on one ``Figures``, so the three
never disagree. As of a day, always in that day's era (63 provinces before 1/7/2025, 34 after):
- staffing: the era's latest month of staffing reports starting on or before it (its snapshot dated up
  to 15 days after the month), nationwide and per province;
- security activity and commendations "so far": the flows summed over the months of the day's era,
  from the era's first expected month to its last month with an accepted report on or before the day;
- ID cards: the campaign running on the day (the first deadline on or after it among the era's
  campaigns already started), else the last one; its counts up to the day;
- completeness: which provinces did not report what the figures add up.
Province tables are on the boundary basis asked for (as reported, or the 34 provinces of 2025).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from etl.load.warehouse import frame, read
from etl.report import national_staffing, staffing_on_basis

REPORTED = ("on_time", "late")
# The first month of an era's reports, where the era fixes it (the 34 provinces report from July 2025).
ERA_START = {"2025": date(2025, 7, 1)}
SECURITY_MEASURES = ("tips_received", "crime_reports", "cases_clarified", "subjects", "admin_violation_cases",
                     "fines_vnd", "education_dossiers", "rehab_dossiers", "reform_school_dossiers")
COMMENDATION_MEASURES = ("collectives", "individuals")

# (admin_era, province_code) of a report -> (province_code, province_name) on each basis. The 2025
# basis follows ref.province_crosswalk; no old province was split, so the sums are exact.
_PROVINCES_ON_BASIS = """
    select p.admin_era, p.province_code as reported_code, p.province_code, p.province_name
    from dw.dim_province p where $basis = 'as_reported'
    union all
    select p.admin_era, p.province_code, n.province_code, n.province_name
    from dw.dim_province p
    left join ref.province_crosswalk x on p.admin_era = 'pre2025' and x.old_province_code = p.province_code
    join dw.dim_province n on n.admin_era = '2025' and n.province_code = coalesce(x.new_province_code, p.province_code)
    where $basis = '2025'"""


@dataclass(frozen=True)
class Gap:
    """A period whose reports some expected provinces did not send (missing, or only rejected)."""
    period_start: date
    sheet: str
    provinces: tuple[str, ...]  # names of the provinces that did not report


@dataclass(frozen=True)
class Window:
    """The months of a monthly flow sheet summed into a "so far" figure."""
    sheet: str
    admin_era: str | None = None
    first: date | None = None
    last: date | None = None
    provinces_expected: int = 0
    gaps: tuple[Gap, ...] = ()  # months inside the window some province did not report
    overdue: tuple[tuple[date, date], ...] = ()  # (month, due date) after the window: due by the day, none in

    @property
    def partial(self) -> bool:
        return bool(self.gaps)


@dataclass(frozen=True)
class Campaign:
    """The ID-card campaign of the day: nationwide counts up to it and the provinces' milestones."""
    admin_era: str
    target_deadline: date
    first_report_date: date
    last_report_date: date  # the last day reported, on or before the as-of day
    cumulative_applications: int
    target: int
    target_reached_date: date | None
    provinces_expected: int
    lagging: tuple[tuple[str, int], ...]  # (province, days up to last_report_date it has not reported)
    # The same on the basis: (province code on the basis, reporting province's name, days missing).
    lagging_on_basis: tuple[tuple[str, str, int], ...] = ()
    # Days after last_report_date, up to the deadline, whose reports were due by the as-of day and of
    # which none arrived: (first day, last day, last due date); None when there are none.
    overdue: tuple[date, date, date] | None = None


@dataclass
class Figures:
    as_of: date
    basis: str
    singled_out: tuple[str, ...]  # province codes named with --province (on the basis)
    staffing: dict | None  # the national row of mart.national_staffing for the month
    staffing_missing: tuple[str, ...]  # provinces of the era with no staffing report that month
    staffing_by_province: pd.DataFrame
    security: Window
    security_by_month: pd.DataFrame  # nationwide per month of the window
    security_by_province: pd.DataFrame  # summed over the window, on the basis
    commendations: Window
    commendations_by_level: pd.DataFrame  # nationwide per level, over the window
    commendations_by_province: pd.DataFrame  # per province and level, over the window, on the basis
    campaign: Campaign | None
    id_cards_by_province: pd.DataFrame  # milestones per province of the campaign, on the basis
    id_cards_daily: pd.DataFrame  # cumulative per province and day of the campaign, on the basis
    completeness: pd.DataFrame  # the reports the figures add up, one row per sheet, province, period
    submissions: pd.DataFrame  # what arrived for those periods, with status and reason (audit.submission)
    provinces: pd.DataFrame = field(default_factory=pd.DataFrame)  # the basis' provinces of the era
    era_provinces: pd.DataFrame = field(default_factory=pd.DataFrame)  # the provinces expected to report

    @property
    def admin_era(self) -> str:
        """The era every figure is in: that of the as-of day."""
        return era_of(self.as_of)

    @property
    def reporters(self) -> tuple[int, int]:
        """(provinces that sent every report the figures add up, provinces of the era expected to). A
        province with nothing to add up has sent nothing."""
        rows = self.completeness
        if rows.empty:
            return 0, len(self.era_provinces)
        sent = set(rows.province_code) - set(rows[~rows.status.isin(REPORTED)].province_code)
        return len(sent), len(self.era_provinces)


def era_of(day: date) -> str:
    return "2025" if day >= date(2025, 7, 1) else "pre2025"


class UnknownProvince(ValueError):
    """A province code named with --province that the basis does not have."""


def collect(warehouse: Path, as_of: date, basis: str = "as_reported", provinces: tuple[str, ...] = ()) -> Figures:
    """Everything the extracts show as of ``as_of``, in the era of that day (figures of another era are on
    other boundaries and stale: a day in 2026 never leads with 2021's staffing)."""
    staffing_rows = national_staffing(warehouse, as_of)
    staffing_rows = staffing_rows[staffing_rows.admin_era == era_of(as_of)]
    staffing = staffing_rows.iloc[0].to_dict() if not staffing_rows.empty else None
    by_province = (staffing_on_basis(warehouse, staffing["period_start"], staffing["admin_era"], basis,
                                     staffing["as_of_date"]) if staffing else pd.DataFrame())
    return read(warehouse, lambda conn: _collect(conn, as_of, basis, provinces, staffing, by_province))


def _collect(conn: sa.Connection, as_of: date, basis: str, provinces: tuple[str, ...], staffing: dict | None,
             staffing_by_province: pd.DataFrame) -> Figures:
    era = era_of(as_of)
    of_era = _provinces(conn, era)  # read once: the windows, the campaign and completeness use it
    basis_provinces = _provinces(conn, "2025") if basis == "2025" else of_era
    unknown = [code for code in provinces if code not in set(basis_provinces.province_code)]
    if unknown:
        raise UnknownProvince(unknown)
    missing: tuple[str, ...] = ()
    if staffing is not None:
        reported = set(frame(conn, "select province_code from mart.staffing_by_province where admin_era = $era"
                                   " and period_start = $month", {"era": era, "month": staffing["period_start"]})
                       .province_code)
        missing = tuple(of_era.province_name[~of_era.province_code.isin(reported)])
    security = _window(conn, "02", as_of, era, of_era)
    commendations = _window(conn, "04", as_of, era, of_era)
    campaign, id_daily, id_by_province = _campaign(conn, as_of, basis, era, of_era)
    completeness = _completeness(conn, as_of, staffing, security, commendations, campaign)
    periods = [d for d in (staffing and staffing["period_start"], security.first, commendations.first,
                           campaign and campaign.first_report_date) if d]
    ends = [d for d in (staffing and _month_end(staffing["period_start"]), security.last and _month_end(security.last),
                        commendations.last and _month_end(commendations.last), campaign and campaign.last_report_date)
            if d]
    return Figures(
        as_of=as_of, basis=basis, singled_out=tuple(provinces), staffing=staffing, staffing_missing=missing,
        staffing_by_province=staffing_by_province,
        security=security,
        security_by_month=_national_months(conn, "national_security_activity", SECURITY_MEASURES, security),
        security_by_province=_by_province(conn, "security_activity", SECURITY_MEASURES, security, basis),
        commendations=commendations,
        commendations_by_level=_national_months(conn, "national_commendations", COMMENDATION_MEASURES,
                                                commendations, by="level"),
        commendations_by_province=_by_province(conn, "commendations", COMMENDATION_MEASURES, commendations, basis,
                                               by="level"),
        campaign=campaign, id_cards_by_province=id_by_province, id_cards_daily=id_daily,
        completeness=completeness,
        submissions=_submissions(conn, min(periods), max(ends)) if periods else pd.DataFrame(),
        provinces=basis_provinces, era_provinces=of_era)


def _month_end(month: date) -> date:
    return (pd.Timestamp(month) + pd.offsets.MonthEnd(0)).date()


def _provinces(conn: sa.Connection, era: str) -> pd.DataFrame:
    return frame(conn, "select province_code, province_name from dw.dim_province where admin_era = $era"
                       " order by province_code", {"era": era})


def _window(conn: sa.Connection, sheet: str, as_of: date, era: str, of_era: pd.DataFrame) -> Window:
    """The months of ``sheet`` summed "so far" on ``as_of``, in the day's ``era`` (so that every table of
    an extract holds the provinces of one era): from the era's first expected month to its last month with
    an accepted report on or before the day; the months inside some province did not send are gaps."""
    rows = frame(conn, """
        select c.period_start, c.due_date, c.status, c.province_name, p.admin_era
        from mart.reporting_completeness c
        join dw.dim_province p on p.province_code = c.province_code
            and c.period_start between p.valid_from and p.valid_to
        where c.sheet = $sheet and c.period_start <= $as_of and p.admin_era = $era
        order by c.period_start, c.province_code""", {"sheet": sheet, "as_of": as_of, "era": era})
    accepted = rows[rows.status.isin(REPORTED)]
    # The era's first expected month (2025 starts on 1/7/2025; the warehouse expects reports from the
    # first month it holds): months before any accepted report are gaps, never left out of the window.
    starts = [d for d in (None if rows.empty else rows.period_start.min(), ERA_START.get(era)) if d is not None]
    start = min(starts) if starts else None
    if accepted.empty:
        return Window(sheet, era, overdue=_overdue(conn, start, as_of, era) if start else ())
    assert start is not None  # rows hold the accepted reports
    first, last = start, accepted.period_start.max()
    inside = rows[(rows.period_start >= first) & (rows.period_start <= last)]
    gaps = tuple(Gap(month, sheet, tuple(group.province_name))
                 for month, group in inside[~inside.status.isin(REPORTED)].groupby("period_start"))
    listed = set(inside.period_start)
    gaps += tuple(Gap(month, sheet, tuple(of_era.province_name))
                  for month, _ in _overdue(conn, first, last, era, due_by=False) if month not in listed)
    return Window(sheet, era, first, last, int(inside.groupby("period_start").size().max()),
                  tuple(sorted(gaps, key=lambda g: g.period_start)),
                  _overdue(conn, last + pd.offsets.MonthBegin(1), as_of, era))


def _overdue(conn: sa.Connection, first: date, until: date, era: str,
             due_by: bool = True) -> tuple[tuple[date, date], ...]:
    """The era's months from ``first`` whose reports were due by ``until`` (ref.reporting_rule), or with
    ``due_by`` False every month up to ``until``: (month, due date). Months the warehouse holds nothing
    of count too, which mart.reporting_completeness does not list."""
    rows = frame(conn, """
        select m::date as period_start, (last_day(m) + r.deadline_days)::date as due_date
        from range(date_trunc('month', $first::date), $until::date + interval 1 day, interval 1 month) t(m)
        join ref.reporting_rule r on r.cadence = 'monthly'
        where (not $due_by or last_day(m) + r.deadline_days <= $until)
          and (m < date '2025-07-01') = ($era = 'pre2025')
        order by 1""", {"first": pd.Timestamp(first).date(), "until": until, "era": era, "due_by": due_by})
    return tuple(zip(rows.period_start, rows.due_date, strict=True))


def _national_months(conn: sa.Connection, view: str, measures: tuple[str, ...], window: Window,
                     by: str = "period_start") -> pd.DataFrame:
    sums = ", ".join(f"sum({m})::bigint as {m}" for m in measures)
    if window.first is None:
        return pd.DataFrame(columns=[by, *measures])
    return frame(conn, f"select {by}, {sums} from mart.{view} where admin_era = $era"
                       f" and period_start between $first and $last group by {by} order by {by}",
                 {"era": window.admin_era, "first": window.first, "last": window.last})


def _by_province(conn: sa.Connection, view: str, measures: tuple[str, ...], window: Window, basis: str,
                 by: str | None = None) -> pd.DataFrame:
    keys = ", ".join(["b.province_code", "b.province_name", *([f"v.{by}"] if by else [])])
    sums = ", ".join(f"sum(v.{m})::bigint as {m}" for m in measures)
    if window.first is None:
        return pd.DataFrame(columns=["province_code", "province_name", *([by] if by else []), *measures])
    return frame(conn, f"""
        with b as ({_PROVINCES_ON_BASIS})
        select {keys}, {sums}
        from mart.{view} v
        join b on b.admin_era = v.admin_era and b.reported_code = v.province_code
        where v.admin_era = $era and v.period_start between $first and $last
        group by all order by all""", {"basis": basis, "era": window.admin_era, "first": window.first,
                                       "last": window.last})


def _campaign(conn: sa.Connection, as_of: date, basis: str, era: str,
              of_era: pd.DataFrame) -> tuple[Campaign | None, pd.DataFrame, pd.DataFrame]:
    """The campaign of the day in the day's era (none when that era has none), its daily cumulative
    counts per province and each province's milestone (target, the day the count first reached it, days
    ahead) on the basis."""
    campaigns = frame(conn, """
        select admin_era, target_deadline, min(report_date)::date as first_report_date
        from mart.national_id_card_progress where target is not null and admin_era = $era
        group by all having min(report_date) <= $as_of order by target_deadline""", {"as_of": as_of, "era": era})
    if campaigns.empty:
        return None, pd.DataFrame(), pd.DataFrame()
    running = campaigns[pd.to_datetime(campaigns.target_deadline).dt.date >= as_of]
    chosen = (running if not running.empty else campaigns.tail(1)).iloc[0]
    era, deadline = str(chosen.admin_era), pd.Timestamp(chosen.target_deadline).date()
    daily = frame(conn, f"""
        with b as ({_PROVINCES_ON_BASIS})
        select b.province_code, b.province_name, p.report_date::date as report_date,
               sum(p.applications)::bigint as applications,
               sum(p.cumulative_applications)::bigint as cumulative_applications, sum(p.target)::bigint as target
        from mart.id_card_progress p
        join b on b.admin_era = p.admin_era and b.reported_code = p.province_code
        where p.admin_era = $era and p.target_deadline = $deadline and p.report_date <= $as_of
        group by all order by b.province_code, report_date""",
                  {"basis": basis, "era": era, "deadline": deadline, "as_of": as_of})
    national = frame(conn, """
        select report_date::date as report_date, cumulative_applications::bigint as cumulative_applications,
               target::bigint as target, target_reached_date::date as target_reached_date
        from mart.national_id_card_progress
        where admin_era = $era and target_deadline = $deadline and report_date <= $as_of
        order by report_date""", {"era": era, "deadline": deadline, "as_of": as_of})
    last = national.iloc[-1]
    reached = national.target_reached_date.dropna()
    by_province = _milestones(daily, deadline)
    expected = of_era.province_name
    # Every day up to the last one reported that a province has not (a hole or a late end), whether or not
    # its report is due yet: the nationwide count to that day lacks it.
    missing = frame(conn, f"""
        with b as ({_PROVINCES_ON_BASIS})
        select b.province_code as basis_code, c.province_name, count(*) as days
        from mart.reporting_completeness c
        join b on b.admin_era = $era and b.reported_code = c.province_code
        where c.sheet = '03' and c.period_start between $first and $last and c.status not in ('on_time', 'late')
        group by all order by c.province_name""",
                    {"basis": basis, "era": era, "first": pd.Timestamp(chosen.first_report_date).date(),
                     "last": last.report_date})
    lagging = tuple(dict.fromkeys(zip(missing.province_name, missing.days.astype(int), strict=True)))
    on_basis = tuple(zip(missing.basis_code, missing.province_name, missing.days.astype(int), strict=True))
    after = frame(conn, """
        select min(period_start) as first_day, max(period_start) as last_day, max(due_date) as due
        from mart.reporting_completeness
        where sheet = '03' and period_start > $last and period_start <= $deadline and due_date <= $as_of
          and status not in ('on_time', 'late')""", {"last": last.report_date, "deadline": deadline, "as_of": as_of})
    overdue = None if after.empty or pd.isna(after.first_day.iloc[0]) else (
        after.first_day.iloc[0], after.last_day.iloc[0], after.due.iloc[0])
    campaign = Campaign(era, deadline, pd.Timestamp(chosen.first_report_date).date(), last.report_date,
                        int(last.cumulative_applications), int(last.target),
                        reached.iloc[0] if not reached.empty else None, len(expected), lagging, on_basis, overdue)
    return campaign, daily, by_province


def _milestones(daily: pd.DataFrame, deadline: date) -> pd.DataFrame:
    """Per province: target, cumulative count on its last day, the first day the count reached the
    target (on the basis: the merged provinces' counts and targets added day by day) and days ahead."""
    rows = []
    for (code, name), days in daily.groupby(["province_code", "province_name"], sort=True):
        target = int(days.target.iloc[-1])
        hit = days[days.cumulative_applications >= target]
        reached = hit.report_date.iloc[0] if not hit.empty else None
        rows.append({"province_code": code, "province_name": name, "target": target, "target_deadline": deadline,
                     "last_report_date": days.report_date.iloc[-1],
                     "cumulative_applications": int(days.cumulative_applications.iloc[-1]),
                     "target_pct": 100.0 * days.cumulative_applications.iloc[-1] / target if target else None,
                     "target_reached_date": reached,
                     "cumulative_on_reached_date": int(hit.cumulative_applications.iloc[0]) if reached else None,
                     "days_ahead": (deadline - reached).days if reached else None})
    return pd.DataFrame(rows)


def _completeness(conn: sa.Connection, as_of: date, staffing: dict | None, security: Window, commendations: Window,
                  campaign: Campaign | None) -> pd.DataFrame:
    """The expected reports the figures add up: the staffing month (01), the months of the flow
    windows (02, 04) and the campaign's days up to its last day reported (03), in the era of the as-of day."""
    parts = []
    if staffing is not None:
        parts.append(("01", staffing["period_start"], staffing["period_start"]))
    for window in (security, commendations):
        if window.first is not None:
            parts.append((window.sheet, window.first, window.last))
    if campaign is not None:
        parts.append(("03", campaign.first_report_date, campaign.last_report_date))
    if not parts:
        return pd.DataFrame(columns=["sheet", "province_code", "province_name", "period_start", "status"])
    ranges = " or ".join(f"(sheet = '{sheet}' and period_start between date '{first}' and date '{last}')"
                         for sheet, first, last in parts)
    return frame(conn, f"""
        select * from mart.reporting_completeness where ({ranges}) and period_start <= $as_of
        order by sheet, province_code, period_start""", {"as_of": as_of})


def _submissions(conn: sa.Connection, first: date, last: date) -> pd.DataFrame:
    """Every submission for the periods from ``first`` to ``last`` that the figures add up, with its status
    and reason, and every file rejected whole in those months (no sheet was read from it, so it is dated by
    its arrival): what the data team answers for."""
    return frame(conn, """
        select received_at, province_code, file_name, sheet, period_start, period_end, status,
               rows_read, rows_loaded, rows_quarantined, warnings, coalesce(reason, '') as reason
        from audit.submission
        where coalesce(period_start, received_at::date) <= $last and coalesce(period_end, received_at::date) >= $first
        order by province_code nulls last, received_at, file_name, sheet""", {"first": first, "last": last})
