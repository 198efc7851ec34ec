"""Official administrative units of both eras, from the data shipped in ``vietnamadminunits``.

The package carries a SQLite file with the pre-merger list of early 2025 (63 provinces, three
levels) and the list of July 2025 (34 provinces, two levels), plus the 2025 crosswalk. We read
that data directly; the package's geocoding needs the network and is never called.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd
import vietnamadminunits

from etl.names import accent_key, clean_text, fold_key, split_prefix

ERA_SWITCH_DATE = date(2025, 7, 1)
PRE2025, ERA2025 = "pre2025", "2025"
ERAS = (PRE2025, ERA2025)
# Units counted by the staffing indicators: before the merger the programme covers xã and thị
# trấn only (phường keep their own police); from July 2025 every commune-level unit.
IN_SCOPE_TYPES = {PRE2025: ("xã", "thị trấn"), ERA2025: ("xã", "phường", "đặc khu")}

# Former names still written in headers, missing from the package's keyword lists.
_PROVINCE_ALIASES = {PRE2025: {"thuathienhue": "46"}, ERA2025: {}}
_DATA = Path(vietnamadminunits.__file__).parent / "data"
_ERA_VALIDITY = {PRE2025: (date(1900, 1, 1), date(2025, 6, 30)), ERA2025: (ERA_SWITCH_DATE, date(9999, 12, 31))}


def era_of(day: date) -> str:
    """The administrative era a report dated ``day`` belongs to."""
    return ERA2025 if day >= ERA_SWITCH_DATE else PRE2025


def _query(sql: str) -> pd.DataFrame:
    with sqlite3.connect(f"file:{_DATA / 'dataset.db'}?mode=ro", uri=True) as con:
        return pd.read_sql_query(sql, con, dtype=str)


def _type(full_name: str, type_word: str | None) -> str:
    return (type_word or split_prefix(full_name, "province")[0] or "").lower()


@cache
def admin_units() -> pd.DataFrame:
    """``ref.admin_unit``: every unit of both eras, codes as zero-padded text."""
    legacy = _query(
        "select province, district, ward, provinceCode, districtCode, wardCode, districtType, wardType,"
        " provinceShort, districtShort, wardShort from admin_units_legacy"
    )
    new = _query("select province, ward, provinceCode, wardCode, wardType, provinceShort, wardShort from admin_units")
    frames = []
    for era, df in ((PRE2025, legacy), (ERA2025, new)):
        provinces = df.drop_duplicates("provinceCode")
        frames.append(pd.DataFrame({
            "admin_era": era, "unit_code": provinces.provinceCode, "level": "province",
            "unit_type": [_type(n, None) for n in provinces.province], "name": provinces.province,
            "short_name": provinces.provinceShort, "province_code": provinces.provinceCode,
            "district_code": None, "parent_code": None,
        }))
    districts = legacy.drop_duplicates("districtCode")
    frames.append(pd.DataFrame({
        "admin_era": PRE2025, "unit_code": districts.districtCode, "level": "district",
        "unit_type": districts.districtType.str.lower(), "name": districts.district,
        "short_name": districts.districtShort, "province_code": districts.provinceCode,
        "district_code": districts.districtCode, "parent_code": districts.provinceCode,
    }))
    communes = legacy[legacy.wardCode.notna()]
    frames.append(pd.DataFrame({
        "admin_era": PRE2025, "unit_code": communes.wardCode, "level": "commune",
        "unit_type": communes.wardType.str.lower(), "name": communes.ward, "short_name": communes.wardShort,
        "province_code": communes.provinceCode, "district_code": communes.districtCode,
        "parent_code": communes.districtCode,
    }))
    frames.append(pd.DataFrame({
        "admin_era": ERA2025, "unit_code": new.wardCode, "level": "commune",
        "unit_type": new.wardType.str.lower(), "name": new.ward, "short_name": new.wardShort,
        "province_code": new.provinceCode, "district_code": None, "parent_code": new.provinceCode,
    }))
    units = pd.concat(frames, ignore_index=True)
    units["valid_from"] = units.admin_era.map(lambda e: _ERA_VALIDITY[e][0])
    units["valid_to"] = units.admin_era.map(lambda e: _ERA_VALIDITY[e][1])
    units["is_in_scope"] = [
        level == "commune" and unit_type in IN_SCOPE_TYPES[era]
        for era, level, unit_type in zip(units.admin_era, units.level, units.unit_type, strict=True)
    ]
    return units.reset_index(drop=True)


@cache
def crosswalk() -> pd.DataFrame:
    """``ref.admin_unit_crosswalk``: each pre-2025 commune -> its 2025 commune.

    An old commune divided among several new ones maps to the package's default new commune
    and is flagged ``is_approximate``.
    """
    legacy = _query(
        "select provinceKey || '_' || districtKey || '_' || wardKey as old_key, wardCode, provinceCode"
        " from admin_units_legacy where wardCode is not null"
    )
    new = _query("select provinceKey, wardKey, wardCode, provinceCode from admin_units")
    old_by_key = dict(zip(legacy.old_key, zip(legacy.wardCode, legacy.provinceCode, strict=True), strict=True))
    new_by_key = {(p, w): (c, pc) for p, w, c, pc in new.itertuples(index=False)}
    data = json.loads((_DATA / "converter_2025.json").read_text(encoding="utf-8"))
    rows: dict[str, tuple[str, str, bool]] = {}
    for new_province, wards in data["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_ward, old_keys in wards.items():
            target = new_by_key.get((new_province, new_ward))
            for old_key in old_keys:
                if target and old_key in old_by_key:
                    rows.setdefault(old_key, (target[0], target[1], False))
    for new_province, divided in data["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, options in divided.items():
            default = next((o for o in options if o.get("isDefaultNewWard")), options[0])
            target = new_by_key.get((new_province, default["newWardKey"]))
            if target and old_key in old_by_key:
                rows[old_key] = (target[0], target[1], len(options) > 1)
    out = pd.DataFrame(
        [(old_by_key[k][0], old_by_key[k][1], *v) for k, v in rows.items()],
        columns=["old_commune_code", "old_province_code", "new_commune_code", "new_province_code",
                 "is_approximate"],
    )
    return out.sort_values("old_commune_code").reset_index(drop=True)


def provinces(era: str) -> pd.DataFrame:
    units = admin_units()
    return units[(units.admin_era == era) & (units.level == "province")].reset_index(drop=True)


def communes(era: str, province_code: str | None = None, in_scope_only: bool = False) -> pd.DataFrame:
    units = admin_units()
    mask = (units.admin_era == era) & (units.level == "commune")
    if province_code is not None:
        mask &= units.province_code == province_code
    if in_scope_only:
        mask &= units.is_in_scope
    return units[mask].reset_index(drop=True)


@cache
def _province_keywords() -> dict[str, dict[str, str]]:
    """Per era, every folded spelling of a province's name -> its code."""
    out: dict[str, dict[str, str]] = {}
    for era, table in ((PRE2025, "admin_units_legacy"), (ERA2025, "admin_units")):
        df = _query(f"select distinct provinceCode, provinceKeywords from {table}")
        keys: dict[str, str] = dict(_PROVINCE_ALIASES[era])
        for code, keywords in df.itertuples(index=False):
            for word in json.loads(keywords):
                if len(word) > 3:
                    keys[word] = code
        out[era] = keys
    return out


