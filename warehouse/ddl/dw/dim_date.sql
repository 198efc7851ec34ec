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

comment on table dw.dim_date is 'Calendar: one row per day from 2019-01-01 to 2030-12-31, with the administrative era in force that day. Facts join it on date_key. Grain: one row per day. Key: date_key.';
comment on column dw.dim_date.date_key is 'The day as the number yyyymmdd (20210423); the date_key of the facts';
comment on column dw.dim_date.full_date is 'The day';
comment on column dw.dim_date.year is 'Calendar year';
comment on column dw.dim_date.quarter is 'Calendar quarter, 1 to 4';
comment on column dw.dim_date.month is 'Month, 1 to 12';
comment on column dw.dim_date.day is 'Day of the month, 1 to 31';
comment on column dw.dim_date.month_start is 'First day of the day''s month';
comment on column dw.dim_date.month_end is 'Last day of the day''s month';
comment on column dw.dim_date.iso_weekday is 'Day of the week, 1 = Monday to 7 = Sunday';
comment on column dw.dim_date.is_weekend is 'Saturday or Sunday';
comment on column dw.dim_date.admin_era is 'Era in force that day: pre2025 up to 2025-06-30, 2025 from 2025-07-01';
