-- Security-and-order activity per province per month (sheet 02). Nationwide totals are in
-- mart.national_security_activity.
create or replace view mart.security_activity as
with per_province as (
    -- A month's rows all come from one submission (its partition), so they share one period_end.
    select
        admin_era,
        province_code,
        period_start,
        max(period_end) as period_end,
        sum(tips_received) as tips_received,
        sum(crime_reports) as crime_reports,
        sum(cases_clarified) as cases_clarified,
        sum(subjects) as subjects,
        sum(admin_violation_cases) as admin_violation_cases,
        sum(fines_vnd) as fines_vnd,
        sum(education_dossiers) as education_dossiers,
        sum(rehab_dossiers) as rehab_dossiers,
        sum(reform_school_dossiers) as reform_school_dossiers
    from dw.fact_security_activity
    group by admin_era, province_code, period_start
)
select
    p.period_start,
    p.period_end,
    p.admin_era,
    p.province_code,
    d.province_name,
    p.tips_received,
    p.crime_reports,
    p.cases_clarified,
    p.subjects,
    p.admin_violation_cases,
    p.fines_vnd,
    p.education_dossiers,
    p.rehab_dossiers,
    p.reform_school_dossiers
from per_province p
join dw.dim_province d on d.admin_era = p.admin_era and d.province_code = p.province_code;

comment on view mart.security_activity is 'Security-and-order activity (sheet 02) per province and month, summed over the province''s communes; nationwide totals are in mart.national_security_activity. Grain: one row per province and month. Key: admin_era, province_code, period_start.';
comment on column mart.security_activity.period_start is 'First day of the reported month';
comment on column mart.security_activity.period_end is 'Last day of the reported month';
comment on column mart.security_activity.admin_era is 'pre2025 or 2025: the unit list of the report';
comment on column mart.security_activity.province_code is 'GSO province code of the era';
comment on column mart.security_activity.province_name is 'Province name of the era';
comment on column mart.security_activity.tips_received is 'Security-and-order tips received (tin về ANTT tiếp nhận)';
comment on column mart.security_activity.crime_reports is 'Crime reports and denunciations (tin báo, tố giác tội phạm)';
comment on column mart.security_activity.cases_clarified is 'Cases clarified (số vụ đã làm rõ)';
comment on column mart.security_activity.subjects is 'Subjects identified (số đối tượng)';
comment on column mart.security_activity.admin_violation_cases is 'Administrative-violation cases penalised (số vụ xử phạt VPHC)';
comment on column mart.security_activity.fines_vnd is 'Fines imposed, in VND';
comment on column mart.security_activity.education_dossiers is 'Education-at-commune dossiers';
comment on column mart.security_activity.rehab_dossiers is 'Dossiers for compulsory drug rehabilitation';
comment on column mart.security_activity.reform_school_dossiers is 'Dossiers for reform school';
