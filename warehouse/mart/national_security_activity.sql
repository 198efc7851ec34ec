-- Nationwide security-and-order activity per month: the provinces' rows of
-- mart.security_activity added up (flows, so a month's total is the sum of its provinces).
create or replace view mart.national_security_activity as
select
    period_start,
    max(period_end) as period_end,
    admin_era,
    sum(tips_received) as tips_received,
    sum(crime_reports) as crime_reports,
    sum(cases_clarified) as cases_clarified,
    sum(subjects) as subjects,
    sum(admin_violation_cases) as admin_violation_cases,
    sum(fines_vnd) as fines_vnd,
    sum(education_dossiers) as education_dossiers,
    sum(rehab_dossiers) as rehab_dossiers,
    sum(reform_school_dossiers) as reform_school_dossiers
from mart.security_activity
group by admin_era, period_start;

comment on view mart.national_security_activity is 'Nationwide security-and-order activity (sheet 02) per month: the sum of the provinces of mart.security_activity that reported the month. Grain: one row per era and month. Key: admin_era, period_start.';
comment on column mart.national_security_activity.period_start is 'First day of the reported month';
comment on column mart.national_security_activity.period_end is 'Last day of the reported month';
comment on column mart.national_security_activity.admin_era is 'pre2025 (63 provinces) or 2025 (34 provinces): the unit list of the reports';
comment on column mart.national_security_activity.tips_received is 'Security-and-order tips received (tin về ANTT tiếp nhận)';
comment on column mart.national_security_activity.crime_reports is 'Crime reports and denunciations (tin báo, tố giác tội phạm)';
comment on column mart.national_security_activity.cases_clarified is 'Cases clarified (số vụ đã làm rõ)';
comment on column mart.national_security_activity.subjects is 'Subjects identified (số đối tượng)';
comment on column mart.national_security_activity.admin_violation_cases is 'Administrative-violation cases penalised (số vụ xử phạt VPHC)';
comment on column mart.national_security_activity.fines_vnd is 'Fines imposed, in VND';
comment on column mart.national_security_activity.education_dossiers is 'Education-at-commune dossiers';
comment on column mart.national_security_activity.rehab_dossiers is 'Dossiers for compulsory drug rehabilitation';
comment on column mart.national_security_activity.reform_school_dossiers is 'Dossiers for reform school';
