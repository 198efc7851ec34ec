-- Commendations per province, month and level (sheet 04), and nationwide (province_code null).
create or replace view mart.commendations as
with per_province as (
    select period_start, period_end, admin_era, province_code, level,
           sum(collectives) as collectives, sum(individuals) as individuals
    from dw.fact_commendation
    group by period_start, period_end, admin_era, province_code, level
)
select p.period_start, p.period_end, p.admin_era, p.province_code, d.province_name, p.level,
       p.collectives, p.individuals
from per_province p
join dw.dim_province d on d.admin_era = p.admin_era and d.province_code = p.province_code
union all
select period_start, period_end, admin_era, null, 'Toàn quốc', level, sum(collectives), sum(individuals)
from per_province
group by period_start, period_end, admin_era, level;

comment on column mart.commendations.period_start is 'First day of the reported month';
comment on column mart.commendations.period_end is 'Last day of the reported month';
comment on column mart.commendations.admin_era is 'pre2025 or 2025: the unit list of the report';
comment on column mart.commendations.province_code is 'GSO province code of the era; null on the nationwide rows';
comment on column mart.commendations.province_name is 'Province name of the era; Toàn quốc on the nationwide rows';
comment on column mart.commendations.level is 'Level that gave the commendation: Bộ Công an, UBND tỉnh, Công an tỉnh, Cấp huyện, Cấp xã';
comment on column mart.commendations.collectives is 'Collectives commended (tập thể)';
comment on column mart.commendations.individuals is 'Individuals commended (cá nhân)';
