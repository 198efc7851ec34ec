-- Every submission, and one row with no sheet for a file rejected whole.
-- rows_read = rows_loaded + rows_quarantined for every submission.
create table if not exists audit.submission (
    submission_id     varchar not null,
    run_id            varchar,
    file_name         varchar not null,
    sha256            varchar not null,
    province_code     varchar,
    sheet             varchar,
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
