-- Every indicator of warehouse/indicators.csv in long form, per province, per month, quarter and
-- year, as reported and on the 34 provinces of 2025 (nationwide rows: mart.national_indicators).
-- Components are added across provinces; over time a stock takes its last value in the period
-- (wrong for a sum over time: a test flips each stock to a flow and must fail)
-- and a flow is summed; ratios are recomputed from the aggregated components, never averaged.
create or replace view mart.indicators as
with staffing as (
    -- The month a snapshot reports on (its title's), not the month of its as-of date.
    select admin_era, province_code, period_start as month_start, officers, communes_in_scope, communes_staffed
    from mart.staffing_by_province
),
id_card_month as (
    select admin_era, province_code, date_trunc('month', report_date)::date as month_start,
           sum(applications) as applications,
           arg_max(cumulative_applications, report_date) as cumulative,
           arg_max(target, report_date) as target
    from mart.id_card_progress
    group by all
),
components as (
    select 'officers' as indicator_code, admin_era, province_code, month_start, officers::double as value from staffing
    union all select 'communes_in_scope', admin_era, province_code, month_start, communes_in_scope from staffing
    union all select 'communes_staffed', admin_era, province_code, month_start, communes_staffed from staffing
    union all
    select unnest(['tips_received', 'crime_reports', 'cases_clarified', 'subjects', 'admin_violation_cases',
                   'fines_vnd', 'education_dossiers', 'rehab_dossiers', 'reform_school_dossiers']),
           admin_era, province_code, period_start,
           unnest([tips_received, crime_reports, cases_clarified, subjects, admin_violation_cases, fines_vnd,
                   education_dossiers, rehab_dossiers, reform_school_dossiers])::double
    from mart.security_activity
    union all select 'id_card_applications', admin_era, province_code, month_start, applications from id_card_month
    union all select 'id_card_cumulative', admin_era, province_code, month_start, cumulative from id_card_month
    union all
    select 'id_card_target', admin_era, province_code, month_start, target from id_card_month where target is not null
    union all
    select unnest(['commendation_collectives', 'commendation_individuals']), admin_era, province_code, period_start,
           unnest([sum(collectives), sum(individuals)])::double
    from mart.commendations
    group by admin_era, province_code, period_start
),
on_basis as (
    -- As reported, and on 2025 boundaries: old provinces added into the new one they joined.
    select 'as_reported' as boundary_basis, admin_era, admin_era as source_era, province_code,
           province_code as source_province, indicator_code, month_start, value
    from components
    union all
    select '2025', '2025', c.admin_era, coalesce(x.new_province_code, c.province_code), c.province_code,
           c.indicator_code, c.month_start, c.value
    from components c
    left join ref.province_crosswalk x on c.admin_era = 'pre2025' and x.old_province_code = c.province_code
),
sources_expected as (
    -- How many reported provinces make up one province of the basis.
    select new_province_code as province_code, count(*) as expected
    from ref.province_crosswalk
    group by new_province_code
),
province_month as (
    select b.boundary_basis, b.admin_era, b.province_code, b.indicator_code, b.month_start, sum(b.value) as value,
           count(distinct b.source_province) < max(case when b.boundary_basis = '2025' and b.source_era = 'pre2025'
                                                       then e.expected else 1 end) as is_partial
    from on_basis b
    left join sources_expected e on e.province_code = b.province_code
    group by b.boundary_basis, b.admin_era, b.province_code, b.indicator_code, b.month_start
),
grains as (select unnest(['month', 'quarter', 'year']) as grain),
province_period as (
    select m.boundary_basis, m.admin_era, m.province_code, m.indicator_code, g.grain,
           date_trunc(g.grain, m.month_start)::date as period_start,
           case when d.aggregation = 'flow' then sum(m.value) else arg_max(m.value, m.month_start) end as value,
           bool_or(m.is_partial) as is_partial
    from province_month m
    cross join grains g
    join ref.indicator_definition d using (indicator_code)
    group by m.boundary_basis, m.admin_era, m.province_code, m.indicator_code, g.grain, period_start, d.aggregation
),
ratios as (
    select n.boundary_basis, n.admin_era, n.province_code, d.indicator_code, n.grain, n.period_start,
           d.scale * n.value / nullif(m.value, 0) as value, n.is_partial or m.is_partial as is_partial
    from ref.indicator_definition d
    join province_period n on n.indicator_code = d.numerator
    join province_period m
      on m.indicator_code = d.denominator and m.boundary_basis = n.boundary_basis and m.admin_era = n.admin_era
     and m.province_code = n.province_code and m.grain = n.grain
     and m.period_start = n.period_start
    where d.aggregation = 'ratio'
),
all_values as (
    select * from province_period
    union all
    select * from ratios
)
select
    v.indicator_code,
    d.indicator_name_vi,
    d.indicator_name_en,
    v.grain,
    v.period_start,
    (v.period_start + case v.grain when 'month' then interval 1 month when 'quarter' then interval 3 month
                                   else interval 1 year end - interval 1 day)::date as period_end,
    v.admin_era,
    v.province_code,
    p.province_name,
    v.value,
    d.unit,
    d.aggregation,
    v.boundary_basis,
    -- Province-level re-aggregation is exact (no old province was split across new ones); a value
    -- is partial when some old province it is made of did not report.
    case when v.is_partial then 'partial' else 'exact' end as comparability
from all_values v
join ref.indicator_definition d using (indicator_code)
left join dw.dim_province p on p.admin_era = v.admin_era and p.province_code = v.province_code;

comment on view mart.indicators is 'Every indicator of warehouse/indicators.csv per province in long form, per month, quarter and year, as reported and on the 34 provinces of 2025 (stocks take their last value in a period, flows are summed, ratios are recomputed from their components); nationwide rows are in mart.national_indicators. Grain: one row per boundary basis, province, indicator and period. Key: boundary_basis, admin_era, province_code, indicator_code, grain, period_start.';
comment on column mart.indicators.indicator_code is 'Code of the indicator in warehouse/indicators.csv';
comment on column mart.indicators.indicator_name_vi is 'Name in Vietnamese';
comment on column mart.indicators.indicator_name_en is 'Name in English';
comment on column mart.indicators.grain is 'month, quarter or year';
comment on column mart.indicators.period_start is 'First day of the period';
comment on column mart.indicators.period_end is 'Last day of the period';
comment on column mart.indicators.admin_era is 'Era of the province codes: the report''s era as reported, 2025 on the 2025 basis';
comment on column mart.indicators.province_code is 'GSO province code of admin_era';
comment on column mart.indicators.province_name is 'Province name of admin_era';
comment on column mart.indicators.value is 'Stock: last value in the period; flow: sum over the period; ratio: recomputed from its components';
comment on column mart.indicators.unit is 'Unit of the value (người, xã, %, tin, vụ, đồng, hồ sơ, ...)';
comment on column mart.indicators.aggregation is 'stock, flow or ratio (how the value aggregates over time)';
comment on column mart.indicators.boundary_basis is 'as_reported (the boundaries of the report''s date) or 2025 (the 34 provinces of July 2025)';
comment on column mart.indicators.comparability is 'exact; or partial on the 2025 basis when an old province it adds up did not report';
