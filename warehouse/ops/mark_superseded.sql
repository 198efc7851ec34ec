-- After a batch replaced its partitions of one sheet type (its submissions of that type in
-- batch_submissions, the rows they replaced in replaced_rows; {fact_table} is filled from the sheet
-- registry, never from input): a submission that had rows replaced and has none left is
-- superseded, by the first submission of the batch of its sheet type, province and era (itself
-- excluded) that came after its last row was replaced: the one that would have found it with no rows
-- left when loading the submissions one by one in order of arrival. Only the submissions the batch
-- replaced rows of are looked at, never every submission of the fact table.
create or replace temp table superseded_now as
with emptied as (
    select submission_id, max(replaced_at) as emptied_at from replaced_rows group by submission_id
)

select d.submission_id, min(s.seq) as by_seq
from emptied e
join dw.dim_submission d on d.submission_id = e.submission_id
join batch_submissions s
    on
        s.template = d.template and s.province_code = d.province_code and s.admin_era = d.admin_era
        and s.submission_id <> d.submission_id and s.seq >= e.emptied_at
where
    d.status <> 'superseded'
    and not exists (select 1 from {fact_table} f where f.submission_id = d.submission_id)
group by d.submission_id;

update dw.dim_submission set status = 'superseded'
where submission_id in (select submission_id from superseded_now);

update audit.submission a
set
    status = 'superseded',
    reason = 'replaced by ' || s.file_name || ' received ' || strftime(s.received_at, '%d/%m/%Y %H:%M')
from superseded_now n
join batch_submissions s on s.seq = n.by_seq
where a.submission_id = n.submission_id and a.status in ('loaded', 'loaded_with_errors');
