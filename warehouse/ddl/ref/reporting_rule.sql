-- When a report is due: days after the end of its period (settings CAX_MONTHLY_DEADLINE_DAYS and
-- CAX_DAILY_DEADLINE_DAYS, written here on every run).
create table if not exists ref.reporting_rule (
    cadence        varchar not null primary key,  -- monthly | daily
    deadline_days  integer not null
);

comment on table ref.reporting_rule is 'When a report is due, per cadence, from the settings of the last run (CAX_MONTHLY_DEADLINE_DAYS, CAX_DAILY_DEADLINE_DAYS); mart.reporting_completeness dates a report late against it. Grain: one row per cadence. Key: cadence.';
comment on column ref.reporting_rule.cadence is 'monthly (sheets 01, 02, 04) or daily (sheet 03)';
comment on column ref.reporting_rule.deadline_days is 'Days after the end of the period by which the report is due (defaults: 5 monthly, 16 daily, as the daily sheets come in half-monthly workbooks)';
