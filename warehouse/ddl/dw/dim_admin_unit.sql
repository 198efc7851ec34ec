-- Type-2 dimension over every dated unit list (ref.admin_unit): a unit code is only meaningful
-- with its validity interval; facts point at the version in force on their report's date.
create table if not exists dw.dim_admin_unit (
    admin_unit_key  integer not null primary key,
    admin_era       varchar not null,
    unit_code       varchar not null,
    level           varchar not null,
    unit_type       varchar not null,
    name            varchar not null,
    short_name      varchar not null,
    province_code   varchar not null,
    district_code   varchar,
    is_in_scope     boolean not null,
    valid_from      date not null,
    valid_to        date not null,
    is_current      boolean not null   -- the version of the latest list
);

comment on table dw.dim_admin_unit is 'Administrative units (provinces, districts, communes) as a type-2 dimension over every dated unit list: ref.admin_unit with a surrogate key. The facts of sheets 01 to 03 point at the version in force in the list their submission was resolved against (admin_unit_key). Grain: one row per version of a unit. Key: admin_unit_key (or level, unit_code, valid_from).';
comment on column dw.dim_admin_unit.admin_unit_key is 'Surrogate key of the version; renumbered, and the facts re-pointed, when the reference side is rebuilt (a new unit list): join on it within one copy of the warehouse, never keep it';
comment on column dw.dim_admin_unit.admin_era is 'pre2025 (63 provinces, 3 levels) or 2025 (34 provinces, no districts)';
comment on column dw.dim_admin_unit.unit_code is 'GSO code as zero-padded text: province 2 digits, district 3, commune 5';
comment on column dw.dim_admin_unit.level is 'province, district or commune';
comment on column dw.dim_admin_unit.unit_type is 'tỉnh or thành phố (province); huyện, quận, thị xã or thành phố (district); xã, phường, thị trấn or đặc khu (commune)';
comment on column dw.dim_admin_unit.name is 'Official name with its type (''Xã Hưng Đạo'')';
comment on column dw.dim_admin_unit.short_name is 'Name without its type (''Hưng Đạo'')';
comment on column dw.dim_admin_unit.province_code is 'GSO code of its province in the same era';
comment on column dw.dim_admin_unit.district_code is 'GSO code of its district (its own for a district); null for provinces and every 2025 unit';
comment on column dw.dim_admin_unit.is_in_scope is 'Counted by the staffing indicators: xã and thị trấn before July 2025, every commune-level unit from then';
comment on column dw.dim_admin_unit.valid_from is 'First day of the first list holding this version';
comment on column dw.dim_admin_unit.valid_to is 'Last day of the last list holding it; 9999-12-31 while in force';
comment on column dw.dim_admin_unit.is_current is 'The version is in the latest unit list (valid_to 9999-12-31)';
