-- Nationwide ID-card (CCCD) applications per day and campaign: the provinces' days of
-- mart.id_card_progress added up per campaign deadline, cumulated from the campaign's first
-- report, against the sum of the provinces' targets of that deadline.
create or replace view mart.national_id_card_progress as
with targets as (
    -- Nationwide target: every province's target of the deadline (its latest statement), added up.
    select p.admin_era, p.target_deadline, sum(p.target) as target
    from (
        select admin_era, province_code, target_deadline, arg_max(target, stated_on) as target
        from dw.fact_id_card_target
        group by admin_era, province_code, target_deadline
    ) p
    group by p.admin_era, p.target_deadline
),
daily as (
    select admin_era, target_deadline, report_date, sum(applications) as applications
    from mart.id_card_progress
    group by admin_era, target_deadline, report_date
),
cumulated as (
    select
        d.admin_era,
        d.report_date,
        d.applications,
        t.target,
        d.target_deadline,
        sum(d.applications) over (
            partition by d.admin_era, d.target_deadline order by d.report_date
            rows between unbounded preceding and current row
        ) as cumulative_applications
    from daily d
    left join targets t on t.admin_era = d.admin_era and t.target_deadline = d.target_deadline
),
reached as (
    select admin_era, target_deadline, min(report_date) as target_reached_date
    from cumulated
    where target is not null and cumulative_applications >= target
    group by admin_era, target_deadline
)
select
    c.admin_era,
    c.report_date,
    c.applications,
    c.cumulative_applications,
    c.target,
    c.target_deadline,
    case when c.report_date >= r.target_reached_date then r.target_reached_date end as target_reached_date,
    case
        when c.report_date >= r.target_reached_date
            then date_diff('day', r.target_reached_date, c.target_deadline)
    end as days_ahead
from cumulated c
left join reached r on r.admin_era = c.admin_era and r.target_deadline = c.target_deadline;

comment on view mart.national_id_card_progress is 'Nationwide chip-based ID-card (CCCD) applications (sheet 03) per day and campaign: the provinces of mart.id_card_progress added up, cumulated over the campaign, against the sum of the provinces'' targets of its deadline. Grain: one row per era, campaign and report day (a day can belong to several campaigns when provinces have different deadlines). Key: admin_era, target_deadline, report_date.';
comment on column mart.national_id_card_progress.admin_era is 'pre2025 (63 provinces) or 2025 (34 provinces): the unit list of the reports';
comment on column mart.national_id_card_progress.report_date is 'Day the applications were received';
comment on column mart.national_id_card_progress.applications is 'CCCD applications received that day by the provinces whose campaign it is';
comment on column mart.national_id_card_progress.cumulative_applications is 'Applications since the campaign''s first report, up to this day';
comment on column mart.national_id_card_progress.target is 'Sum of the provinces'' targets of the deadline (each its latest statement)';
comment on column mart.national_id_card_progress.target_deadline is 'Deadline of the campaign; null for days after every province''s last deadline';
comment on column mart.national_id_card_progress.target_reached_date is 'First day the nationwide cumulative count reached the nationwide target; null before it';
comment on column mart.national_id_card_progress.days_ahead is 'target_deadline - target_reached_date, in days; null while not reached';
