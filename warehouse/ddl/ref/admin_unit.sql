-- Official administrative units of both eras, as shipped in vietnamadminunits (no network).
create table if not exists ref.admin_unit (
    admin_era      varchar not null,  -- 'pre2025' (63 provinces, 3 levels) or '2025' (34, 2 levels)
    unit_code      varchar not null,  -- GSO code, zero-padded text: province 2, district 3, commune 5
    level          varchar not null,  -- province | district | commune
    unit_type      varchar not null,  -- tỉnh, thành phố, quận, huyện, thị xã, xã, phường, thị trấn, đặc khu
    name           varchar not null,  -- official name with its type ('Xã Hưng Đạo')
    short_name     varchar not null,  -- name without its type ('Hưng Đạo')
    province_code  varchar not null,
    district_code  varchar,           -- null for provinces and for every 2025 unit
    parent_code    varchar,
    valid_from     date not null,
    valid_to       date not null,
    is_in_scope    boolean not null,  -- counted by the staffing indicators of its era
    primary key (admin_era, unit_code)
);
