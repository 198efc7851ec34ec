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

comment on table dw.fact_id_card_target is 'The ID-card (CCCD) target set for a province and its deadline, from the target cell of its sheet 03 (''Chỉ tiêu được giao: 988.200 hồ sơ, thời hạn 30/6/2021''); a later statement for the same deadline replaces the earlier one. mart.id_card_progress counts each day against the first deadline on or after it. Grain: one row per province and deadline. Key: admin_era, province_code, target_deadline.';
comment on column dw.fact_id_card_target.submission_id is 'The submission that stated it (dw.dim_submission)';
comment on column dw.fact_id_card_target.admin_era is 'pre2025 or 2025';
comment on column dw.fact_id_card_target.province_code is 'GSO province code in admin_era';
comment on column dw.fact_id_card_target.target is 'Applications to receive by the deadline (hồ sơ)';
comment on column dw.fact_id_card_target.target_deadline is 'The deadline (thời hạn) stated with the target';
comment on column dw.fact_id_card_target.stated_on is 'Last day of the report that stated it (its period_end): the latest statement wins';
