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

comment on table dw.dim_province is 'Provinces of each era: the 63 before 1 July 2025 and the 34 from then, each named as in its era''s latest unit list. A province code means another province in each era (''24'' was Bắc Giang, is Bắc Ninh): join on admin_era and province_code. ref.province_crosswalk maps the 63 to the 34. Grain: one row per era and province. Key: admin_era, province_code.';
comment on column dw.dim_province.province_key is 'Surrogate key, numbered when the reference side is (re)built: join on admin_era and province_code instead';
comment on column dw.dim_province.admin_era is 'pre2025 (63 provinces) or 2025 (34 provinces)';
comment on column dw.dim_province.province_code is 'GSO province code of the era, 2 digits';
comment on column dw.dim_province.province_name is 'Official name with its type, as in the era''s latest list (''Tỉnh Hải Dương'', ''Thành phố Hải Phòng'')';
comment on column dw.dim_province.short_name is 'Name without its type (''Hải Dương'')';
comment on column dw.dim_province.communes_in_scope is 'Units in the programme''s scope in the era''s latest list (pre2025: that of 30/06/2025). The staffing marts count instead on the list in force on each snapshot''s date (ref.province_scope)';
comment on column dw.dim_province.valid_from is 'First day of the era: 1900-01-01 for pre2025, 2025-07-01 for 2025';
comment on column dw.dim_province.valid_to is 'Last day of the era: 2025-06-30 for pre2025, 9999-12-31 for 2025';
comment on column dw.dim_province.is_current is 'A province of today''s era (2025)';
