-- The national staffing line: the article's headline sentence.
--
-- Question (docs/sources.md, section 1): as of a date, how many provinces (tỉnh, thành phố trực thuộc
--   trung ương) reported, how many regular officers (cán bộ Công an chính quy) they had assigned, in how
--   many communes and towns (xã, thị trấn), with what coverage, and how many officers per commune?
--   "Tính đến ngày 23/4/2021, Công an 63 tỉnh, thành phố trực thuộc trung ương đã bố trí hơn 44.000 cán
--   bộ Công an chính quy ... tại hơn 8.500 Công an xã, thị trấn, đạt 100%, trung bình mỗi xã, thị trấn
--   bố trí 5,2 cán bộ".
-- Reads: mart.national_staffing.
-- Answer: one row per era (admin_era: pre2025, the 63 provinces; 2025, the 34), its latest month whose
--   snapshots are dated on or before as_of_date. provinces_reporting / provinces_expected says how
--   complete the line is (63/63): a province that did not report is left out of every sum, not counted
--   as 0, so the coverage of a partial line is that of the provinces that reported. coverage_pct is
--   floored to one decimal (a gap never shows as 100); officers_per_commune = officers / communes_staffed
--   (the article's 5,2). unit_lists names the official unit lists the communes were counted on.
-- Parameters (params, below): as_of_date, null for the latest month held; date '2021-05-31' gives the
--   line the Ministry's conference of 31/5/2021 heard (the snapshot of 23/4/2021).
with params as (
    select null::date as as_of_date  -- e.g. date '2021-05-31'; null: the latest month held
)
select
    n.admin_era,
    n.period_start,
    n.as_of_date,
    n.provinces_reporting,
    n.provinces_expected,
    n.communes_in_scope,
    n.communes_staffed,
    n.officers,
    floor(n.coverage_pct * 10) / 10 as coverage_pct,
    round(n.officers_per_commune, 2) as officers_per_commune,
    n.unit_lists
from mart.national_staffing n
cross join params p
where n.as_of_date <= coalesce(p.as_of_date, n.as_of_date)
qualify row_number() over (partition by n.admin_era order by n.period_start desc) = 1
order by n.period_start;
