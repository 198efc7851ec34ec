-- Chip-based ID-card (CCCD) applications per province per day against the target, and
-- nationwide (province_code null). A day belongs to the campaign whose deadline is the first on
-- or after it; the cumulative count runs from the campaign's first report. days_ahead =
-- deadline - the date the cumulative count first reached the target; null while not reached.
create or replace view mart.id_card_progress as
with daily as (
    select admin_era, province_code, report_date, sum(applications) as applications
    from dw.fact_id_card_applications
    group by admin_era, province_code, report_date
),
with_campaign as (
    select d.*,
           (select min(t.target_deadline) from dw.fact_id_card_target t
            where t.admin_era = d.admin_era and t.province_code = d.province_code
              and t.target_deadline >= d.report_date) as target_deadline
    from daily d
),
provinces as (
    select c.admin_era, c.province_code, c.report_date, c.applications, c.target_deadline, t.target
    from with_campaign c
    left join dw.fact_id_card_target t
      on t.admin_era = c.admin_era and t.province_code = c.province_code and t.target_deadline = c.target_deadline
),
national as (
    -- Nationwide target: the provinces' targets of the same deadline, added up.
    select p.admin_era, null::varchar as province_code, p.report_date, sum(p.applications) as applications,
           p.target_deadline,
           (select sum(t.target) from dw.fact_id_card_target t
            where t.admin_era = p.admin_era and t.target_deadline = p.target_deadline) as target
    from provinces p
    group by p.admin_era, p.report_date, p.target_deadline
),
both_levels as (
    select * from provinces
    union all
    select * from national
),
cumulated as (
    select *,
           sum(applications) over (
               partition by admin_era, province_code, target_deadline order by report_date
               rows between unbounded preceding and current row) as cumulative_applications
    from both_levels
),
reached as (
    select admin_era, province_code, target_deadline, min(report_date) as target_reached_date
    from cumulated
    where target is not null and cumulative_applications >= target
    group by admin_era, province_code, target_deadline
)
select
    c.admin_era,
    c.province_code,
    coalesce(p.province_name, 'Toàn quốc') as province_name,
    c.report_date,
    c.applications,
    c.cumulative_applications,
    c.target,
    c.target_deadline,
    case when c.report_date >= r.target_reached_date then r.target_reached_date end as target_reached_date,
    case when c.report_date >= r.target_reached_date
         then date_diff('day', r.target_reached_date, c.target_deadline) end as days_ahead
from cumulated c
left join reached r
  on r.admin_era = c.admin_era and r.province_code is not distinct from c.province_code
 and r.target_deadline is not distinct from c.target_deadline
left join dw.dim_province p on p.admin_era = c.admin_era and p.province_code = c.province_code;

comment on column mart.id_card_progress.admin_era is 'pre2025 or 2025: the unit list of the report';
comment on column mart.id_card_progress.province_code is 'GSO province code of the era; null on the nationwide rows';
comment on column mart.id_card_progress.province_name is 'Province name of the era; Toàn quốc on the nationwide rows';
comment on column mart.id_card_progress.report_date is 'Day the applications were received';
comment on column mart.id_card_progress.applications is 'CCCD applications received that day';
comment on column mart.id_card_progress.cumulative_applications is 'Applications since the campaign''s first report, up to this day';
comment on column mart.id_card_progress.target is 'Target of the campaign (the province''s latest statement; nationwide: the sum)';
comment on column mart.id_card_progress.target_deadline is 'Deadline of the campaign the day belongs to (first deadline on or after it)';
comment on column mart.id_card_progress.target_reached_date is 'First day the cumulative count reached the target; null before it';
comment on column mart.id_card_progress.days_ahead is 'target_deadline - target_reached_date, in days; null while not reached';
