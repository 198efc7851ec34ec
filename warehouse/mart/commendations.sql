-- Commendations per province, month and level (sheet 04). Nationwide totals are in
-- mart.national_commendations.
create or replace view mart.commendations as
with per_province as (
    -- A month's rows all come from one submission (its partition), so they share one period_end.
    select
        admin_era,
        province_code,
        period_start,
        level,
        max(period_end) as period_end,
        sum(collectives) as collectives,
        sum(individuals) as individuals
    from dw.fact_commendation
    group by admin_era, province_code, period_start, level
)
select
    p.period_start,
    p.period_end,
    p.admin_era,
    p.province_code,
    d.province_name,
    p.level,
    p.collectives,
    p.individuals
from per_province p
join dw.dim_province d on d.admin_era = p.admin_era and d.province_code = p.province_code;

comment on view mart.commendations is 'Commendations given to commune police (sheet 04) per province, month and level; nationwide totals are in mart.national_commendations. Grain: one row per province, month and level. Key: admin_era, province_code, period_start, level.';
comment on column mart.commendations.period_start is 'First day of the reported month';
comment on column mart.commendations.period_end is 'Last day of the reported month';
comment on column mart.commendations.admin_era is 'pre2025 or 2025: the unit list of the report';
comment on column mart.commendations.province_code is 'GSO province code of the era';
comment on column mart.commendations.province_name is 'Province name of the era';
comment on column mart.commendations.level is 'Level that gave the commendation: Bộ Công an, UBND tỉnh, Công an tỉnh, Cấp huyện, Cấp xã';
comment on column mart.commendations.collectives is 'Collectives commended (tập thể)';
comment on column mart.commendations.individuals is 'Individuals commended (cá nhân)';
