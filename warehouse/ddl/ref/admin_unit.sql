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

comment on table ref.admin_unit is 'Official administrative units (provinces, districts, communes) as a history over every dated list of ref.unit_list: one row per version of a unit. A version spans the consecutive lists that hold the unit unchanged; another name, type, district, province or era starts a new one. A unit code means a unit only together with a date: pick the version whose valid_from..valid_to holds it. dw.dim_admin_unit is the same with a surrogate key. Grain: one row per version. Key: level, unit_code, valid_from.';
comment on column ref.admin_unit.admin_era is 'pre2025 (63 provinces, 3 levels) or 2025 (34 provinces, 2 levels: no districts)';
comment on column ref.admin_unit.unit_code is 'GSO code as zero-padded text: province 2 digits, district 3, commune 5. The same code may name another unit in another era or list (province ''24'' was Bắc Giang, is Bắc Ninh from July 2025)';
comment on column ref.admin_unit.level is 'province, district or commune (commune level: xã, phường, thị trấn, đặc khu)';
comment on column ref.admin_unit.unit_type is 'Type, lower case: tỉnh or thành phố (province); huyện, quận, thị xã or thành phố (district); xã, phường, thị trấn or đặc khu (commune)';
comment on column ref.admin_unit.name is 'Official name with its type, as in the list (''Xã Hưng Đạo'', ''Tỉnh Hải Dương''), NFC';
comment on column ref.admin_unit.short_name is 'Name without its type (''Hưng Đạo'')';
comment on column ref.admin_unit.province_code is 'GSO code of the unit''s province in the same era (its own code for a province)';
comment on column ref.admin_unit.district_code is 'GSO code of the unit''s district (its own code for a district); null for provinces and for every 2025 unit';
comment on column ref.admin_unit.parent_code is 'Code of the unit one level up: the district of a pre-2025 commune, the province of a district or of a 2025 commune; null for provinces';
comment on column ref.admin_unit.valid_from is 'First day of the first list holding this version (ref.unit_list.valid_from)';
comment on column ref.admin_unit.valid_to is 'Last day of the last list holding it (ref.unit_list.valid_to); 9999-12-31 while it is in force';
comment on column ref.admin_unit.is_in_scope is 'Counted by the staffing indicators of its era: xã and thị trấn before July 2025, every commune-level unit from then; false for provinces, districts and pre-2025 phường';
comment on column ref.admin_unit.first_list is 'list_date of the first list holding this version (ref.unit_list)';
comment on column ref.admin_unit.last_list is 'list_date of the last list holding this version (ref.unit_list)';
