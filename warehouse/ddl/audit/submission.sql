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

comment on table audit.submission is 'What became of every submission (one sheet of one file) and of every file rejected whole (one row without a sheet), with its row counts: rows_read = rows_loaded + rows_quarantined. Those loaded are also in dw.dim_submission; their rejected rows are in audit.quarantine, their warnings in audit.warning. Grain: one row per submission or file rejected whole. Key: submission_id.';
comment on column audit.submission.submission_id is 'First 16 hex digits of the file''s sha256 + ''-'' + the sheet type for a submission read (as in dw.dim_submission and the facts); a rejection''s id adds a hash of the file''s name';
comment on column audit.submission.run_id is 'The run that recorded it (audit.run)';
comment on column audit.submission.file_name is 'Name of the file as received';
comment on column audit.submission.sha256 is 'SHA-256 of the file''s bytes (audit.file)';
comment on column audit.submission.province_code is 'GSO code of the reporting province; null for a file rejected whole whose province is unknown';
comment on column audit.submission.sheet is 'The sheet''s name as the province wrote it; null for a file rejected whole';
comment on column audit.submission.template is 'Sheet type of the template: 01 staffing, 02 security and order, 03 ID cards (daily), 04 commendations; null for a file rejected whole';
comment on column audit.submission.period_start is 'First day of the period reported (a month, or the first day a sheet 03 lists); null when unknown';
comment on column audit.submission.period_end is 'Last day of that period; null when unknown';
comment on column audit.submission.received_at is 'When the file arrived: its modification time, Vietnam local time';
comment on column audit.submission.status is 'loaded; loaded_with_errors (some rows quarantined); rejected (the sheet or the whole file, or every row); duplicate (the same bytes were taken in before); superseded (a later submission replaced all its rows)';
comment on column audit.submission.reason is 'Why, in English: the rejection (''the workbook is protected by a password''), how many rows were quarantined, or which file replaced it; null when loaded whole';
comment on column audit.submission.rows_read is 'Data rows read from the sheet (title, header, total and blank rows are not data rows)';
comment on column audit.submission.rows_loaded is 'Of which loaded into the facts';
comment on column audit.submission.rows_quarantined is 'Of which quarantined (audit.quarantine: one entry per failed rule)';
comment on column audit.submission.warnings is 'Warning entries recorded on its loaded rows and its total row (audit.warning)';
