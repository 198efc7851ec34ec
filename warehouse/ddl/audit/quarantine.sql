-- One entry per failed error-severity rule of a rejected data row (or an unresolved name).
create table if not exists audit.quarantine (
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

comment on table audit.quarantine is 'Data rows not loaded: one entry per error-severity rule a row failed (a name that matches no unit of the list in force, a negative or missing figure, a unit sent twice ...), with the cell and the message to send back to the province in Vietnamese and English. The rules are in expectations/. A row with several failures has several entries. Grain: one row per failed rule of a quarantined row.';
comment on column audit.quarantine.submission_id is 'The submission the row belongs to (audit.submission)';
comment on column audit.quarantine.run_id is 'The run that read it (audit.run)';
comment on column audit.quarantine.file_name is 'Name of the file as received';
comment on column audit.quarantine.sheet is 'Name of the sheet the row is on, as the province wrote it (a continuation sheet''s own name)';
comment on column audit.quarantine.row_number is 'The row in that sheet, as Excel numbers it';
comment on column audit.quarantine.column_name is 'The template column at fault, by its name in the warehouse (officers, commune_name, tips_received, ...; docs/template.md lists the headings)';
comment on column audit.quarantine.value is 'The cell''s value as read, as text';
comment on column audit.quarantine.rule is 'Id of the rule that failed (officers_out_of_range, unit_known, duplicate_unit, ...: expectations/<dataset>.json and resolution.json)';
comment on column audit.quarantine.severity is 'error: the row was not loaded';
comment on column audit.quarantine.message_vi is 'What is wrong and what to do, in Vietnamese, for the province (as in its feedback workbook)';
comment on column audit.quarantine.message_en is 'The same in English';
