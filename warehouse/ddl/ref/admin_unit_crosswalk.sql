-- Each pre-2025 commune -> the 2025 commune it became part of. A commune divided among several
-- new ones maps to the package's default new commune and is flagged approximate.
create table if not exists ref.admin_unit_crosswalk (
    old_commune_code   varchar not null primary key,
    old_province_code  varchar not null,
    new_commune_code   varchar not null,
    new_province_code  varchar not null,
    is_approximate     boolean not null
);
