-- One entry per failed warning-severity rule: the row was loaded, the warning recorded beside it.
create table if not exists audit.warning (
    submission_id  varchar not null,
    run_id         varchar,
    file_name      varchar not null,
    sheet          varchar not null,
    row_number     integer not null,  -- the row in the province's sheet, as Excel numbers it
    column_name    varchar not null,
    value          varchar,
    rule           varchar not null,
    severity       varchar not null,
    message_vi     varchar not null,
    message_en     varchar not null
);

comment on table audit.warning is 'Warnings on loaded rows: one entry per warning-severity rule a row failed (an implausibly large figure, a change far from the unit''s previous period, a total row that does not add up ...). The row was loaded; the warning is there to be checked. Grain: one row per failed rule of a loaded row (or total row).';
comment on column audit.warning.submission_id is 'The submission the row belongs to (audit.submission)';
comment on column audit.warning.run_id is 'The run that read it (audit.run)';
comment on column audit.warning.file_name is 'Name of the file as received';
comment on column audit.warning.sheet is 'Name of the sheet the row is on, as the province wrote it';
comment on column audit.warning.row_number is 'The row in that sheet, as Excel numbers it';
comment on column audit.warning.column_name is 'The template column concerned, by its name in the warehouse (officers, tips_received, ...)';
comment on column audit.warning.value is 'The cell''s value as read, as text';
comment on column audit.warning.rule is 'Id of the rule (total_matches_rows, tips_received_implausible, officers_outlier_vs_previous_period, ...: expectations/)';
comment on column audit.warning.severity is 'warning: the row was loaded';
comment on column audit.warning.message_vi is 'The warning in Vietnamese, for the province';
comment on column audit.warning.message_en is 'The same in English';
