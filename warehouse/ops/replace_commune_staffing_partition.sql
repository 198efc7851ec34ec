-- Sheet 01 partition: (province, month of the title). Runs in the submission's transaction before
-- the insert. The month is the submissions' period, not the month of the rows' as-of date: a
-- snapshot may be taken up to 15 days after its month, and must then neither survive its own
-- month's correction nor be wiped by the next month's report. The submission's own rows go too:
-- a load resumed after a kill has already forgotten its dim_submission row.
delete from dw.fact_commune_staffing
where
    province_code = $province_code
    and admin_era = $admin_era
    and (
        submission_id = $submission_id
        or submission_id in (
            select s.submission_id
            from dw.dim_submission s
            where
                s.template = '01'
                and s.province_code = $province_code
                and s.admin_era = $admin_era
                and s.period_start = $period_start::date
        )
    );
