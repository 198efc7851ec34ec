-- Security-and-order activity per commune per month (sheet 02). No keys or indexes (docs/design.md, "Data model").
create table if not exists dw.fact_security_activity (
    submission_id           varchar not null,
    period_start            date not null,
    period_end              date not null,
    date_key                integer not null,   -- of period_start
    admin_era               varchar not null,
    province_code           varchar not null,
    district_code           varchar,
    unit_code               varchar not null,
    admin_unit_key          integer not null,
    tips_received           bigint not null,    -- tin về ANTT tiếp nhận
    crime_reports           bigint not null,    -- tin báo, tố giác tội phạm
    cases_clarified         bigint not null,
    subjects                bigint not null,
    admin_violation_cases   bigint not null,
    fines_vnd               bigint not null,
    education_dossiers      bigint not null,
    rehab_dossiers          bigint not null,
    reform_school_dossiers  bigint not null,
    note                    varchar,
    source_row              integer not null
);

-- The unit list the row was resolved against (ref.unit_list); admin_unit_key is its unit's version.
alter table dw.fact_security_activity add column if not exists unit_list varchar;
