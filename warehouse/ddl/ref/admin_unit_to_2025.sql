-- Each commune-level unit of every list before 1 July 2025 -> the commune of 1 July 2025 the
-- crosswalks lead to (ref.admin_unit_crosswalk, chained). The province is always known (the
-- province mapping is exact); the commune is null where a step is unmapped.
create table if not exists ref.admin_unit_to_2025 (
    list_id            varchar not null,
    unit_code          varchar not null,
    province_code      varchar not null,
    new_commune_code   varchar,
    new_province_code  varchar not null,
    comparability      varchar not null  -- exact | approximate (divided, counted in the default new unit) | unmapped
);
