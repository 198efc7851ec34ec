-- When a report is due: days after the end of its period (settings CAX_MONTHLY_DEADLINE_DAYS and
-- CAX_DAILY_DEADLINE_DAYS, written here on every run).
create table if not exists ref.reporting_rule (
    cadence        varchar not null primary key,  -- monthly | daily
    deadline_days  integer not null
);
