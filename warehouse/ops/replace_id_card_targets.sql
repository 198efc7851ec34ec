-- A province's target for a deadline: the latest statement replaces the earlier ones, also among a
-- batch's (batch_targets, with seq, each statement's place in the night's order of arrival).
delete from dw.fact_id_card_target t
using batch_targets b
where t.province_code = b.province_code and t.admin_era = b.admin_era and t.target_deadline = b.target_deadline;

insert into dw.fact_id_card_target (submission_id, admin_era, province_code, target, target_deadline, stated_on)
select submission_id, admin_era, province_code, target, target_deadline, stated_on
from batch_targets
qualify
    target_deadline is null
    or row_number() over (partition by province_code, admin_era, target_deadline order by seq desc) = 1;
