"""The reference's units as the samples use them: the 63 legacy provinces with their in-scope
communes in district order (April 2021, under the province names of that time), the 34 provinces
of July 2025 with every commune-level unit, and unit names without their type word."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from etl import reference
from samples.kinds import ERA

# In April 2021 province 46 was still "Tỉnh Thừa Thiên Huế"; the reference list has its 2025 name.
_NAME_IN_2021 = {"46": ("tỉnh", "Thừa Thiên Huế")}


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


def load_provinces() -> tuple[list[Province], dict[str, District]]:
    """Legacy provinces with their in-scope communes in district order, and districts by code."""
    units = reference.admin_units()
    districts = units[(units.admin_era == ERA) & (units.level == "district")]
    district_info = {
        code: (name, name_without_type(name, short, utype), utype)
        for code, name, short, utype in zip(
            districts.unit_code, districts.name, districts.short_name, districts.unit_type, strict=True)
    }
    provinces = []
    by_code: dict[str, Province] = {}
    table = reference.provinces(ERA).sort_values("unit_code")
    for code, utype, short in zip(table.unit_code, table.unit_type, table.short_name, strict=True):
        utype, short = _NAME_IN_2021.get(code, (utype, short))
        by_code[code] = Province(code, utype, short)
        provinces.append(by_code[code])
    for code, province_code in sorted(zip(districts.unit_code, districts.province_code, strict=True)):
        by_code[province_code].districts.append(code)
    # One query for all provinces (per-province calls filter the whole table 63 times).
    communes = reference.communes(ERA, in_scope_only=True).sort_values(["district_code", "unit_code"])
    for row in communes.itertuples(index=False):
        by_code[row.province_code].communes.append(Commune(
            row.unit_code, row.district_code, row.name, name_without_type(row.name, row.short_name, row.unit_type),
            row.unit_type))
    return provinces, district_info


def load_provinces_2025() -> list[Province]:
    """The 34 provinces of July 2025 with every commune-level unit (all in scope), by code."""
    by_code: dict[str, Province] = {}
    table = reference.provinces(reference.ERA2025).sort_values("unit_code")
    for code, utype, short in zip(table.unit_code, table.unit_type, table.short_name, strict=True):
        by_code[code] = Province(code, utype, short)
    communes = reference.communes(reference.ERA2025, in_scope_only=True).sort_values("unit_code")
    for row in communes.itertuples(index=False):
        by_code[row.province_code].communes.append(Commune(
            row.unit_code, None, row.name, name_without_type(row.name, row.short_name, row.unit_type), row.unit_type))
    return list(by_code.values())
