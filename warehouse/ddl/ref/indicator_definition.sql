-- Indicator definitions, loaded from warehouse/indicators.csv (the one place they live).
-- aggregation over time: stock = last value in the period; flow = sum; ratio = numerator /
-- denominator x scale, recomputed from aggregated components, never averaged.
create table if not exists ref.indicator_definition (
    indicator_code     varchar not null primary key,
    indicator_name_vi  varchar not null,
    indicator_name_en  varchar not null,
    unit               varchar not null,
    aggregation        varchar not null,  -- stock | flow | ratio
    numerator          varchar,
    denominator        varchar,
    scale              double,
    formula            varchar not null
);

comment on table ref.indicator_definition is 'The indicator definitions, from warehouse/indicators.csv (replaced on every run): names, unit and how each aggregates over time. mart.indicators and mart.national_indicators hold one value per indicator_code; docs/indicators.md explains them. Grain: one row per indicator. Key: indicator_code.';
comment on column ref.indicator_definition.indicator_code is 'Code of the indicator (''officers'', ''coverage_pct'', ...), as in mart.indicators';
comment on column ref.indicator_definition.indicator_name_vi is 'Name in Vietnamese';
comment on column ref.indicator_definition.indicator_name_en is 'Name in English';
comment on column ref.indicator_definition.unit is 'Unit of the value: người, xã, %, tin, vụ, đồng, hồ sơ, ...';
comment on column ref.indicator_definition.aggregation is 'stock (the last value in a period), flow (summed over the period) or ratio (numerator / denominator x scale, recomputed from the aggregated components, never averaged)';
comment on column ref.indicator_definition.numerator is 'For a ratio: the indicator_code of its numerator; else null';
comment on column ref.indicator_definition.denominator is 'For a ratio: the indicator_code of its denominator; else null';
comment on column ref.indicator_definition.scale is 'For a ratio: the factor applied (100 for a percentage); else null';
comment on column ref.indicator_definition.formula is 'The definition in words';
