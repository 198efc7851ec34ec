-- Commendations given to commune police per province, month and level (sheet 04).
create table if not exists dw.fact_commendation (
    submission_id  varchar not null,
    period_start   date not null,
    period_end     date not null,
    date_key       integer not null,
    admin_era      varchar not null,
    province_code  varchar not null,
    level          varchar not null,  -- Bộ Công an | UBND tỉnh | Công an tỉnh | Cấp huyện | Cấp xã
    collectives    bigint not null,
    individuals    bigint not null,
    source_row     integer not null
);

comment on table dw.fact_commendation is 'Commendations given to commune police in a month, per level that gave them, as sheet 04 (Biểu 04 - Khen thưởng) reported them; a blank count is 0. Only the current submission of each province and month is kept. Read through mart.commendations and mart.national_commendations. Grain: one row per province, month and level. Key: admin_era, province_code, period_start, level.';
comment on column dw.fact_commendation.submission_id is 'The submission the row came from (dw.dim_submission, audit.submission)';
comment on column dw.fact_commendation.period_start is 'First day of the reported month';
comment on column dw.fact_commendation.period_end is 'Last day of the reported month';
comment on column dw.fact_commendation.date_key is 'period_start as yyyymmdd (dw.dim_date)';
comment on column dw.fact_commendation.admin_era is 'pre2025 or 2025';
comment on column dw.fact_commendation.province_code is 'GSO province code in admin_era';
comment on column dw.fact_commendation.level is 'Level that gave the commendation, as one canonical label: Bộ Công an, UBND tỉnh, Công an tỉnh, Cấp huyện (before July 2025 only) or Cấp xã';
comment on column dw.fact_commendation.collectives is 'Collectives commended (Tập thể)';
comment on column dw.fact_commendation.individuals is 'Individuals commended (Cá nhân)';
comment on column dw.fact_commendation.source_row is 'Row of the province''s sheet the figures came from, as Excel numbers it';
