-- Security and order per province, month by month, with the figures since a chosen month.
--
-- Question (docs/sources.md, section 1): month by month, how many security-and-order tips (tin về ANTT)
--   did each province's commune police receive, how many crime reports and denunciations (tin báo, tố
--   giác tội phạm) among them, how many cases (vụ) and subjects (đối tượng) were clarified, and how many
--   since a given month? Hải Dương since the programme began: "hơn 1.800 tin về ANTT, trong đó có gần 200
--   tin báo tố giác tội phạm, giúp các đơn vị chức năng điều tra làm rõ gần 200 vụ, gần 200 đối tượng".
-- Reads: mart.security_activity.
-- Answer: one row per province (admin_era, province_code: a code means another province in each era) and
--   month (period_start) it reported: the month's four figures, and the same four summed from from_month
--   up to this month (*_to_date), within the era: a province of 2025 does not carry on the figures of the
--   old provinces it absorbed (for those, mart.indicators with boundary_basis '2025'). A month a province
--   did not report has no row. Nationwide: security_tips_by_month_national.sql.
-- Parameters (params, below): from_month and to_month, the first and last month (any day of it), to_month
--   null for the latest month held; admin_era and province_code (both, or neither: null for every
--   province), e.g. 'pre2025' and '30' for Hải Dương before 1/7/2025.
with params as (
    select
        date '2018-01-01' as from_month,  -- the warehouse takes no report before 2018
        null::date as to_month,  -- e.g. date '2021-04-01'; null: up to the latest month held
        null::varchar as admin_era,  -- e.g. 'pre2025'; null: every era
        null::varchar as province_code  -- e.g. '30' (Hải Dương in pre2025); null: every province
)
select
    s.admin_era,
    s.province_code,
    s.province_name,
    s.period_start,
    s.tips_received,
    s.crime_reports,
    s.cases_clarified,
    s.subjects,
    sum(s.tips_received) over to_date as tips_received_to_date,
    sum(s.crime_reports) over to_date as crime_reports_to_date,
    sum(s.cases_clarified) over to_date as cases_clarified_to_date,
    sum(s.subjects) over to_date as subjects_to_date
from mart.security_activity s
cross join params p
where
    s.period_start >= date_trunc('month', p.from_month)
    and s.period_start <= coalesce(date_trunc('month', p.to_month), s.period_start)
    and s.admin_era = coalesce(p.admin_era, s.admin_era)
    and s.province_code = coalesce(p.province_code, s.province_code)
window to_date as (partition by s.admin_era, s.province_code order by s.period_start)
order by s.admin_era desc, s.province_code asc, s.period_start asc;
