-- A province's target for a deadline: the latest statement replaces the earlier one.
delete from dw.fact_id_card_target
where province_code = $province_code and admin_era = $admin_era and target_deadline = $target_deadline::date;
