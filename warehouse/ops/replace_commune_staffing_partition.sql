-- Sheet 01 partition: (province, month). Runs in the submission's transaction before the insert.
delete from dw.fact_commune_staffing
where province_code = $province_code and admin_era = $admin_era
  and date_trunc('month', as_of_date) = $period_start::date;
