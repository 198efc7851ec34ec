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
