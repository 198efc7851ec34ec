-- Who reported what, and when, as DHIS2 reports reporting rates: one row per expected report.
-- Monthly sheets (01, 02, 04): every month from the first to the last month the warehouse holds;
-- the daily sheet (03): every day of each ID-card campaign of an era, from its first daily report
-- after the era's previous deadline to the target's deadline (so two campaigns never share a day).
-- Expected reporters are the provinces valid on the period's first day (the provinces of its era).
-- A report is on time when its first accepted submission arrived by period end + the deadline of
-- ref.reporting_rule; a later correction does not make it late.
create or replace view mart.reporting_completeness as
with submissions as (
    -- A file rejected whole has no sheet: it counts for every monthly sheet of its month.
    select a.template as sheet, a.province_code,
           a.period_start, a.period_end, a.status, a.received_at, a.rows_loaded, a.rows_quarantined
    from audit.submission a
    where a.province_code is not null and a.period_start is not null and a.status <> 'duplicate'
),
months as (
    select unnest(generate_series(min(period_start), max(period_start), interval 1 month))::date as period_start
    from submissions
    where sheet in ('01', '02', '04') or sheet is null
),
monthly_sheets as (
    select unnest(['01', '02', '04']) as sheet
),
expected_monthly as (
    select m.period_start, last_day(m.period_start) as period_end, s.sheet, p.province_code, p.province_name,
           'monthly' as cadence
    from months m
    cross join monthly_sheets s
    join dw.dim_province p on m.period_start between p.valid_from and p.valid_to
),
deadlines as (
    select t.admin_era, t.target_deadline,
           lag(t.target_deadline) over (partition by t.admin_era order by t.target_deadline) as previous_deadline
    from (select distinct admin_era, target_deadline from dw.fact_id_card_target) t
),
report_days as (
    -- The days reported in each era, read once: years of daily rows are thousands of days.
    select distinct admin_era, report_date from dw.fact_id_card_applications
),
campaigns as (
    -- A campaign starts after the previous deadline of its era: its first report is the earliest
    -- after that deadline and on or before its own.
    select t.admin_era, t.target_deadline, min(f.report_date) as first_day
    from deadlines t
    join report_days f
      on f.admin_era = t.admin_era and f.report_date <= t.target_deadline
     and (t.previous_deadline is null or f.report_date > t.previous_deadline)
    group by t.admin_era, t.target_deadline
),
campaign_days as (
    select c.admin_era, unnest(generate_series(c.first_day, c.target_deadline, interval 1 day))::date as day
    from campaigns c
),
expected_daily as (
    select d.day as period_start, d.day as period_end, '03' as sheet, p.province_code, p.province_name,
           'daily' as cadence
    from campaign_days d
    join dw.dim_province p on p.admin_era = d.admin_era and d.day between p.valid_from and p.valid_to
),
expected as (
    select * from expected_monthly
    union all
    select * from expected_daily
),
matched as (
    select e.period_start, e.period_end, e.sheet, e.province_code, e.province_name, e.cadence,
           min(s.received_at) filter (where s.status in ('loaded', 'loaded_with_errors', 'superseded'))
               as first_accepted_at,
           max(s.received_at) filter (where s.status = 'rejected') as last_rejected_at,
           sum(s.rows_loaded) filter (where s.status in ('loaded', 'loaded_with_errors')) as rows_loaded,
           sum(s.rows_quarantined) filter (where s.status in ('loaded', 'loaded_with_errors')) as rows_quarantined,
           sum(s.rows_quarantined) filter (where s.status = 'rejected') as rows_rejected
    from expected e
    left join submissions s
      on (s.sheet = e.sheet or (s.sheet is null and e.cadence = 'monthly')) and s.province_code = e.province_code
     and s.period_start <= e.period_start and s.period_end >= e.period_end
    group by all
)
select
    m.period_start,
    m.period_end,
    m.sheet,
    m.province_code,
    m.province_name,
    case
        when m.first_accepted_at is null and m.last_rejected_at is not null then 'rejected'
        when m.first_accepted_at is null then 'missing'
        when m.first_accepted_at::date <= m.period_end + r.deadline_days then 'on_time'
        else 'late'
    end as status,
    coalesce(m.first_accepted_at, m.last_rejected_at) as received_at,
    coalesce(m.rows_loaded, 0)::bigint as rows_loaded,
    coalesce(m.rows_quarantined, m.rows_rejected, 0)::bigint as rows_quarantined,
    m.period_end + r.deadline_days as due_date
from matched m
join ref.reporting_rule r using (cadence);

comment on view mart.reporting_completeness is 'Reporting completeness, as DHIS2 reports it: every report a province was expected to send (sheets 01, 02 and 04 each month from the first to the last month held; sheet 03 each day of each ID-card campaign) with its status: on_time, late, missing or rejected. Grain: one row per sheet, province and period (a month, or a day of sheet 03). Key: sheet, province_code, period_start.';
comment on column mart.reporting_completeness.period_start is 'First day of the period: the month, or the day of a daily report';
comment on column mart.reporting_completeness.period_end is 'Last day of the period';
comment on column mart.reporting_completeness.sheet is 'Sheet of the template: 01 staffing, 02 security, 03 ID cards (daily), 04 commendations';
comment on column mart.reporting_completeness.province_code is 'Province expected to report (the provinces valid on period_start, those of its era)';
comment on column mart.reporting_completeness.province_name is 'Its name in that era';
comment on column mart.reporting_completeness.status is 'on_time, late (first accepted after due_date), missing, or rejected (only rejected submissions)';
comment on column mart.reporting_completeness.received_at is 'When the first accepted submission arrived (else the last rejected one), Vietnam time';
comment on column mart.reporting_completeness.rows_loaded is 'Data rows loaded from the current submissions covering the period';
comment on column mart.reporting_completeness.rows_quarantined is 'Data rows quarantined in those submissions (for a daily report: in the submissions covering the day)';
comment on column mart.reporting_completeness.due_date is 'period_end + the deadline in days of ref.reporting_rule';
