-- Security-and-order activity per commune per month (sheet 02). No keys or indexes (docs/design.md, "Data model").
create table if not exists dw.fact_security_activity (
    submission_id           varchar not null,
    period_start            date not null,
    period_end              date not null,
    date_key                integer not null,   -- of period_start
    admin_era               varchar not null,
    province_code           varchar not null,
    district_code           varchar,
    unit_code               varchar not null,
    admin_unit_key          integer not null,
    tips_received           bigint not null,    -- tin về ANTT tiếp nhận
    crime_reports           bigint not null,    -- tin báo, tố giác tội phạm
    cases_clarified         bigint not null,
    subjects                bigint not null,
    admin_violation_cases   bigint not null,
    fines_vnd               bigint not null,
    education_dossiers      bigint not null,
    rehab_dossiers          bigint not null,
    reform_school_dossiers  bigint not null,
    note                    varchar,
    source_row              integer not null
);

-- The unit list the row was resolved against (ref.unit_list); admin_unit_key is its unit's version.
alter table dw.fact_security_activity add column if not exists unit_list varchar;

comment on table dw.fact_security_activity is 'Security-and-order activity (an ninh trật tự, ANTT) of each commune-level unit in a month, as sheet 02 (Biểu 02 - Tình hình ANTT) reported it; a blank count is 0. Only the current submission of each province and month is kept. Read through mart.security_activity and mart.national_security_activity. Grain: one row per province, month and unit. Key: admin_era, province_code, period_start, unit_code.';
comment on column dw.fact_security_activity.submission_id is 'The submission the row came from (dw.dim_submission, audit.submission)';
comment on column dw.fact_security_activity.period_start is 'First day of the reported month';
comment on column dw.fact_security_activity.period_end is 'Last day of the reported month';
comment on column dw.fact_security_activity.date_key is 'period_start as yyyymmdd (dw.dim_date)';
comment on column dw.fact_security_activity.admin_era is 'pre2025 or 2025: the era of the unit codes';
comment on column dw.fact_security_activity.province_code is 'GSO province code in admin_era';
comment on column dw.fact_security_activity.district_code is 'GSO code of the unit''s district in unit_list; null from July 2025';
comment on column dw.fact_security_activity.unit_code is 'GSO code of the commune-level unit (5 digits) in unit_list';
comment on column dw.fact_security_activity.admin_unit_key is 'The unit''s version in unit_list (dw.dim_admin_unit)';
comment on column dw.fact_security_activity.tips_received is 'Security-and-order tips received (Tin về ANTT tiếp nhận)';
comment on column dw.fact_security_activity.crime_reports is 'Crime reports and denunciations (Tin báo, tố giác tội phạm), part of tips_received';
comment on column dw.fact_security_activity.cases_clarified is 'Cases clarified (Số vụ đã làm rõ)';
comment on column dw.fact_security_activity.subjects is 'Subjects identified (Số đối tượng), people';
comment on column dw.fact_security_activity.admin_violation_cases is 'Administrative-violation cases penalised (Số vụ xử phạt VPHC)';
comment on column dw.fact_security_activity.fines_vnd is 'Fines imposed, in đồng (VND)';
comment on column dw.fact_security_activity.education_dossiers is 'Education-at-commune dossiers (Hồ sơ giáo dục tại xã)';
comment on column dw.fact_security_activity.rehab_dossiers is 'Dossiers for compulsory drug rehabilitation (Hồ sơ đưa vào cơ sở cai nghiện bắt buộc)';
comment on column dw.fact_security_activity.reform_school_dossiers is 'Dossiers for reform school (Hồ sơ đưa vào trường giáo dưỡng)';
comment on column dw.fact_security_activity.note is 'The province''s note (Ghi chú), as written';
comment on column dw.fact_security_activity.source_row is 'Row of the province''s sheet the figures came from, as Excel numbers it (on a continuation sheet, that sheet''s row)';
comment on column dw.fact_security_activity.unit_list is 'The unit list the row was resolved against (ref.unit_list.list_id)';
