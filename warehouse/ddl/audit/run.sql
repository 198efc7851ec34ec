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

comment on table audit.run is 'One row per run of the night (cax ingest, cax demo, or the DAG cax_nightly): when it ran and what it took in. A run loaded again under the same run_id (an Airflow rerun) keeps its first start and adds the new attempt''s counts. Grain: one row per run. Key: run_id.';
comment on column audit.run.run_id is 'The run''s id: ''yyyymmddThhmmss-xxxxxx'' (Vietnam time and a random suffix) for cax ingest and cax demo, the DAG run''s id under Airflow; also in audit.file, audit.submission, audit.quarantine and audit.warning';
comment on column audit.run.started_at is 'When the run started, Vietnam local time';
comment on column audit.run.finished_at is 'When its load finished, Vietnam local time';
comment on column audit.run.files_seen is 'Files the run took in: every file not taken in before, rejected ones and duplicates included (files skipped as already taken in are not counted)';
comment on column audit.run.files_loaded is 'Files with at least one submission loaded (loaded or loaded_with_errors)';
comment on column audit.run.files_rejected is 'Files with a rejected submission or rejected whole';
comment on column audit.run.rows_loaded is 'Data rows loaded into the facts';
comment on column audit.run.rows_quarantined is 'Data rows quarantined (audit.quarantine holds one entry per failed rule of each)';