def find_province(text: str, era: str) -> str | None:
    """Code of the province named in ``text`` ('CÔNG AN TỈNH HẢI DƯƠNG', 'hai_duong_04.xlsx')."""
    folded = fold_key(text, "province")
    if not folded:
        return None
    keys = _province_keywords()[era]
    # Longest spelling first, so 'bariavungtau' wins over 'vungtau' and 'thanhphohochiminh' over 'hochiminh'.
    for word in sorted(keys, key=len, reverse=True):
        if word in folded:
            return keys[word]
    return None


@dataclass(frozen=True)
class Resolution:
    """Outcome of resolving a written name: a code, or why there is none."""

    unit_code: str | None
    # unknown | ambiguous | unknown_name_with_code | code_mismatch | type_mismatch (no code: an error);
    # code_unknown (resolved by name, the written code is no unit: a warning)
    problem: str | None = None
    candidates: tuple[str, ...] = ()


@cache
def keyed_units(era: str, level: str) -> pd.DataFrame:
    """The units of an era and level with their name keys, computed once per process (and before
    the parsing processes fork, so that each inherits them)."""
    units = admin_units()
    keyed = units[(units.admin_era == era) & (units.level == level)].reset_index(drop=True)
    keyed["fold"] = [fold_key(n, level) for n in keyed.name]
    keyed["accent"] = [accent_key(n, level) for n in keyed.name]
    keyed["written_type"] = [split_prefix(n, level)[0] for n in keyed.name]
    return keyed


