-- Sheet 01 partition: (province, month of the title), for each submission of sheet 01 of a batch
-- (batch_submissions, with seq, its place in the night's order of arrival). The month is the
-- submissions' period, not the month of the rows' as-of date: a snapshot may be taken up to 15 days
-- after its month, and must then neither survive its own month's correction nor be wiped by the
-- next month's report. So a row's month is that of its submission in dw.dim_submission (where the
-- batch's submissions are recorded first). The submission's own rows go too: a load resumed after a
-- kill has already forgotten its dim_submission row.
-- Of the rows loaded before (row_seq -1) and the batch's own (batch_facts), those a later submission
-- of the batch replaces, each with the first that does (replaced_at); then the rows loaded before
-- among them are deleted. The batch's insert leaves out its own replaced rows: as loading the
-- submissions one by one in that order would.
create or replace temp table replaced_rows as
with held as (
    select rowid as row_id, -1 as row_seq, submission_id, province_code, admin_era
    from dw.fact_commune_staffing
    union all
    select batch_row, seq, submission_id, province_code, admin_era from batch_facts
)

select h.row_id, h.row_seq, h.submission_id, min(s.seq) as replaced_at
from held h
left join dw.dim_submission m on m.submission_id = h.submission_id and m.template = '01'
join batch_submissions s
    on
        s.province_code = h.province_code and s.admin_era = h.admin_era and s.seq > h.row_seq
        and (
            s.submission_id = h.submission_id
            or (s.province_code = m.province_code and s.admin_era = m.admin_era and s.period_start = m.period_start)
        )
group by h.row_id, h.row_seq, h.submission_id;

delete from dw.fact_commune_staffing
where rowid in (select row_id from replaced_rows where row_seq < 0);
