-- Every submission, and one row with no sheet for a file rejected whole.
-- rows_read = rows_loaded + rows_quarantined for every submission.
create table if not exists audit.submission (
    submission_id     varchar not null,
    run_id            varchar,
    file_name         varchar not null,
    sha256            varchar not null,
    province_code     varchar,
    sheet             varchar,           -- the sheet's name as the province wrote it; null for a whole file
    template          varchar,           -- sheet type of the template, '01' to '04'; null for a whole file
    period_start      date,
    period_end        date,
    received_at       timestamp,
    status            varchar not null,  -- loaded | loaded_with_errors | rejected | duplicate | superseded
    reason            varchar,
    rows_read         integer not null,
    rows_loaded       integer not null,
    rows_quarantined  integer not null,
    warnings          integer not null
);

-- Warehouses created before the column existed: add it, and fill it for their rows from the one
-- place the sheet type was kept then (the last two characters of the submission id).
alter table audit.submission add column if not exists template varchar;
update audit.submission set template = right(submission_id, 2)
where template is null and sheet is not null;
