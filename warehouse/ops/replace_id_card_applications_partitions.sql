-- Sheet 03 partition: (province, date) for each date a submission lists, for each submission of
-- sheet 03 of a batch (batch_submissions, with seq, its place in the night's order of arrival): a later
-- submission replaces only the dates it lists. Of the rows loaded before (row_seq -1) and the
-- batch's own (batch_facts), those a later submission of the batch replaces, each with the first
-- that does (replaced_at); then the rows loaded before among them are deleted. The batch's insert
-- leaves out its own replaced rows: as loading the submissions one by one in that order would.
create or replace temp table replaced_rows as
with held as (
    select rowid as row_id, -1 as row_seq, submission_id, province_code, admin_era, report_date
    from dw.fact_id_card_applications
    union all
    select batch_row, seq, submission_id, province_code, admin_era, report_date from batch_facts
),

listed as (
    select distinct s.seq, s.province_code, s.admin_era, f.report_date
    from batch_submissions s
    join batch_facts f on f.seq = s.seq
)

select h.row_id, h.row_seq, h.submission_id, min(l.seq) as replaced_at
from held h
join listed l
    on
        l.province_code = h.province_code and l.admin_era = h.admin_era and l.report_date = h.report_date
        and l.seq > h.row_seq
group by h.row_id, h.row_seq, h.submission_id;

delete from dw.fact_id_card_applications
where rowid in (select row_id from replaced_rows where row_seq < 0);
