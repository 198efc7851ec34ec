-- Chip-based ID-card (CCCD) applications per province per day against the target (sheet 03).
-- A day belongs to the campaign whose deadline is the first on or after it; the cumulative count
-- runs from the campaign's first report. days_ahead = deadline - the date the cumulative count
-- first reached the target; null while not reached. Nationwide: mart.national_id_card_progress.
create or replace view mart.id_card_progress as
-- Written so that a filter on admin_era and province_code reaches the scan of the facts (every step
-- groups or partitions by them, with no correlated subquery): one province's days read its rows only.
with daily as (
    select admin_era, province_code, report_date, sum(applications) as applications
    from dw.fact_id_card_applications
    group by admin_era, province_code, report_date
),
targets as (
    -- One target per province and deadline: the latest statement (the loader keeps only that one).
    select admin_era, province_code, target_deadline, arg_max(target, stated_on) as target
    from dw.fact_id_card_target
    group by admin_era, province_code, target_deadline
),
campaigns as (
    -- A campaign holds the days after the province's previous deadline, up to its own.
    select
        *,
        lag(target_deadline) over (
            partition by admin_era, province_code order by target_deadline
        ) as previous_deadline
    from targets
),
provinces as (
    select d.admin_era, d.province_code, d.report_date, d.applications, c.target_deadline, c.target
    from daily d
    left join campaigns c
        on
            c.admin_era = d.admin_era and c.province_code = d.province_code
            and c.target_deadline >= d.report_date
            and (c.previous_deadline is null or c.previous_deadline < d.report_date)
),
cumulated as (
    select
        *,
        sum(applications) over (
            partition by admin_era, province_code, target_deadline order by report_date
            rows between unbounded preceding and current row
        ) as cumulative_applications
    from provinces
),
reached as (
    -- The first day of the campaign on which the cumulative count reached the target.
    select
        *,
        min(case when cumulative_applications >= target then report_date end) over (
            partition by admin_era, province_code, target_deadline
        ) as reached_date
    from cumulated
)
select
    c.admin_era,
    c.province_code,
    p.province_name,
    c.report_date,
    c.applications,
    c.cumulative_applications,
    c.target,
    c.target_deadline,
    case when c.report_date >= c.reached_date then c.reached_date end as target_reached_date,
    case
        when c.report_date >= c.reached_date
            then date_diff('day', c.reached_date, c.target_deadline)
    end as days_ahead
from reached c
left join dw.dim_province p on p.admin_era = c.admin_era and p.province_code = c.province_code;

comment on view mart.id_card_progress is 'Chip-based ID-card (CCCD) applications (sheet 03) per province and day, cumulated over the campaign the day belongs to, against the province''s target; nationwide figures are in mart.national_id_card_progress. Grain: one row per province and report day. Key: admin_era, province_code, report_date.';
comment on column mart.id_card_progress.admin_era is 'pre2025 or 2025: the unit list of the report';
comment on column mart.id_card_progress.province_code is 'GSO province code of the era';
comment on column mart.id_card_progress.province_name is 'Province name of the era';
comment on column mart.id_card_progress.report_date is 'Day the applications were received';
comment on column mart.id_card_progress.applications is 'CCCD applications received that day';
comment on column mart.id_card_progress.cumulative_applications is 'Applications since the campaign''s first report, up to this day';
comment on column mart.id_card_progress.target is 'Target of the campaign (the province''s latest statement)';
comment on column mart.id_card_progress.target_deadline is 'Deadline of the campaign the day belongs to (first deadline on or after it); null after the last deadline';
comment on column mart.id_card_progress.target_reached_date is 'First day the cumulative count reached the target; null before it';
comment on column mart.id_card_progress.days_ahead is 'target_deadline - target_reached_date, in days; null while not reached';
