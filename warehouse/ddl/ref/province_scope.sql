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

comment on table ref.province_scope is 'Per unit list and province, how many commune-level units the programme covers: the denominator of staffing coverage for a snapshot resolved against that list (mart.staffing_by_province.communes_in_scope). Grain: one row per list and province. Key: list_id, province_code.';
comment on column ref.province_scope.list_id is 'The unit list (ref.unit_list.list_id)';
comment on column ref.province_scope.admin_era is 'pre2025 or 2025: the era of the list';
comment on column ref.province_scope.province_code is 'GSO province code in that list';
comment on column ref.province_scope.province_name is 'Official province name in that list';
comment on column ref.province_scope.communes_in_scope is 'Units in scope: xã and thị trấn before July 2025; xã, phường and đặc khu from July 2025';
comment on column ref.province_scope.valid_from is 'First day the list is in force';
comment on column ref.province_scope.valid_to is 'Last day the list is in force (9999-12-31 for the latest)';
