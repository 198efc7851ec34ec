-- Chip-based ID-card (CCCD) applications received per day: by district before July 2025, by
-- commune after (sheet 03). No keys or indexes (docs/design.md, "Data model").
create table if not exists dw.fact_id_card_applications (
    submission_id   varchar not null,
    report_date     date not null,
    date_key        integer not null,
    admin_era       varchar not null,
    province_code   varchar not null,
    unit_level      varchar not null,  -- district | commune
    unit_code       varchar not null,
    admin_unit_key  integer not null,
    applications    bigint not null,
    source_row      integer not null
);

-- The unit list the row was resolved against (ref.unit_list); admin_unit_key is its unit's version.
alter table dw.fact_id_card_applications add column if not exists unit_list varchar;

comment on table dw.fact_id_card_applications is 'Chip-based citizen ID-card (CCCD) applications received per day, as sheet 03 (Biểu 03 - Thu nhận hồ sơ CCCD) reported them: per district before July 2025, per commune-level unit from then. A later workbook replaces the province''s rows of each day it lists. Read through mart.id_card_progress (cumulated, against the target of dw.fact_id_card_target). Grain: one row per province, day and unit. Key: admin_era, province_code, report_date, unit_code.';
comment on column dw.fact_id_card_applications.submission_id is 'The submission the row came from (dw.dim_submission, audit.submission)';
comment on column dw.fact_id_card_applications.report_date is 'Day the applications were received';
comment on column dw.fact_id_card_applications.date_key is 'report_date as yyyymmdd (dw.dim_date)';
comment on column dw.fact_id_card_applications.admin_era is 'pre2025 or 2025: the era of the unit codes';
comment on column dw.fact_id_card_applications.province_code is 'GSO province code in admin_era';
comment on column dw.fact_id_card_applications.unit_level is 'district (before July 2025) or commune (from July 2025)';
comment on column dw.fact_id_card_applications.unit_code is 'GSO code of the unit in unit_list: a district (3 digits) or a commune-level unit (5 digits), by unit_level';
comment on column dw.fact_id_card_applications.admin_unit_key is 'The unit''s version in unit_list (dw.dim_admin_unit)';
comment on column dw.fact_id_card_applications.applications is 'Applications received that day (Số hồ sơ thu nhận trong ngày)';
comment on column dw.fact_id_card_applications.source_row is 'Row of the province''s sheet the figure came from, as Excel numbers it (on a continuation sheet, that sheet''s row)';
comment on column dw.fact_id_card_applications.unit_list is 'The unit list the row was resolved against (ref.unit_list.list_id)';
