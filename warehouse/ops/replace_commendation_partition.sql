-- Sheet 04 partition: (province, month).
delete from dw.fact_commendation
where province_code = $province_code and admin_era = $admin_era and period_start = $period_start::date;
