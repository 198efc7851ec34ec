-- The rows a province must send again, with the reason in Vietnamese.
--
-- Question: which rows of which workbooks did the warehouse refuse (dòng bị loại, audit.quarantine),
--   and what must each province correct and resend (gửi lại)? Not a figure of the article: the rows
--   that would be missing from its figures (a commune left out lowers "đạt 100%").
-- Reads: audit.quarantine, audit.submission; dw.dim_date and dw.dim_province (the era of a report's
--   month and the province's name in it: no mart gives an audit row's era).
-- Answer: one row per failed rule of a refused row (a row failing two rules shows twice): the province
--   (admin_era, province_code, province_name), the file and sheet as sent, the row as Excel numbers it,
--   the column and the value found, message_vi (what the province reads, as in its feedback workbook
--   under var/feedback/<province_code>/) and message_en. Rows already answered are left out: those of a
--   submission a later one replaced (superseded), or of a rejected submission a later accepted one for
--   the same province, sheet and period followed. No row: nothing to resend. By province, file, row.
-- Parameters (params, below): admin_era and province_code (both, or neither: null for every province),
--   e.g. 'pre2025' and '26' (Vĩnh Phúc before 1/7/2025).
with params as (
    select
        null::varchar as admin_era,  -- e.g. 'pre2025'; null: every era
        null::varchar as province_code  -- e.g. '26' (Vĩnh Phúc in pre2025); null: every province
),
open_submissions as (
    select s.*, d.admin_era
    from audit.submission s
    left join dw.dim_date d on d.full_date = s.period_start
    where
        s.status in ('loaded_with_errors', 'rejected')
        and not exists (
            select 1 from audit.submission a
            where
                a.province_code = s.province_code and a.template = s.template
                and a.period_start = s.period_start and a.period_end = s.period_end
                and a.status in ('loaded', 'loaded_with_errors') and a.received_at > s.received_at
        )
)
select
    o.admin_era,
    o.province_code,
    pr.province_name,
    q.file_name,
    q.sheet,
    q.row_number,
    q.column_name,
    q.value,
    q.message_vi,
    q.message_en,
    q.rule,
    o.period_start,
    o.received_at
from audit.quarantine q
join open_submissions o
    on
        o.submission_id = q.submission_id and o.file_name = q.file_name
        and o.run_id is not distinct from q.run_id
left join dw.dim_province pr on pr.admin_era = o.admin_era and pr.province_code = o.province_code
cross join params p
where
    o.admin_era is not distinct from coalesce(p.admin_era, o.admin_era)
    and o.province_code is not distinct from coalesce(p.province_code, o.province_code)
order by o.admin_era desc, o.province_code asc, q.file_name asc, q.sheet asc, q.row_number asc, q.column_name asc;
