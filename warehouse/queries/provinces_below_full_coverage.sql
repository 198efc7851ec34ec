-- Provinces whose communes are not all staffed by regular officers, month by month.
--
-- Question (docs/sources.md, section 1): which provinces have not reached the article's "đạt 100%"
--   (every xã, thị trấn with regular officers; after 1/7/2025 every xã, phường, đặc khu), and how many
--   communes are they short?
-- Reads: mart.staffing_by_province.
-- Answer: one row per province (admin_era, province_code) and month (period_start) below 100%, from the
--   province's latest snapshot of the month (as_of_date). communes_in_scope counts the units of the
--   official list in force on that day (unit_list), whatever the province sent, so a commune the sheet
--   left out, or whose row was quarantined, counts as not staffed (see rows_to_resend.sql).
--   coverage_pct is floored to one decimal, so 99.97% shows as 99.9, never 100. No row: every province
--   that reported was at 100% (a province that did not report is not here: see
--   reporting_completeness_of_a_month.sql). Latest month first, lowest coverage first.
-- Parameters (params, below): from_month and to_month, the first and last month (any day of it) to
--   look at; to_month null for the latest month held.
with params as (
    select
        date '2018-01-01' as from_month,  -- the warehouse takes no report before 2018
        null::date as to_month  -- e.g. date '2021-04-01'; null: up to the latest month held
)
select
    s.admin_era,
    s.province_code,
    s.province_name,
    s.period_start,
    s.as_of_date,
    s.communes_in_scope,
    s.communes_staffed,
    s.communes_in_scope - s.communes_staffed as communes_not_staffed,
    floor(s.coverage_pct * 10) / 10 as coverage_pct,
    s.unit_list
from mart.staffing_by_province s
cross join params p
where
    s.coverage_pct < 100
    and s.period_start >= date_trunc('month', p.from_month)
    and s.period_start <= coalesce(date_trunc('month', p.to_month), s.period_start)
order by s.period_start desc, s.coverage_pct asc, s.admin_era desc, s.province_code asc;
