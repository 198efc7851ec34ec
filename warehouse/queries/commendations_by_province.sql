-- Commendations of the commune police, per province, over a span of months.
--
-- Question (docs/sources.md, section 1): how many collectives (lượt tập thể) and individuals (lượt cá
--   nhân) of the commune police (Công an xã, thị trấn) were commended (khen thưởng) by the various levels
--   (các cấp) in each province? Hải Dương: "108 lượt tập thể, 250 lượt cá nhân thuộc lực lượng Công an
--   xã, thị trấn được các cấp khen thưởng".
-- Reads: mart.commendations.
-- Answer: one row per province (admin_era, province_code: a code means another province in each era):
--   collectives and individuals commended in the months from from_month to to_month, summed over the
--   levels that gave them (flows: the months add up); months_reported counts the months the province
--   sent in that span and levels the levels that gave commendations (the detail per level and month is
--   in mart.commendations). Most individuals first.
-- Parameters (params, below): from_month and to_month, the first and last month (any day of it); to_month
--   null for the latest month held.
with params as (
    select
        date '2018-01-01' as from_month,  -- the warehouse takes no report before 2018
        null::date as to_month  -- e.g. date '2021-04-01'; null: up to the latest month held
)
select
    c.admin_era,
    c.province_code,
    any_value(c.province_name) as province_name,
    sum(c.collectives) as collectives,
    sum(c.individuals) as individuals,
    count(distinct c.period_start) as months_reported,
    string_agg(distinct c.level, ', ' order by c.level) filter (where c.collectives + c.individuals > 0) as levels
from mart.commendations c
cross join params p
where
    c.period_start >= date_trunc('month', p.from_month)
    and c.period_start <= coalesce(date_trunc('month', p.to_month), c.period_start)
group by c.admin_era, c.province_code
order by c.admin_era desc, individuals desc, collectives desc, c.province_code asc;
