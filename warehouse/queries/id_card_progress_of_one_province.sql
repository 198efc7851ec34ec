-- Chip-based ID cards (CCCD): one province's campaign, day by day.
--
-- Question (docs/sources.md, section 1): day by day, how many applications for the chip-based citizen
--   ID card (hồ sơ cấp thẻ căn cước công dân gắn chip) did a province receive, how far was it from the
--   Ministry's target (chỉ tiêu), and on which day did it reach it? Hải Dương: "Tính đến 14/5/2021 ... đã
--   tiếp nhận 991.830 hồ sơ", against 988.200 due 30/6/2021, "cán đích sớm 47 ngày".
-- Reads: mart.id_card_progress.
-- Answer: one row per day the province reported (report_date): that day's applications, the cumulative
--   count since the campaign's first report, the target and its deadline, target_pct floored to one
--   decimal, and from the day the target was reached onwards that day (target_reached_date) and
--   days_ahead = deadline - that day. A day the province did not report has no row (see
--   reporting_completeness_of_a_month.sql). Oldest day first.
-- Parameters (params, below): admin_era and province_code together name the province: a code means
--   another province in each era ('30' was Hải Dương before 1/7/2025; since then Hải Dương is part of
--   Hải Phòng, '31' in 2025).
with params as (
    select
        'pre2025' as admin_era,  -- pre2025 (the 63 provinces) or 2025 (the 34)
        '30' as province_code  -- GSO code in that era: '30' is Hải Dương in pre2025
)
select
    c.admin_era,
    c.province_code,
    c.province_name,
    c.report_date,
    c.applications,
    c.cumulative_applications,
    c.target,
    c.target_deadline,
    floor(1000 * c.cumulative_applications / nullif(c.target, 0)) / 10 as target_pct,
    c.target_reached_date,
    c.days_ahead
from mart.id_card_progress c
join params p on p.admin_era = c.admin_era and p.province_code = c.province_code
order by c.report_date;
