-- Every file taken in, written once all of its submissions are recorded: a file a killed loader
-- left half-loaded is not here, so the next night takes it in again (its loads are idempotent).
create table if not exists audit.file (
    sha256         varchar not null,
    file_name      varchar not null,
    province_code  varchar,
    received_at    timestamp,
    run_id         varchar,
    status         varchar not null,  -- loaded | rejected | duplicate
    taken_in_at    timestamp not null,
    rejection_code varchar             -- of a file rejected whole (etl/extract/errors.py); else null
);

-- Warehouses created before the column existed: their rejections count as lasting ones.
alter table audit.file add column if not exists rejection_code varchar;

comment on table audit.file is 'Every file taken in, recorded once all its submissions are (a file a killed load left half-done is not here and is taken in again). The same bytes are never loaded twice: a byte-identical copy is a duplicate. What became of each sheet is in audit.submission (by sha256 and file_name). Grain: one row per file content and name. Key: sha256, file_name.';
comment on column audit.file.sha256 is 'SHA-256 of the file''s bytes (of a file that could not be read: of its path, size and times)';
comment on column audit.file.file_name is 'Name of the file as received (without its folder)';
comment on column audit.file.province_code is 'GSO code of the province it came from, when known (from its title block or file name)';
comment on column audit.file.received_at is 'When it arrived: its modification time, Vietnam local time';
comment on column audit.file.run_id is 'The run that took it in (audit.run)';
comment on column audit.file.status is 'loaded (at least one sheet was read as a submission: what became of each is in audit.submission), rejected (rejected whole, or every sheet rejected) or duplicate (the same bytes were taken in before)';
comment on column audit.file.taken_in_at is 'When it was recorded, Vietnam local time';
comment on column audit.file.rejection_code is 'Why a file was rejected whole: unreadable (empty, truncated, not a workbook), password_protected, no_sheet, unknown_province, unknown_period, implausible_period, duplicate, or rejected (a template with no figures filled in); time_limit, memory_limit, vanished, inaccessible and changed pass, and the file is read again the next night. Null otherwise';
