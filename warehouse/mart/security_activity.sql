-- Security-and-order activity per province per month (sheet 02), and nationwide (province_code null).
create or replace view mart.security_activity as
with per_province as (
    select period_start, period_end, admin_era, province_code,
           sum(tips_received) as tips_received, sum(crime_reports) as crime_reports,
           sum(cases_clarified) as cases_clarified, sum(subjects) as subjects,
           sum(admin_violation_cases) as admin_violation_cases, sum(fines_vnd) as fines_vnd,
           sum(education_dossiers) as education_dossiers, sum(rehab_dossiers) as rehab_dossiers,
           sum(reform_school_dossiers) as reform_school_dossiers
    from dw.fact_security_activity
    group by period_start, period_end, admin_era, province_code
)
select p.period_start, p.period_end, p.admin_era, p.province_code, d.province_name,
       p.tips_received, p.crime_reports, p.cases_clarified, p.subjects, p.admin_violation_cases, p.fines_vnd,
       p.education_dossiers, p.rehab_dossiers, p.reform_school_dossiers
from per_province p
join dw.dim_province d on d.admin_era = p.admin_era and d.province_code = p.province_code
union all
select period_start, period_end, admin_era, null, 'Toàn quốc',
       sum(tips_received), sum(crime_reports), sum(cases_clarified), sum(subjects), sum(admin_violation_cases),
       sum(fines_vnd), sum(education_dossiers), sum(rehab_dossiers), sum(reform_school_dossiers)
from per_province
group by period_start, period_end, admin_era;

comment on column mart.security_activity.period_start is 'First day of the reported month';
comment on column mart.security_activity.period_end is 'Last day of the reported month';
comment on column mart.security_activity.admin_era is 'pre2025 or 2025: the unit list of the report';
comment on column mart.security_activity.province_code is 'GSO province code of the era; null on the nationwide row';
comment on column mart.security_activity.province_name is 'Province name of the era; Toàn quốc on the nationwide row';
comment on column mart.security_activity.tips_received is 'Security-and-order tips received (tin về ANTT tiếp nhận)';
comment on column mart.security_activity.crime_reports is 'Crime reports and denunciations (tin báo, tố giác tội phạm)';
comment on column mart.security_activity.cases_clarified is 'Cases clarified (số vụ đã làm rõ)';
comment on column mart.security_activity.subjects is 'Subjects identified (số đối tượng)';
comment on column mart.security_activity.admin_violation_cases is 'Administrative-violation cases penalised (số vụ xử phạt VPHC)';
comment on column mart.security_activity.fines_vnd is 'Fines imposed, in VND';
comment on column mart.security_activity.education_dossiers is 'Education-at-commune dossiers';
comment on column mart.security_activity.rehab_dossiers is 'Dossiers for compulsory drug rehabilitation';
comment on column mart.security_activity.reform_school_dossiers is 'Dossiers for reform school';
