-- Each list's commune-level units -> the next list's (ref.unit_list order), with the evidence:
-- 'code kept' (same, respelled, renamed, retyped or moved: the unit of that code), 'same name in
-- the same district' or 'same name, once in the province' (merged_into the unit that kept the
-- name), the official 2025 crosswalk (merged_into; divided when the old unit was split, counted in
-- its default new unit: is_approximate). unmapped where the lists establish nothing: never guessed.
create table if not exists ref.admin_unit_crosswalk (
    from_list           varchar not null,
    from_code           varchar not null,
    from_province_code  varchar not null,
    to_list             varchar not null,
    to_code             varchar,           -- null when unmapped
    to_province_code    varchar,
    -- same | respelled | renamed | retyped | moved | merged_into | divided | unmapped
    relation            varchar not null,
    evidence            varchar not null,
    is_approximate      boolean not null
);
