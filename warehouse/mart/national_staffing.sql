-- Nationwide staffing per month: the sum of the provinces' rows of that month (each its latest
-- snapshot), dated by the latest of their as-of dates. The month is the reports' (period_start of
-- mart.staffing_by_province), never the month of an as-of date. Stocks are never summed over months.
create or replace view mart.national_staffing as
with expected as (
    select admin_era, count(*) as provinces_expected
    from dw.dim_province
    group by admin_era
),
national as (
    select
        period_start,
        admin_era,
        max(as_of_date) as as_of_date,
        count(*) as provinces_reporting,
        sum(communes_in_scope)::bigint as communes_in_scope,
        sum(communes_staffed)::bigint as communes_staffed,
        sum(officers)::bigint as officers,
        string_agg(distinct unit_list, ', ' order by unit_list) as unit_lists
    from mart.staffing_by_province
    group by period_start, admin_era
)
select
    n.as_of_date,
    n.admin_era,
    n.provinces_reporting,
    e.provinces_expected,
    n.communes_in_scope,
    n.communes_staffed,
    n.officers,
    100.0 * n.communes_staffed / nullif(n.communes_in_scope, 0) as coverage_pct,
    n.officers / nullif(n.communes_staffed, 0) as officers_per_commune,
    n.period_start,
    n.unit_lists
from national n
join expected e using (admin_era);

comment on view mart.national_staffing is 'Nationwide regular-officer staffing per month: the provinces'' rows of the month in mart.staffing_by_province added up (stocks, never summed over months), with how many provinces reported. Grain: one row per era and month. Key: admin_era, period_start.';
comment on column mart.national_staffing.as_of_date is 'Latest as-of date among the provinces'' snapshots of the month (may fall up to 15 days after it)';
comment on column mart.national_staffing.admin_era is 'pre2025 (63 provinces) or 2025 (34 provinces)';
comment on column mart.national_staffing.provinces_reporting is 'Provinces with a staffing snapshot in the month';
comment on column mart.national_staffing.provinces_expected is 'Provinces of the era (63 or 34)';
comment on column mart.national_staffing.communes_in_scope is 'Units in scope of the reporting provinces';
comment on column mart.national_staffing.communes_staffed is 'Units in scope with at least one regular officer';
comment on column mart.national_staffing.officers is 'Regular officers assigned to units in scope';
comment on column mart.national_staffing.coverage_pct is 'communes_staffed / communes_in_scope x 100, from 0 to 100';
comment on column mart.national_staffing.officers_per_commune is 'officers / communes_staffed';
comment on column mart.national_staffing.period_start is 'First day of the month the provinces'' snapshots report on (the month in their reports'' titles)';
comment on column mart.national_staffing.unit_lists is 'The dated unit lists (ref.unit_list.list_id) the provinces'' snapshots were counted on, comma-separated: one list when every province reported on dates of one list';
