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

comment on table ref.admin_unit_to_2025 is 'Each commune-level unit of every list before 1 July 2025 -> the commune of 1 July 2025 it became part of, following the crosswalks of ref.admin_unit_crosswalk list after list. Used to put pre-2025 reports on the 2025 boundaries (mart.staffing_by_commune, boundary_basis 2025). Grain: one row per pre-2025 list and unit. Key: list_id, unit_code.';
comment on column ref.admin_unit_to_2025.list_id is 'The pre-2025 list the unit belongs to (ref.unit_list.list_id); join facts on their unit_list';
comment on column ref.admin_unit_to_2025.unit_code is 'GSO commune code in that list';
comment on column ref.admin_unit_to_2025.province_code is 'Its province (of the 63) in that list';
comment on column ref.admin_unit_to_2025.new_commune_code is 'GSO code of the 2025 commune it leads to; null when a step of the chain is unmapped';
comment on column ref.admin_unit_to_2025.new_province_code is 'The 2025 province (of the 34); never null: no old province was split';
comment on column ref.admin_unit_to_2025.comparability is 'exact; approximate (a step divided the unit: counted whole in its default new commune); unmapped (new_commune_code null)';
