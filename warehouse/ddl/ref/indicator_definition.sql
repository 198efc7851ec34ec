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
