create table if not exists dw.dim_date (
    date_key     integer not null primary key,  -- yyyymmdd
    full_date    date not null,
    year         integer not null,
    quarter      integer not null,
    month        integer not null,
    day          integer not null,
    month_start  date not null,
    month_end    date not null,
    iso_weekday  integer not null,             -- 1 = Monday
    is_weekend   boolean not null,
    admin_era    varchar not null
);
