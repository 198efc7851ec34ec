-- Chip-based ID cards (CCCD): how far each province is from its target, and how many days ahead of the
-- deadline it reached it.
--
-- Question (docs/sources.md, section 1): which provinces have reached the Ministry's target of
--   applications for the chip-based citizen ID card (hồ sơ đề nghị cấp thẻ căn cước công dân gắn chip,
--   chỉ tiêu Bộ Công an giao), on which day, and how many days before the deadline? "Tính đến 14/5/2021,
--   Công an tỉnh Hải Dương đã tiếp nhận 991.830 hồ sơ ... đến ngày 30/6/2021 ... phải thu nhận 988.200 hồ
--   sơ ... đã cán đích sớm 47 ngày".
-- Reads: mart.id_card_progress.
-- Answer: one row per province (admin_era, province_code) and campaign (target_deadline), counted up to
--   its last reported day on or before as_of_date (counted_to): the cumulative applications since the
--   campaign's first report, the target, target_pct floored to one decimal, the day the count first
--   reached the target and days_ahead = target_deadline - that day (Hải Dương, pre2025 '30': 14/5/2021,
--   47). While a target is not reached, days_ahead is empty and applications_to_go and days_left say
--   what remains. Earliest deadline first, then the most days ahead, then the furthest along.
-- Parameters (params, below): as_of_date, the day to count up to, null for the latest day held;
--   date '2021-05-31' gives the progress the conference of 31/5/2021 heard.
with params as (
    select null::date as as_of_date  -- e.g. date '2021-05-31'; null: up to the latest day held
),
latest as (
    -- Each province's campaign on its last reported day up to as_of_date.
    select c.*
    from mart.id_card_progress c
    cross join params p
    where c.report_date <= coalesce(p.as_of_date, c.report_date)
    qualify row_number() over (
        partition by c.admin_era, c.province_code, c.target_deadline order by c.report_date desc
    ) = 1
)
select
    admin_era,
    province_code,
    province_name,
    target_deadline,
    target,
    report_date as counted_to,
    cumulative_applications,
    floor(1000 * cumulative_applications / nullif(target, 0)) / 10 as target_pct,
    target_reached_date,
    days_ahead,
    case when target_reached_date is null then target - cumulative_applications end as applications_to_go,
    case when target_reached_date is null then date_diff('day', report_date, target_deadline) end as days_left
from latest
order by target_deadline asc, days_ahead desc nulls last, target_pct desc, admin_era desc, province_code asc;
