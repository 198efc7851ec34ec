-- Officers per commune, province by province, from each province's latest staffing snapshot.
--
-- Question (docs/sources.md, section 1): how many regular officers (cán bộ Công an chính quy) does each
--   province have per commune (xã, thị trấn; after 1/7/2025 every xã, phường, đặc khu)? Nationwide
--   "trung bình mỗi xã, thị trấn bố trí 5,2 cán bộ"; in Hải Dương "mỗi xã bố trí đủ 05 đồng chí Công an
--   chính quy" (a full 5 in each commune).
-- Reads: mart.staffing_by_province.
-- Answer: one row per province of each era (admin_era, province_code: a code means another province in
--   each era, '30' was Hải Dương), from its latest snapshot dated on or before as_of_date: the month
--   (period_start) and day (as_of_date) of that snapshot, communes in scope and staffed, officers,
--   officers_per_commune = officers / communes_staffed, and coverage_pct floored to one decimal. A
--   pre2025 province's row is its last report before the 63 provinces became 34; keep one era with
--   `where admin_era = '2025'`. Provinces with the most officers per commune first, pre2025 before 2025.
-- Parameters (params, below): as_of_date, null for each province's latest snapshot; date '2021-05-31'
--   gives the snapshots the conference of 31/5/2021 heard.
with params as (
    select null::date as as_of_date  -- e.g. date '2021-05-31'; null: each province's latest snapshot
),
latest as (
    select s.*
    from mart.staffing_by_province s
    cross join params p
    where s.as_of_date <= coalesce(p.as_of_date, s.as_of_date)
    qualify row_number() over (partition by s.admin_era, s.province_code order by s.period_start desc) = 1
)
select
    admin_era,
    province_code,
    province_name,
    period_start,
    as_of_date,
    communes_in_scope,
    communes_staffed,
    officers,
    round(officers_per_commune, 2) as officers_per_commune,
    floor(coverage_pct * 10) / 10 as coverage_pct
from latest
order by admin_era desc, officers_per_commune desc, province_code asc;
