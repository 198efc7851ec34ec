create table if not exists dw.dim_province (
    province_key    integer not null primary key,
    admin_era       varchar not null,
    province_code   varchar not null,
    province_name   varchar not null,
    short_name      varchar not null,
    communes_in_scope integer not null,  -- reference units counted by the staffing indicators
    valid_from      date not null,
    valid_to        date not null,
    is_current      boolean not null
);
