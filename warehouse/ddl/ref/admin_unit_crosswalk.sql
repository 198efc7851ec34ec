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

comment on table ref.admin_unit_crosswalk is 'What became of each commune-level unit of a list in the next list (ref.unit_list in date order): kept, renamed, merged, divided or unmapped, with the evidence. Nothing is guessed: where the lists establish nothing the row says unmapped. Chained to the communes of 1 July 2025 in ref.admin_unit_to_2025. Grain: one row per unit of a list and the list after it (a divided unit maps to its default new unit). Key: from_list, from_code.';
comment on column ref.admin_unit_crosswalk.from_list is 'The earlier list (ref.unit_list.list_id)';
comment on column ref.admin_unit_crosswalk.from_code is 'GSO code of the commune-level unit in from_list';
comment on column ref.admin_unit_crosswalk.from_province_code is 'Its province''s code in from_list';
comment on column ref.admin_unit_crosswalk.to_list is 'The next list (ref.unit_list.list_id)';
comment on column ref.admin_unit_crosswalk.to_code is 'GSO code of the unit of to_list it is or became part of; null when unmapped';
comment on column ref.admin_unit_crosswalk.to_province_code is 'That unit''s province code in to_list; null when unmapped';
comment on column ref.admin_unit_crosswalk.relation is 'same; respelled (tone marks placed otherwise, ''Hoà''/''Hòa''); renamed; retyped (xã to phường or thị trấn, or back); moved (another district); merged_into (joined another unit); divided (split among several 2025 units, counted in the default one); unmapped';
comment on column ref.admin_unit_crosswalk.evidence is 'Why: ''code kept''; ''same name in the same district'' or ''same name, once in the province'' (or ''same letters (diacritics differ) ...''); ''official 2025 crosswalk (vietnamadminunits)''; or why nothing was established';
comment on column ref.admin_unit_crosswalk.is_approximate is 'True for divided: figures of the old unit go whole to its default new unit';
