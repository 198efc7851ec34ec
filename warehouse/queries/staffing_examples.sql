-- Example analyst queries against the published copy (var/published/warehouse.duckdb).

-- The national line of the latest month.
select * from mart.national_staffing order by period_start desc limit 1;

-- Provinces below full coverage, worst first.
select province_code, province_name, communes_staffed, communes_in_scope, round(coverage_pct, 1) as coverage_pct
from mart.staffing_by_province
where coverage_pct < 100
order by coverage_pct;

-- Rows a province must resend, with the reason in Vietnamese.
select file_name, sheet, row_number, column_name, value, message_vi
from audit.quarantine
order by file_name, row_number;
