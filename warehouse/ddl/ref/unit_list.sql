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
