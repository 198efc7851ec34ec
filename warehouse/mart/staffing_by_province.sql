-- Staffing per province per month: the province's latest snapshot in the month.
-- Definitions: docs/indicators.md (communes in scope counts reference units, whatever was sent: the
-- units in scope of the unit list in force on the snapshot's date, ref.province_scope).
-- A snapshot's month is its report's (the title's, dw.dim_submission.period_start), not the month of
-- its as-of date: an April report may be dated up to 15 days into May and stays April's.
create or replace view mart.staffing_by_province as
with per_submission as (
    -- Each submission's rows added up first, in one pass over the facts: a submission holds a unit
    -- once (the fact's key is submission_id, unit_code), so its rows count its units. Reading the
    -- rows once, without a distinct count over them, keeps the national line fast on a decade of
    -- monthly snapshots. units_matched counts the rows whose unit version is known: a snapshot of
    -- none is left out, as an inner join to dw.dim_admin_unit leaves out its rows.
    select
        f.submission_id,
        f.province_code,
        f.admin_era,
        f.as_of_date,
        count(u.admin_unit_key) as units_matched,
        count(*) filter (where u.is_in_scope and f.officers > 0) as communes_staffed,
        sum(f.officers) filter (where u.is_in_scope) as officers
    from dw.fact_commune_staffing f
    left join dw.dim_admin_unit u on u.admin_unit_key = f.admin_unit_key
    group by f.submission_id, f.province_code, f.admin_era, f.as_of_date
),
snapshot as (
    select p.*, s.period_start, s.unit_list as submission_list
    from per_submission p
    join dw.dim_submission s on s.submission_id = p.submission_id
),
latest as (
    select province_code, admin_era, period_start, max(as_of_date) as as_of_date
    from snapshot
    group by province_code, admin_era, period_start
),
per_province as (
    select
        l.period_start,
        l.as_of_date,
        l.admin_era,
        l.province_code,
        max(s.submission_list) filter (where s.units_matched > 0) as unit_list,
        sum(s.communes_staffed)::bigint as communes_staffed,
        coalesce(sum(s.officers), 0)::bigint as officers
    from latest l
    join snapshot s using (province_code, admin_era, period_start, as_of_date)
    group by l.period_start, l.as_of_date, l.admin_era, l.province_code
    having sum(s.units_matched) > 0
)
select
    r.as_of_date,
    r.admin_era,
    r.province_code,
    p.province_name,
    p.communes_in_scope,
    r.communes_staffed,
    r.officers,
    100.0 * r.communes_staffed / nullif(p.communes_in_scope, 0) as coverage_pct,
    r.officers / nullif(r.communes_staffed, 0) as officers_per_commune,
    r.period_start,
    r.unit_list
from per_province r
join ref.province_scope p on p.province_code = r.province_code and p.list_id = r.unit_list;

comment on view mart.staffing_by_province is 'Regular-officer staffing (sheet 01) per province and month (the month of the report''s title), from the province''s latest snapshot of the month: communes in scope and staffed, officers, coverage and officers per commune; nationwide lines are in mart.national_staffing. Grain: one row per province and month. Key: admin_era, province_code, period_start.';
comment on column mart.staffing_by_province.as_of_date is 'Date of the snapshot: the province''s latest staffing report of the month (up to 15 days after the month''s end)';
comment on column mart.staffing_by_province.admin_era is 'pre2025 (63 provinces) or 2025 (34 provinces): the unit list the report uses';
comment on column mart.staffing_by_province.province_code is 'GSO province code of the era, 2 digits';
comment on column mart.staffing_by_province.province_name is 'Official province name in the unit list of the snapshot';
comment on column mart.staffing_by_province.communes_in_scope is 'Units in the programme''s scope (before 7/2025: xã and thị trấn; after: every commune-level unit) in the unit list in force on the snapshot''s date (ref.province_scope)';
comment on column mart.staffing_by_province.communes_staffed is 'Units in scope with at least one regular officer in the snapshot';
comment on column mart.staffing_by_province.officers is 'Regular officers assigned, summed over units in scope';
comment on column mart.staffing_by_province.coverage_pct is 'communes_staffed / communes_in_scope x 100, from 0 to 100';
comment on column mart.staffing_by_province.officers_per_commune is 'officers / communes_staffed';
comment on column mart.staffing_by_province.period_start is 'First day of the month the snapshot reports on: the month in the report''s title (dw.dim_submission.period_start), not the month of as_of_date';
comment on column mart.staffing_by_province.unit_list is 'The dated unit list the snapshot was resolved against and counted on (ref.unit_list.list_id: the date of the list in force on as_of_date)';
