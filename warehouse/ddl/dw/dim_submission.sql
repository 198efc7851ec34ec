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
