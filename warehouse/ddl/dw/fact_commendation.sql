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
