-- One row per submission (one sheet of one file) that was accepted for loading.
create table if not exists dw.dim_submission (
    submission_id    varchar not null,  -- first 16 hex of the file's sha256 + '-' + sheet code
    file_name        varchar not null,
    sha256           varchar not null,
    sheet            varchar not null,              -- the sheet's name as the province wrote it
    template         varchar not null,              -- sheet type of the template: '01' to '04'
    province_code    varchar not null,
    admin_era        varchar not null,
    period_start     date not null,
    period_end       date not null,
    as_of_date       date,                          -- sheet 01 snapshot date; null for other sheets
    received_at      timestamp not null,            -- file modification time, Vietnam local time
    loaded_at        timestamp not null,
    status           varchar not null               -- loaded | loaded_with_errors | superseded
);

-- The unit list the submission's rows were resolved against (ref.unit_list), and the date that
-- chose it (the as-of date, else the period's end). Null for warehouses loaded before lists by date.
alter table dw.dim_submission add column if not exists unit_list varchar;
alter table dw.dim_submission add column if not exists units_date date;

comment on table dw.dim_submission is 'Every submission accepted for loading: one sheet of one file (a report of one province, one sheet type and one period). Its facts carry its submission_id; a later submission of the same partition (province, sheet, month; or province and day for sheet 03) replaces their rows, and this one becomes superseded once none remain. Rejected sheets and files are only in audit.submission. Grain: one row per submission. Key: submission_id.';
comment on column dw.dim_submission.submission_id is 'First 16 hex digits of the file''s sha256 + ''-'' + the sheet type (''3397d75de481bb99-03''); the same id in audit.submission and the facts';
comment on column dw.dim_submission.file_name is 'Name of the file as received (without its folder)';
comment on column dw.dim_submission.sha256 is 'SHA-256 of the file''s bytes';
comment on column dw.dim_submission.sheet is 'The sheet''s name as the province wrote it';
comment on column dw.dim_submission.template is 'Sheet type of the template: 01 staffing, 02 security and order, 03 ID cards (daily), 04 commendations';
comment on column dw.dim_submission.province_code is 'GSO code of the reporting province in admin_era';
comment on column dw.dim_submission.admin_era is 'pre2025 or 2025: the era of the report''s date';
comment on column dw.dim_submission.period_start is 'First day of the period reported: of the month in the title (sheets 01, 02, 04), or the first day its rows list (sheet 03)';
comment on column dw.dim_submission.period_end is 'Last day of that period: the month''s last, or the last day its rows list (sheet 03)';
comment on column dw.dim_submission.as_of_date is 'Sheet 01: the snapshot''s date (may fall up to 15 days after the month); null for the other sheets';
comment on column dw.dim_submission.received_at is 'When the file arrived: its modification time, Vietnam local time';
comment on column dw.dim_submission.loaded_at is 'When it was loaded, Vietnam local time';
comment on column dw.dim_submission.status is 'loaded, loaded_with_errors (some rows quarantined: audit.quarantine) or superseded (replaced by a later submission)';
comment on column dw.dim_submission.unit_list is 'The unit list its rows were resolved against (ref.unit_list.list_id: the list in force on units_date); a submission loaded before the lists by date carries the list of its era it was resolved against then';
comment on column dw.dim_submission.units_date is 'The date that chose the list: the as-of date, else the period''s end; null for a submission loaded before the lists by date';
