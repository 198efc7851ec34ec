-- The dated official unit lists (Danh mục đơn vị hành chính) the warehouse resolves reports
-- against: each is in force from valid_from to valid_to (the day before the next list). A report
-- resolves against the list in force on its as-of date (else its period's end); one dated before
-- the oldest list resolves against the oldest, with a warning. Evidence: reference/unit_lists/.
create table if not exists ref.unit_list (
    list_id            varchar not null primary key,  -- the list's date, ISO ('2021-02-03'): its name
    list_date          date not null,                 -- the date its content describes
    valid_from         date not null,
    valid_to           date not null,
    admin_era          varchar not null,              -- pre2025 (63 provinces) or 2025 (34)
    origin             varchar not null,              -- committed | package | imported
    source             varchar not null,              -- where it comes from (package and version, or the imported file)
    units              integer not null,              -- commune-level units
    communes_in_scope  integer not null               -- of which counted by the staffing indicators
);

comment on table ref.unit_list is 'The dated official unit lists (Danh mục đơn vị hành chính, GSO) the warehouse knows, one row per list: when each is in force and how many commune-level units it holds. A report resolves its unit names against the list in force on its as-of date (else its period''s end): see dw.dim_submission.unit_list. Rewritten when the lists known change (cax units import). Grain: one row per list. Key: list_id.';
comment on column ref.unit_list.list_id is 'The list''s name: the ISO date of its content (''2021-02-03''), as messages name it (''danh mục ngày 03/02/2021''); unit_list and list_id columns elsewhere hold this value';
comment on column ref.unit_list.list_date is 'The date the list''s content describes (list_id as a date)';
comment on column ref.unit_list.valid_from is 'First day the list is in force (its date; 2025-01-05 for the eve-of-reform list of 2025-06-30)';
comment on column ref.unit_list.valid_to is 'Last day the list is in force: the day before the next list''s valid_from; 9999-12-31 for the latest';
comment on column ref.unit_list.admin_era is 'pre2025 (63 provinces, with districts) or 2025 (34 provinces, no districts, from 1 July 2025)';
comment on column ref.unit_list.origin is 'committed (a GSO export kept in reference/unit_lists/), package (the vietnamadminunits package) or imported (cax units import)';
comment on column ref.unit_list.source is 'Where the list comes from: the package and its version, or the imported file';
comment on column ref.unit_list.units is 'Commune-level units in the list (xã, phường, thị trấn, đặc khu)';
comment on column ref.unit_list.communes_in_scope is 'Of which in the programme''s scope (before July 2025 xã and thị trấn; from July 2025 every commune-level unit): the national denominator of staffing coverage';
