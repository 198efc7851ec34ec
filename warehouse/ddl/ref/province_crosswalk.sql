-- Each of the 63 provinces -> the one of the 34 of 1 July 2025 it became part of, from the
-- official crosswalk. No old province was split across new ones (checked by tests), so
-- province-level re-aggregation is exact.
create table if not exists ref.province_crosswalk (
    old_province_code  varchar not null primary key,
    new_province_code  varchar not null
);
