-- After a submission replaced its partition: an earlier submission of the same sheet and
-- province none of whose rows remain in the fact table is superseded. ({fact_table} is filled
-- from the sheet registry, never from input.)
update dw.dim_submission set status = 'superseded'
where template = $template and province_code = $province_code and admin_era = $admin_era
  and submission_id <> $submission_id and status <> 'superseded'
  and submission_id not in (select distinct submission_id from {fact_table});

update audit.submission
set status = 'superseded',
    reason = 'replaced by ' || $file_name || ' received ' || strftime($received_at::timestamp, '%d/%m/%Y %H:%M')
where submission_id in (select submission_id from dw.dim_submission where status = 'superseded')
  and status in ('loaded', 'loaded_with_errors');
