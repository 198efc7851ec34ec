-- Each pre-2025 province -> the 2025 province it became part of. No old province was split
-- across new ones (checked by tests), so province-level re-aggregation is exact.
create or replace view ref.province_crosswalk as
select distinct old_province_code, new_province_code
from ref.admin_unit_crosswalk;
