-- Regular officers assigned per commune, at the snapshot date of a submission.
-- No keys or indexes: DuckDB refuses most ALTER TABLE on tables that have them.
create table if not exists dw.fact_commune_staffing (
    submission_id   varchar not null,
    as_of_date      date not null,
    date_key        integer not null,
    admin_era       varchar not null,
    province_code   varchar not null,
    district_code   varchar,
    unit_code       varchar not null,
    admin_unit_key  integer not null,
    officers        integer not null,
    chiefs          integer,
    deputies        integer,
    staffed_date    date,
    note            varchar,
    source_row      integer not null
);

-- The unit list the row was resolved against (ref.unit_list); admin_unit_key is its unit's version.
alter table dw.fact_commune_staffing add column if not exists unit_list varchar;

comment on table dw.fact_commune_staffing is 'Regular officers (CA chính quy) assigned to each commune-level unit at a snapshot date, as sheet 01 (Biểu 01 - Bố trí CA chính quy) reported them: every unit the province listed, phường before July 2025 included (out of scope: dw.dim_admin_unit.is_in_scope). Only the current submission of each province and month is kept (dw.dim_submission). Read the figures through mart.staffing_by_province, mart.national_staffing and mart.staffing_by_commune. Grain: one row per submission and unit. Key: submission_id, unit_code.';
comment on column dw.fact_commune_staffing.submission_id is 'The submission the row came from (dw.dim_submission, audit.submission)';
comment on column dw.fact_commune_staffing.as_of_date is 'Date of the snapshot (the report''s as-of date; its month is dw.dim_submission.period_start)';
comment on column dw.fact_commune_staffing.date_key is 'as_of_date as yyyymmdd (dw.dim_date)';
comment on column dw.fact_commune_staffing.admin_era is 'pre2025 or 2025: the era of the unit codes';
comment on column dw.fact_commune_staffing.province_code is 'GSO province code in admin_era';
comment on column dw.fact_commune_staffing.district_code is 'GSO code of the unit''s district in unit_list; null from July 2025 (no districts)';
comment on column dw.fact_commune_staffing.unit_code is 'GSO code of the commune-level unit (5 digits) in unit_list, resolved from the name the province wrote';
comment on column dw.fact_commune_staffing.admin_unit_key is 'The unit''s version in unit_list (dw.dim_admin_unit)';
comment on column dw.fact_commune_staffing.officers is 'Regular officers assigned (Số CA chính quy đã bố trí), people, 0 to 50';
comment on column dw.fact_commune_staffing.chiefs is 'Of which the commune police chief (Trưởng CA xã), 0 or 1; null when the cell was blank';
comment on column dw.fact_commune_staffing.deputies is 'Of which deputy chiefs (Phó trưởng CA xã); null when the cell was blank';
comment on column dw.fact_commune_staffing.staffed_date is 'Date the unit was fully staffed (Ngày hoàn thành bố trí), as the province gave it; null when blank';
comment on column dw.fact_commune_staffing.note is 'The province''s note (Ghi chú), as written';
comment on column dw.fact_commune_staffing.source_row is 'Row of the province''s sheet the figures came from, as Excel numbers it (on a continuation sheet, that sheet''s row)';
comment on column dw.fact_commune_staffing.unit_list is 'The unit list the row was resolved against (ref.unit_list.list_id)';
