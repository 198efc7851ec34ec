-- Official administrative units as a history: one row per version of a unit, from every dated
-- unit list (ref.unit_list). A version spans the consecutive lists that hold the unit unchanged;
-- another name, type, district, province or era starts a new one. Loaded by etl.reference.
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
    valid_from     date not null,     -- the first day of the first list that holds this version
    valid_to       date not null,     -- the last day of the last list that holds it (9999-12-31: in force)
    is_in_scope    boolean not null,  -- counted by the staffing indicators of its era
    first_list     date not null,     -- ref.unit_list.list_date of the first list holding this version
    last_list      date not null,     -- and of the last
    primary key (level, unit_code, valid_from)
);
