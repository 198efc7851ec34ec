-- Regular officers assigned per commune, at the snapshot date of a submission.
-- No keys or indexes: DuckDB refuses most ALTER TABLE on tables that have them.
create table if not exists dw.fact_commune_staffing (
    submission_id   varchar not null,
    as_of_date      date not null,
    date_key        integer not null,
    admin_era       varchar not null,
    province_code   varchar not null,
    district_code   varchar,
    unit_code       varchar not null,
    admin_unit_key  integer not null,
    officers        integer not null,
    chiefs          integer,
    deputies        integer,
    staffed_date    date,
    note            varchar,
    source_row      integer not null
);

-- The unit list the row was resolved against (ref.unit_list); admin_unit_key is its unit's version.
alter table dw.fact_commune_staffing add column if not exists unit_list varchar;
