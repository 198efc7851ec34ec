-- Each of the 63 provinces -> the one of the 34 of 1 July 2025 it became part of, from the
-- official crosswalk. No old province was split across new ones (checked by tests), so
-- province-level re-aggregation is exact.
create table if not exists ref.province_crosswalk (
    old_province_code  varchar not null primary key,
    new_province_code  varchar not null
);

comment on table ref.province_crosswalk is 'Each of the 63 provinces before 1 July 2025 -> the one of the 34 provinces it became part of, from the official 2025 crosswalk. Exact: no old province was split, so provinces add up without approximation (mart.indicators on boundary_basis 2025). Grain: one row per old province. Key: old_province_code.';
comment on column ref.province_crosswalk.old_province_code is 'GSO code of the province before 1 July 2025 (admin_era pre2025)';
comment on column ref.province_crosswalk.new_province_code is 'GSO code of the province from 1 July 2025 (admin_era 2025) it became part of';
