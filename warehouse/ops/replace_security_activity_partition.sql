-- Sheet 02 partition: (province, month).
delete from dw.fact_security_activity
where province_code = $province_code and admin_era = $admin_era and period_start = $period_start::date;
