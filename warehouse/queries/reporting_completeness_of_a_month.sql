-- How complete the reports of one month are, sheet by sheet.
--
-- Question: of the reports the provinces owed for a month, how many came in on time (đúng hạn), late
--   (muộn), not at all (chưa báo cáo) or only rejected (bị từ chối), and from which provinces? The
--   article's figures rest on "Công an 63 tỉnh, thành phố trực thuộc trung ương" having reported ("Theo
--   báo cáo"): a figure is only as whole as the reports under it.
-- Reads: mart.reporting_completeness; dw.dim_date (the era of the month: no mart gives it).
-- Answer: one row per sheet of the template (01 staffing, 02 security, 04 commendations: one report per
--   province; 03 ID cards: one per province and campaign day in the month): reports_expected and how
--   many were on_time, late, missing or rejected, reported_pct (on time or late, floored to one
--   decimal), and not_on_time, each province not fully on time with how many of its reports were late,
--   missing or rejected ("Tỉnh Đắk Lắk (66): 1 late"; for sheet 03, days). The provinces expected are
--   those of the month's era (admin_era: 63 before 1/7/2025, 34 since). A month the warehouse holds no
--   report of, before its first or after its last, has no row.
-- Parameters (params, below): month, any day of the month.
with params as (
    select date '2021-04-01' as month  -- any day of the month
),
reports as (
    select r.*, d.admin_era
    from mart.reporting_completeness r
    cross join params p
    join dw.dim_date d on d.full_date = r.period_start
    where
        r.period_start >= date_trunc('month', p.month)
        and r.period_start < date_trunc('month', p.month) + interval 1 month
),
not_on_time as (
    select sheet, province_code, province_name, status, count(*) as reports
    from reports
    where status <> 'on_time'
    group by sheet, province_code, province_name, status
),
listed as (
    select
        sheet,
        string_agg(
            format('{} ({}): {} {}', province_name, province_code, reports, status), '; '
            order by province_code, status
        ) as not_on_time
    from not_on_time
    group by sheet
)
select
    r.admin_era,
    date_trunc('month', min(r.period_start))::date as period_start,
    r.sheet,
    count(distinct r.province_code) as provinces_expected,
    count(*) as reports_expected,
    count(*) filter (where r.status = 'on_time') as on_time,
    count(*) filter (where r.status = 'late') as late,
    count(*) filter (where r.status = 'missing') as missing,
    count(*) filter (where r.status = 'rejected') as rejected,
    floor(1000 * count(*) filter (where r.status in ('on_time', 'late')) / count(*)) / 10 as reported_pct,
    any_value(l.not_on_time) as not_on_time
from reports r
left join listed l on l.sheet = r.sheet
group by r.admin_era, r.sheet
order by r.sheet;