@cache
def district_folds(era: str) -> dict[str, str]:
    units = admin_units()
    districts = units[(units.admin_era == era) & (units.level == "district")]
    return dict(zip(districts.unit_code, (fold_key(n, "district") for n in districts.name), strict=True))


def warm_up() -> None:
    """Compute every era's keys now (called before forking the parsing processes)."""
    for era in ERAS:
        for level in ("commune", "district"):
            keyed_units(era, level)
        district_folds(era)


@dataclass
class UnitResolver:
    """Resolves written names to codes within one province, era and level; never guesses.

    ``level`` is "commune" (xã, phường, thị trấn, đặc khu) or "district" (before July 2025).
    """

    era: str
    province_code: str
    level: str = "commune"
    _by_fold: dict[str, list[int]] = field(default_factory=dict, init=False)
    _units: pd.DataFrame = field(init=False)

    def __post_init__(self) -> None:
        keyed = keyed_units(self.era, self.level)
        self._units = keyed[keyed.province_code == self.province_code].reset_index(drop=True)
        self._district_fold = district_folds(self.era)
        # Keys come from the official full names ('Xã Xa Dung'), whose one type prefix is certain;
        # the package's short names carry disambiguators like 'Phước Long (Xã)'. The type is the
        # one written in the name: the package's type column has a few slips ('Phường 5' of Phú
        # Nhuận typed as xã), and the name is what provinces copy.
        self._accent = list(self._units.accent)
        self._types = list(self._units.written_type)
        # Plain lists: resolution indexes them per candidate, thousands of times per workbook.
        self._unit_codes = list(self._units.unit_code)
        self._district_codes = list(self._units.district_code)
        self._codes = set(self._unit_codes)
        for i, key in enumerate(self._units.fold):
            self._by_fold.setdefault(key, []).append(i)

    def resolve(self, name: object, district: object = None, code: object = None,
                writes_diacritics: bool | None = None) -> Resolution:
        """The unit ``name`` designates; ``writes_diacritics`` says whether the sheet's names carry
        diacritics (then 'Thanh An' is not 'Thạnh An'); by default, whether this name has any."""
        level = self.level
        unit_type, _ = split_prefix(name, level)
        # 'Xa Dung' written without its type: the stripped reading ('Dung') may find nothing.
        candidates = list(self._by_fold.get(fold_key(name, level), []) or self._by_fold.get(
            fold_key(name, level, strip_prefix=False), []))
        written_accents = writes_diacritics if writes_diacritics is not None else not clean_text(name).isascii()
        code_text = str(code).strip() if code else ""
        narrowers = [
            lambda c: [i for i in c if self._types[i] == unit_type] if unit_type else c,
            lambda c: [i for i in c if self._district_fold.get(self._district_codes[i]) ==
                       fold_key(district, "district")] if district and level == "commune" else c,
            lambda c: [i for i in c if self._unit_codes[i] == code_text] if code_text else c,
            # Diacritics tell 'Ia Băng' from 'Ia Bang' only when the province wrote them.
            lambda c: [i for i in c if self._accent[i] == accent_key(name, level)] if written_accents else c,
        ]
        for narrow in narrowers:
            if len(candidates) <= 1:
                break
            candidates = narrow(candidates) or candidates
        codes = tuple(sorted(self._unit_codes[i] for i in candidates))
        if len(codes) == 1 and unit_type and self._types[candidates[0]] not in (None, unit_type):
            # 'Xã Lộc Hòa' where the list has only 'Phường Lộc Hòa': the type word contradicts
            # the unit, and which of the two the province meant is not ours to guess.
            return Resolution(None, "type_mismatch", (codes[0], self._units.name[candidates[0]]))
        if len(codes) == 1:
            if code_text and code_text != codes[0]:
                # The name and the code written beside it disagree: which one is wrong is the
                # province's to say. A code that is no unit at all is only a slip: keep the name's.
                if code_text in self._codes:
                    return Resolution(None, "code_mismatch", (codes[0], code_text))
                return Resolution(codes[0], "code_unknown", (code_text,))
            return Resolution(codes[0])
        if not codes and code_text in self._codes:
            return Resolution(None, "unknown_name_with_code", (code_text,))
        return Resolution(None, "ambiguous" if codes else "unknown", codes)
