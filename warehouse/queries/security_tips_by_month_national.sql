-- Security and order nationwide, month by month: tips received and what came of them.
--
-- Question (docs/sources.md, section 1): month by month, how many security-and-order tips (tin về ANTT)
--   did the commune police receive nationwide, how many of them were crime reports and denunciations
--   (tin báo, tố giác tội phạm), and how many cases (vụ) and subjects (đối tượng) were clarified? The
--   article gives Hải Dương's since the programme began: "hơn 1.800 tin về ANTT, trong đó có gần 200
--   tin báo tố giác tội phạm, ... làm rõ gần 200 vụ, gần 200 đối tượng" (per province:
--   security_tips_by_month_by_province.sql).
-- Reads: mart.national_security_activity, mart.reporting_completeness.
-- Answer: one row per era (admin_era) and month (period_start): the month's tips_received,
--   crime_reports, cases_clarified and subjects (flows: the sum of the provinces that reported), and
--   tips_received_to_date, the tips summed from from_month up to this month within the era. provinces_reporting /
--   provinces_expected (sheet 02 of mart.reporting_completeness: on time or late, against every province
--   of the era) says how complete the month is: a province that did not report adds nothing, it is not
--   estimated. Oldest month first.
-- Parameters (params, below): from_month and to_month, the first and last month (any day of it); to_month
--   null for the latest month held.
with params as (
    select
        date '2018-01-01' as from_month,  -- the warehouse takes no report before 2018
        null::date as to_month  -- e.g. date '2021-04-01'; null: up to the latest month held
),
reporting as (
    select
        period_start,
        count(*) filter (where status in ('on_time', 'late')) as provinces_reporting,
        count(*) as provinces_expected
    from mart.reporting_completeness
    where sheet = '02'
    group by period_start
)
select
    n.admin_era,
    n.period_start,
    n.tips_received::bigint as tips_received,
    n.crime_reports::bigint as crime_reports,
    n.cases_clarified::bigint as cases_clarified,
    n.subjects::bigint as subjects,
    (sum(n.tips_received) over (partition by n.admin_era order by n.period_start))::bigint as tips_received_to_date,
    r.provinces_reporting,
    r.provinces_expected
from mart.national_security_activity n
cross join params p
left join reporting r on r.period_start = n.period_start
where
    n.period_start >= date_trunc('month', p.from_month)
    and n.period_start <= coalesce(date_trunc('month', p.to_month), n.period_start)
order by n.period_start;
