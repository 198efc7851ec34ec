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
