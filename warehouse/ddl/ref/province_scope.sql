-- Per unit list and province, the commune-level units in the programme's scope (before July 2025
-- xã and thị trấn; from July 2025 xã, phường and đặc khu): the denominator of staffing coverage
-- for a report resolved against that list.
create table if not exists ref.province_scope (
    list_id            varchar not null,
    admin_era          varchar not null,
    province_code      varchar not null,
    province_name      varchar not null,
    communes_in_scope  integer not null,
    valid_from         date not null,
    valid_to           date not null
);
