"""The reference's units as the samples use them, each period's from the unit list in force on
its date (``etl.unit_lists.list_for``): the 63 provinces of April 2021 with their districts and
in-scope communes in district order, names as that list has them (the list of 3/2/2021: Hải Dương's
188 xã and thị trấn, which the mergers of 2019-2024 later cut to 161); the 34 provinces of October
2026 with every commune-level unit (the list of 1/7/2025 unless a later one was imported); and unit
names without their type word."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from etl import reference
from samples.kinds import AS_OF, AS_OF_2026, ERA


@dataclass
class Commune:
    """A commune-level unit and its figures (drawn in ``samples.figures``)."""

    unit_code: str
    district_code: str | None
    name: str        # 'Xã Hưng Đạo'
    base_name: str | None  # 'Hưng Đạo' (see name_without_type)
    unit_type: str   # 'xã' / 'thị trấn' / 'phường' / 'đặc khu'
    officers: int = 0
    chiefs: int = 1
    deputies: int = 1
    staffed: date | None = None
    note: str = ""
    activity: dict[str, int] = field(default_factory=dict)  # sheet 02
    note02: str = ""


@dataclass
class Province:
    """A province, its communes and districts, and its commendations (sheet 04)."""

    code: str
    unit_type: str  # 'tỉnh' / 'thành phố'
    short_name: str
    unit_list: str  # the id of the unit list its units come from (the list in force on the period's date)
    communes: list[Commune] = field(default_factory=list)
    districts: list[str] = field(default_factory=list)  # district codes (pre2025)
    commendations: list[tuple[int, int]] = field(default_factory=list)  # per level: collectives, individuals

    @property
    def police(self) -> str:
        return f"CÔNG AN {self.unit_type.upper()} {self.short_name.upper()}"

    @property
    def police_office(self) -> str:
        """'Công an tỉnh Hải Dương': a workbook's author, a notes sheet's contact."""
        return f"Công an {self.unit_type} {self.short_name}"

    @property
    def full_name(self) -> str:
        return f"{self.unit_type.capitalize()} {self.short_name}"


District = tuple[str, str | None, str]  # name, base name, unit type


def name_without_type(full_name: str, short_name: str, unit_type: str) -> str | None:
    """The name without its type word, as a province would write it; None if it has none, or is a
    number ('Quận 11', whose short name is its name).

    The reference's short names disambiguate same-name pairs ('Yên Viên (Thị trấn)' beside
    'Yên Viên (Xã)', 'Cai Lậy (Thị xã)' beside 'Cai Lậy (Huyện)'); no province writes that.
    """
    base = re.sub(r"\s*\([^)]*\)$", "", short_name)
    if not full_name.lower().startswith(unit_type + " ") or base == full_name:
        return None  # 'Quận 11', 'Phường 5': the number alone is never written
    return base


def list_on(day: date) -> str:
    """The id of the unit list in force on ``day`` (the oldest list before it: never for the samples' dates)."""
    unit_list, before_oldest = reference.list_for(day)
    if before_oldest:
        raise ValueError(f"no unit list in force on {day}")
    return unit_list.list_id


def _provinces(era: str, list_id: str) -> dict[str, Province]:
    """The provinces of one list, by code, under that list's names."""
    table = reference.provinces(era, on=list_id).sort_values("unit_code")
    return {code: Province(code, utype, short, list_id)
            for code, utype, short in zip(table.unit_code, table.unit_type, table.short_name, strict=True)}


def load_provinces(on: date = AS_OF) -> tuple[list[Province], dict[str, District]]:
    """The 63 provinces of the list in force on ``on`` (23/4/2021: the list of 3/2/2021) with their
    in-scope communes in district order, and that list's districts by code."""
    list_id = list_on(on)
    if reference.list_by_id(list_id).admin_era != ERA:
        raise ValueError(f"the list in force on {on} is not of era {ERA}")
    districts = reference.in_force(list_id, "district")
    district_info = {
        code: (name, name_without_type(name, short, utype), utype)
        for code, name, short, utype in zip(
            districts.unit_code, districts.name, districts.short_name, districts.unit_type, strict=True)
    }
    by_code = _provinces(ERA, list_id)
    for code, province_code in sorted(zip(districts.unit_code, districts.province_code, strict=True)):
        by_code[province_code].districts.append(code)
    # One query for all provinces (per-province calls filter the whole table 63 times).
    communes = reference.communes(ERA, in_scope_only=True, on=list_id).sort_values(["district_code", "unit_code"])
    for row in communes.itertuples(index=False):
        by_code[row.province_code].communes.append(Commune(
            row.unit_code, row.district_code, row.name, name_without_type(row.name, row.short_name, row.unit_type),
            row.unit_type))
    return list(by_code.values()), district_info


def load_provinces_2025(on: date = AS_OF_2026) -> list[Province]:
    """The 34 provinces of the list in force on ``on`` (20/10/2026: the list of 1/7/2025) with
    every commune-level unit (all in scope), by code."""
    list_id = list_on(on)
    if reference.list_by_id(list_id).admin_era != reference.ERA2025:
        raise ValueError(f"the list in force on {on} is not of era {reference.ERA2025}")
    by_code = _provinces(reference.ERA2025, list_id)
    communes = reference.communes(reference.ERA2025, in_scope_only=True, on=list_id).sort_values("unit_code")
    for row in communes.itertuples(index=False):
        by_code[row.province_code].communes.append(Commune(
            row.unit_code, None, row.name, name_without_type(row.name, row.short_name, row.unit_type), row.unit_type))
    return list(by_code.values())
