-- Chip-based ID-card (CCCD) applications received per day: by district before July 2025, by
-- commune after (sheet 03). No keys or indexes (docs/design.md, "Data model").
create table if not exists dw.fact_id_card_applications (
    submission_id   varchar not null,
    report_date     date not null,
    date_key        integer not null,
    admin_era       varchar not null,
    province_code   varchar not null,
    unit_level      varchar not null,  -- district | commune
    unit_code       varchar not null,
    admin_unit_key  integer not null,
    applications    bigint not null,
    source_row      integer not null
);

-- The unit list the row was resolved against (ref.unit_list); admin_unit_key is its unit's version.
alter table dw.fact_id_card_applications add column if not exists unit_list varchar;
