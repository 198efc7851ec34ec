-- The ID-card target a province was given and its deadline, as stated in its sheet 03 header
-- ('Chỉ tiêu được giao: 988.200 hồ sơ, thời hạn 30/6/2021'); the latest statement wins.
create table if not exists dw.fact_id_card_target (
    submission_id    varchar not null,
    admin_era        varchar not null,
    province_code    varchar not null,
    target           bigint not null,
    target_deadline  date not null,
    stated_on        date not null  -- last date of the report that stated it
);
