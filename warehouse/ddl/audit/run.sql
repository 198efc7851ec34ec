create table if not exists audit.run (
    run_id            varchar not null primary key,
    started_at        timestamp not null,
    finished_at       timestamp,
    files_seen        integer,
    files_loaded      integer,
    files_rejected    integer,
    rows_loaded       integer,
    rows_quarantined  integer
);
