-- Nationwide commendations per month and level: the provinces' rows of mart.commendations
-- added up.
create or replace view mart.national_commendations as
select
    period_start,
    max(period_end) as period_end,
    admin_era,
    level,
    sum(collectives) as collectives,
    sum(individuals) as individuals
from mart.commendations
group by admin_era, period_start, level;

comment on view mart.national_commendations is 'Nationwide commendations given to commune police (sheet 04) per month and level: the sum of the provinces of mart.commendations that reported the month. Grain: one row per era, month and level. Key: admin_era, period_start, level.';
comment on column mart.national_commendations.period_start is 'First day of the reported month';
comment on column mart.national_commendations.period_end is 'Last day of the reported month';
comment on column mart.national_commendations.admin_era is 'pre2025 (63 provinces) or 2025 (34 provinces): the unit list of the reports';
comment on column mart.national_commendations.level is 'Level that gave the commendation: Bộ Công an, UBND tỉnh, Công an tỉnh, Cấp huyện, Cấp xã';
comment on column mart.national_commendations.collectives is 'Collectives commended (tập thể)';
comment on column mart.national_commendations.individuals is 'Individuals commended (cá nhân)';
