-- Sheets 02 and 04 partition: (province, month), for each submission of a batch of one sheet type
-- (batch_submissions, with seq, its place in the night's order of arrival; {fact_table} is filled
-- from the sheet registry, never from input). Of the rows loaded before (row_seq -1) and the batch's
-- own (batch_facts), those a later submission of the batch replaces, each with the first that does
-- (replaced_at); then the rows loaded before among them are deleted. The batch's insert leaves out
-- its own replaced rows: as loading the submissions one by one in that order would.
create or replace temp table replaced_rows as
with held as (
    select rowid as row_id, -1 as row_seq, submission_id, province_code, admin_era, period_start
    from {fact_table}
    union all
    select batch_row, seq, submission_id, province_code, admin_era, period_start from batch_facts
)

select h.row_id, h.row_seq, h.submission_id, min(s.seq) as replaced_at
from held h
join batch_submissions s
    on
        s.province_code = h.province_code and s.admin_era = h.admin_era and s.period_start = h.period_start
        and s.seq > h.row_seq
group by h.row_id, h.row_seq, h.submission_id;

delete from {fact_table}
where rowid in (select row_id from replaced_rows where row_seq < 0);
