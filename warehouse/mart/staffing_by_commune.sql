-- Staffing per commune, as reported and on the 2025 communes. A unit of a list before July 2025 is
-- followed through the crosswalks of the dated lists to the commune of 2025 it became part of
-- (ref.admin_unit_to_2025): exact; approximate where an old commune divided among several new ones
-- is counted in its default new commune; unmapped where a crosswalk establishes nothing (the row
-- keeps its old unit, in its exact 2025 province: counted, never guessed).
-- period_start is the month of the report's title (dw.dim_submission), not the month of as_of_date:
-- a report may be dated up to 15 days after its month, so two months' snapshots can share a date.
create or replace view mart.staffing_by_commune as
with snapshot as (
    select f.*, s.period_start
    from dw.fact_commune_staffing f
    join dw.dim_submission s on s.submission_id = f.submission_id
)
select 'as_reported' as boundary_basis, f.admin_era, f.as_of_date, f.province_code, f.unit_code, u.name as unit_name,
       u.is_in_scope, f.officers::bigint as officers, f.chiefs::bigint as chiefs, f.deputies::bigint as deputies,
       'exact' as comparability, f.period_start, f.unit_list
from snapshot f
join dw.dim_admin_unit u on u.admin_unit_key = f.admin_unit_key
union all
select '2025', '2025', f.as_of_date, x.new_province_code, x.new_commune_code, any_value(n.name), bool_or(u.is_in_scope),
       sum(f.officers), sum(f.chiefs), sum(f.deputies),
       case when bool_or(x.comparability = 'approximate') then 'approximate' else 'exact' end, f.period_start,
       min(f.unit_list)
from snapshot f
join dw.dim_admin_unit u on u.admin_unit_key = f.admin_unit_key
join ref.admin_unit_to_2025 x on x.list_id = f.unit_list and x.unit_code = f.unit_code
left join dw.dim_admin_unit n on n.level = 'commune' and n.unit_code = x.new_commune_code and n.admin_era = '2025'
    and date '2025-07-01' between n.valid_from and n.valid_to
where f.admin_era = 'pre2025' and x.new_commune_code is not null
group by f.period_start, f.as_of_date, x.new_province_code, x.new_commune_code
union all
-- An old unit whose 2025 commune the crosswalks do not establish stays itself (its own era and code)
-- in its exact 2025 province: counted, never guessed.
select '2025', f.admin_era, f.as_of_date, x.new_province_code, f.unit_code, u.name, u.is_in_scope, f.officers, f.chiefs,
       f.deputies, 'unmapped', f.period_start, f.unit_list
from snapshot f
join dw.dim_admin_unit u on u.admin_unit_key = f.admin_unit_key
join ref.admin_unit_to_2025 x on x.list_id = f.unit_list and x.unit_code = f.unit_code
where f.admin_era = 'pre2025' and x.new_commune_code is null
union all
select '2025', f.admin_era, f.as_of_date, f.province_code, f.unit_code, u.name, u.is_in_scope, f.officers, f.chiefs,
       f.deputies, 'exact', f.period_start, f.unit_list
from snapshot f
join dw.dim_admin_unit u on u.admin_unit_key = f.admin_unit_key
where f.admin_era = '2025';

comment on view mart.staffing_by_commune is 'Regular officers per commune-level unit and snapshot (sheet 01), as reported (the units of the list in force on the snapshot''s date) and on the 2025 communes (old units followed through the crosswalks of the dated lists and added into the 2025 commune they became part of); phường before July 2025 are here with is_in_scope false. Grain: one row per boundary basis, snapshot and unit (a unit sent twice in one submission is quarantined, and a month of the reports'' titles holds one snapshot per province, whose as-of date another month''s may share). Key: boundary_basis, admin_era, period_start, as_of_date, unit_code.';
comment on column mart.staffing_by_commune.boundary_basis is 'as_reported, or 2025 (old communes added into the 2025 commune they joined)';
comment on column mart.staffing_by_commune.admin_era is 'Era of the unit codes of the row';
comment on column mart.staffing_by_commune.as_of_date is 'Snapshot date of the staffing report';
comment on column mart.staffing_by_commune.province_code is 'GSO province code of admin_era';
comment on column mart.staffing_by_commune.unit_code is 'GSO commune code of the unit list (as reported, and unmapped rows on the 2025 basis: admin_era pre2025) or of 1 July 2025';
comment on column mart.staffing_by_commune.unit_name is 'Official commune name in that list';
comment on column mart.staffing_by_commune.is_in_scope is 'In the staffing indicators'' scope (on the 2025 basis: any old unit was)';
comment on column mart.staffing_by_commune.officers is 'Regular officers assigned';
comment on column mart.staffing_by_commune.chiefs is 'Of which commune police chiefs';
comment on column mart.staffing_by_commune.deputies is 'Of which deputy chiefs';
comment on column mart.staffing_by_commune.comparability is 'exact; approximate where an old commune divided among several new ones was counted in its default new commune; unmapped (2025 basis) where the crosswalks of the dated lists do not establish which 2025 commune an old unit became part of: the row keeps the old unit (admin_era pre2025, its code and name) in its exact 2025 province';
comment on column mart.staffing_by_commune.unit_list is 'The dated unit list the row was resolved against (ref.unit_list.list_id); on the 2025 basis, the earliest of the rows added up';
comment on column mart.staffing_by_commune.period_start is 'First day of the month the snapshot reports on: the month in the report''s title (dw.dim_submission.period_start), not the month of as_of_date';
