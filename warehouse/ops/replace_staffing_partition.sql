-- A submission replaces its partition (province, sheet 01, month): earlier rows go, earlier
-- submissions become superseded. Runs inside the submission's one transaction, before the insert.
delete from dw.fact_commune_staffing
where province_code = $province_code
  and admin_era = $admin_era
  and date_trunc('month', as_of_date) = $period_start::date;

update dw.dim_submission set status = 'superseded'
where template = $template and province_code = $province_code and admin_era = $admin_era
  and period_start = $period_start::date and submission_id <> $submission_id
  and status <> 'superseded';

update audit.submission set status = 'superseded'
where sheet is not null and province_code = $province_code and period_start = $period_start::date
  and submission_id like '%-' || $template and submission_id <> $submission_id
  and status in ('loaded', 'loaded_with_errors');
