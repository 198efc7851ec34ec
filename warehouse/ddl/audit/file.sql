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
