-- Sheet 03 partition: (province, date) for each date the submission lists (view `incoming`).
delete from dw.fact_id_card_applications
where province_code = $province_code and admin_era = $admin_era
  and report_date in (select distinct report_date from incoming);
