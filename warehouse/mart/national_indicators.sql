-- Every indicator nationwide, per month, quarter and year, as reported and on the 34 provinces of
-- 2025: stocks and flows are the provinces' values of mart.indicators added up; ratios are
-- recomputed from those nationwide components, never averaged over provinces.
create or replace view mart.national_indicators as
with provinces_expected as (
    select admin_era, count(*) as expected
    from dw.dim_province
    group by admin_era
),
components as (
    -- Partial when a province of the basis is missing or itself partial.
    select
        i.boundary_basis,
        i.admin_era,
        i.indicator_code,
        i.grain,
        i.period_start,
        i.period_end,
        sum(i.value) as value,
        bool_or(i.comparability = 'partial') or count(*) < max(e.expected) as is_partial
    from mart.indicators i
    join provinces_expected e on e.admin_era = i.admin_era
    where i.aggregation <> 'ratio'
    group by i.boundary_basis, i.admin_era, i.indicator_code, i.grain, i.period_start, i.period_end
),
ratios as (
    select
        n.boundary_basis,
        n.admin_era,
        d.indicator_code,
        n.grain,
        n.period_start,
        n.period_end,
        d.scale * n.value / nullif(m.value, 0) as value,
        n.is_partial or m.is_partial as is_partial
    from ref.indicator_definition d
    join components n on n.indicator_code = d.numerator
    join components m
        on
            m.indicator_code = d.denominator and m.boundary_basis = n.boundary_basis
            and m.admin_era = n.admin_era and m.grain = n.grain and m.period_start = n.period_start
    where d.aggregation = 'ratio'
),
all_values as (
    select * from components
    union all
    select * from ratios
)
select
    v.indicator_code,
    d.indicator_name_vi,
    d.indicator_name_en,
    v.grain,
    v.period_start,
    v.period_end,
    v.admin_era,
    v.value,
    d.unit,
    d.aggregation,
    v.boundary_basis,
    case when v.is_partial then 'partial' else 'exact' end as comparability
from all_values v
join ref.indicator_definition d on d.indicator_code = v.indicator_code;

comment on view mart.national_indicators is 'Every indicator of warehouse/indicators.csv nationwide in long form, per month, quarter and year, as reported and on the 34 provinces of 2025: stocks and flows are the sum of the provinces of mart.indicators, ratios are recomputed from those sums. Grain: one row per boundary basis, era, indicator and period. Key: boundary_basis, admin_era, indicator_code, grain, period_start.';
comment on column mart.national_indicators.indicator_code is 'Code of the indicator in warehouse/indicators.csv';
comment on column mart.national_indicators.indicator_name_vi is 'Name in Vietnamese';
comment on column mart.national_indicators.indicator_name_en is 'Name in English';
comment on column mart.national_indicators.grain is 'month, quarter or year';
comment on column mart.national_indicators.period_start is 'First day of the period';
comment on column mart.national_indicators.period_end is 'Last day of the period';
comment on column mart.national_indicators.admin_era is 'Era of the provinces added up: the report''s era as reported, 2025 on the 2025 basis';
comment on column mart.national_indicators.value is 'Stock or flow: the provinces'' values added up; ratio: recomputed from the nationwide components';
comment on column mart.national_indicators.unit is 'Unit of the value (người, xã, %, tin, vụ, đồng, hồ sơ, ...)';
comment on column mart.national_indicators.aggregation is 'stock, flow or ratio (how the value aggregates over time)';
comment on column mart.national_indicators.boundary_basis is 'as_reported (the boundaries of the report''s date) or 2025 (the 34 provinces of July 2025)';
comment on column mart.national_indicators.comparability is 'exact; or partial when a province of the era did not report (or is itself partial on the 2025 basis)';
