"""Official administrative units as a history: every dated list (``etl.unit_lists``), the versions
of each unit with their validity, the crosswalks from each list to the next, and the resolution of
written names against the list in force on a report's date.

- ``admin_units()`` is ``ref.admin_unit``: one row per version of a unit (province, district or
  commune), valid from the first list that holds it so to the day before the first list that does
  not (or holds it changed: another name, type, district or province).
- ``crosswalk()`` is ``ref.admin_unit_crosswalk``: each commune-level unit of a list -> the unit of
  the next list it is, or was merged into, with the evidence (the code kept, the same name in the
  same district, the official 2025 crosswalk of ``vietnamadminunits``); ``unmapped`` where the lists
  establish nothing. Nothing is guessed.
- ``chain_to_2025()`` follows the crosswalks to the communes of 1 July 2025.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from etl.names import accent_key, clean_text, fold_key, split_prefix
from etl.unit_lists import (
    ERA2025,
    ERA_SWITCH_DATE,
    PACKAGE_DATA,
    PRE2025,
    UnitList,
    _query,
    cached_on_lists,
    dmy,
    era_of,
    eve_districts_without_units,
    latest_of_era,
    list_by_id,
    list_for,
    list_units,
    lists_of_era,
    unit_lists,
)

unit_lists_of_era = lists_of_era

__all__ = ["ERA2025", "ERA_SWITCH_DATE", "PRE2025", "era_of", "list_for", "unit_lists", "UnitList"]

ERAS = (PRE2025, ERA2025)
# Units counted by the staffing indicators: before the merger the programme covers xã and thị
# trấn only (phường keep their own police); from July 2025 every commune-level unit.
IN_SCOPE_TYPES = {PRE2025: ("xã", "thị trấn"), ERA2025: ("xã", "phường", "đặc khu")}

# Former names still written in headers, missing from the package's keyword lists.
_PROVINCE_ALIASES = {PRE2025: {"thuathienhue": "46"}, ERA2025: {}}
_VERSION_ATTRIBUTES = ["admin_era", "unit_type", "name", "province_code", "district_code"]
UNIT_COLUMNS = ["admin_era", "unit_code", "level", "unit_type", "name", "short_name", "province_code",
                "district_code", "parent_code", "valid_from", "valid_to", "is_in_scope", "first_list", "last_list"]


def _key(unit_list: UnitList | str) -> str:
    return unit_list if isinstance(unit_list, str) else unit_list.list_id


@cached_on_lists
def snapshot(list_id: str) -> pd.DataFrame:
    """Every unit (province, district, commune) of one list, in the columns of ``ref.admin_unit``
    without the validity."""
    unit_list = list_by_id(list_id)
    era = unit_list.admin_era
    communes = list_units(list_id)
    provinces = communes.drop_duplicates("province_code")
    frames = [pd.DataFrame({
        "level": "province", "unit_code": provinces.province_code, "name": provinces.province_name,
        "province_code": provinces.province_code, "district_code": None, "parent_code": None,
        "unit_type": [(split_prefix(n, "province")[0] or "").lower() for n in provinces.province_name],
    })]
    if era == PRE2025:
        districts = communes[communes.district_code.notna()].drop_duplicates("district_code")[
            ["district_code", "district_name", "province_code"]]
        islands = eve_districts_without_units()
        islands = islands[islands.province_code.isin(provinces.province_code)
                          & ~islands.district_code.isin(districts.district_code)]
        districts = pd.concat([districts, islands[districts.columns]], ignore_index=True)
        frames.append(pd.DataFrame({
            "level": "district", "unit_code": districts.district_code, "name": districts.district_name,
            "province_code": districts.province_code, "district_code": districts.district_code,
            "parent_code": districts.province_code,
            "unit_type": [(split_prefix(n, "district")[0] or "").lower() for n in districts.district_name],
        }))
    frames.append(pd.DataFrame({
        "level": "commune", "unit_code": communes.unit_code, "name": communes.name,
        "province_code": communes.province_code, "district_code": communes.district_code,
        "parent_code": communes.district_code.where(communes.district_code.notna(), communes.province_code),
        "unit_type": communes.type,
    }))
    units = pd.concat(frames, ignore_index=True)
    units["admin_era"] = era
    units["short_name"] = [split_prefix(n, level)[1]
                           for n, level in zip(units.name.tolist(), units.level.tolist(), strict=True)]
    units["is_in_scope"] = (units.level == "commune") & units.unit_type.isin(IN_SCOPE_TYPES[era])
    return units


@cached_on_lists
def admin_units() -> pd.DataFrame:
    """``ref.admin_unit``: every version of every unit of every list, with ``valid_from``/``valid_to``.

    A version spans consecutive lists that hold the unit unchanged; the unit changed (name, type,
    district, province, era) or missing from a list ends it.
    """
    lists = unit_lists()
    frames = []
    for index, unit_list in enumerate(lists):
        frame = snapshot(unit_list.list_id).copy()
        frame["list_index"] = index
        frames.append(frame)
    units = pd.concat(frames, ignore_index=True).sort_values(["level", "unit_code", "list_index"], kind="stable")
    attributes = units[_VERSION_ATTRIBUTES].fillna("")
    same_unit = (units.level.eq(units.level.shift()) & units.unit_code.eq(units.unit_code.shift())
                 & units.list_index.eq(units.list_index.shift() + 1))
    unchanged = (attributes == attributes.shift()).all(axis=1)
    units["version"] = (~(same_unit & unchanged)).cumsum()
    grouped = units.groupby("version", sort=False)
    history = grouped.first()
    first, last = grouped.list_index.min(), grouped.list_index.max()
    history["valid_from"] = [lists[i].valid_from for i in first]
    history["valid_to"] = [lists[i].valid_to for i in last]
    history["first_list"] = [lists[i].data_date for i in first]
    history["last_list"] = [lists[i].data_date for i in last]
    return history[UNIT_COLUMNS].reset_index(drop=True)


def in_force(on: date | str, level: str | None = None) -> pd.DataFrame:
    """The units of the list in force on a date (or of the list named by its id), as versions."""
    unit_list = list_by_id(on) if isinstance(on, str) else list_for(on)[0]
    units = admin_units()
    mask = (units.valid_from <= unit_list.valid_from) & (units.valid_to >= unit_list.valid_from)
    if level is not None:
        mask &= units.level == level
    return units[mask].reset_index(drop=True)


def _list_of(era: str, on: date | str | None) -> str:
    if on is None:
        return latest_of_era(era).list_id
    return on if isinstance(on, str) else list_for(on)[0].list_id


def provinces(era: str, on: date | str | None = None) -> pd.DataFrame:
    """The provinces of an era (of its latest list unless ``on`` names a list or a date)."""
    return in_force(_list_of(era, on), "province")


def communes(era: str, province_code: str | None = None, in_scope_only: bool = False,
             on: date | str | None = None) -> pd.DataFrame:
    """The commune-level units of an era's latest list, or of the list ``on`` names or is in force on."""
    units = in_force(_list_of(era, on), "commune")
    if province_code is not None:
        units = units[units.province_code == province_code]
    if in_scope_only:
        units = units[units.is_in_scope]
    return units.reset_index(drop=True)


def province_scope() -> pd.DataFrame:
    """``ref.province_scope``: per list and province, the communes in the programme's scope."""
    frames = []
    for unit_list in unit_lists():
        units = snapshot(unit_list.list_id)
        names = units[units.level == "province"].set_index("unit_code").name
        counts = units[units.is_in_scope].groupby("province_code").size()
        frames.append(pd.DataFrame({
            "list_id": unit_list.list_id, "admin_era": unit_list.admin_era, "province_code": names.index,
            "province_name": names.values, "communes_in_scope": [int(counts.get(c, 0)) for c in names.index],
            "valid_from": unit_list.valid_from, "valid_to": unit_list.valid_to,
        }))
    return pd.concat(frames, ignore_index=True)


# --- Crosswalks ---------------------------------------------------------------------------------

CROSSWALK_COLUMNS = ["from_list", "from_code", "from_province_code", "to_list", "to_code", "to_province_code",
                     "relation", "evidence", "is_approximate"]


def _official_2025() -> pd.DataFrame:
    """The eve-of-reform communes -> the communes of 1 July 2025, from the package's converter."""
    legacy = _query(
        "select provinceKey || '_' || districtKey || '_' || wardKey as old_key, wardCode, provinceCode"
        " from admin_units_legacy where wardCode is not null"
    )
    new = _query("select provinceKey, wardKey, wardCode, provinceCode from admin_units")
    old_by_key = dict(zip(legacy.old_key, zip(legacy.wardCode, legacy.provinceCode, strict=True), strict=True))
    new_by_key = {(p, w): (c, pc) for p, w, c, pc in new.itertuples(index=False)}
    data = json.loads((PACKAGE_DATA / "converter_2025.json").read_text(encoding="utf-8"))
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
    return pd.DataFrame([(old_by_key[k][0], *v) for k, v in rows.items()],
                        columns=["from_code", "to_code", "to_province_code", "is_approximate"])


@cached_on_lists
def province_crosswalk() -> pd.DataFrame:
    """``ref.province_crosswalk``: each of the 63 provinces -> the one of the 34 it became part of
    (from the official crosswalk: no old province was divided, so this is exact)."""
    official = _official_2025()
    eve = list_units(latest_of_era(PRE2025).list_id).set_index("unit_code").province_code
    official["old_province_code"] = official.from_code.map(eve)
    pairs = official[["old_province_code", "to_province_code"]].drop_duplicates()
    return pairs.rename(columns={"to_province_code": "new_province_code"}).sort_values(
        "old_province_code").reset_index(drop=True)


def _fold_name(name: str) -> str:
    return fold_key(name, "commune")


def _kept_relation(name: str, new_name: str, kind: str, new_kind: str, district: object, new_district: object) -> str:
    """What became of a unit that kept its code: ``same``; ``moved`` (same name, another district);
    ``retyped`` (xã to phường or thị trấn, or back: the name after the type unchanged);
    ``respelled`` (the same letters and diacritics, tone placed or capitalised otherwise:
    'Hoà'/'Hòa'); ``renamed`` (anything else, 'Tiền Tiến' to 'Tiên Tiến' included)."""
    if kind != new_kind:
        return "retyped" if accent_key(name, "commune") == accent_key(new_name, "commune") else "renamed"
    if name == new_name:
        return "same" if str(district) == str(new_district) else "moved"
    return "respelled" if accent_key(name, "commune") == accent_key(new_name, "commune") else "renamed"


def _rows(frame: pd.DataFrame, *columns: str) -> list[tuple]:
    """``frame``'s ``columns`` as plain tuples, a row each."""
    return list(zip(*(frame[column].tolist() for column in columns), strict=True))


def hop(from_list: str, to_list: str) -> pd.DataFrame:
    """How each commune-level unit of ``from_list`` stands in ``to_list`` (the next list)."""
    old, new = list_units(from_list), list_units(to_list)
    if from_list == latest_of_era(PRE2025).list_id and list_by_id(to_list).admin_era == ERA2025:
        return _hop_official(from_list, to_list, old)
    same_era = list_by_id(to_list).admin_era == list_by_id(from_list).admin_era
    kept = old.merge(new, on="unit_code", suffixes=("", "_new"))
    if same_era:  # a code that moved to another province is another unit
        kept = kept[kept.province_code == kept.province_code_new]
    kept_rows = pd.DataFrame({
        "from_list": from_list, "from_code": kept.unit_code, "from_province_code": kept.province_code,
        "to_list": to_list, "to_code": kept.unit_code, "to_province_code": kept.province_code_new,
        "relation": [_kept_relation(*unit) for unit in _rows(kept, "name", "name_new", "type", "type_new",
                                                             "district_code", "district_code_new")],
        "evidence": "code kept", "is_approximate": False,
    })
    province_of = dict(_rows(new, "unit_code", "province_code"))
    renamed = set(kept_rows[kept_rows.relation == "renamed"].to_code.tolist())
    # A gone unit's name found again in the same district (by code or name) or, when its district is
    # gone, once in the province among the units that are new or renamed: the unit it became part of.
    # (Rows as plain tuples: iterating a frame's columns cell by cell costs more than the matching.)
    receiving = (set(new.unit_code.tolist()) - set(old.unit_code.tolist())) | renamed
    columns = ("unit_code", "name", "province_code", "district_code", "district_name")
    new_units = [(*unit, fold_key(unit[4] or "", "district")) for unit in _rows(new, *columns)]
    new_districts = set(new.district_code.dropna().tolist())
    # Names compared with their diacritics ('Tiền Tiến' is not 'Tiên Tiến'), then by their letters
    # alone, each with its own evidence.
    keys = {"same name": lambda n: accent_key(n, "commune"), "same letters (diacritics differ)": _fold_name}
    rows = []
    kept_codes = set(kept_rows.from_code.tolist())
    gone = [unit for unit in _rows(old, *columns) if unit[0] not in kept_codes]
    for words, key_of in keys.items():
        by_district: dict[tuple[str, str], list[str]] = {}
        by_district_name: dict[tuple[str, str, str], list[str]] = {}
        by_province: dict[tuple[str, str], list[str]] = {}
        for code, name, province, district_code, _, district_fold in new_units:
            key = key_of(name)
            by_district.setdefault((str(district_code), key), []).append(code)
            by_district_name.setdefault((province, district_fold, key), []).append(code)
            if code in receiving:
                by_province.setdefault((province, key), []).append(code)
        left = []
        for unit in gone:
            code, name, province, district_code, district_name = unit
            key = key_of(name)
            # Lists without districts (from July 2025) go straight to the province.
            district = fold_key(district_name or "", "district")
            found = (by_district.get((str(district_code), key)) or by_district_name.get(
                (province, district, key))) if district_code else None
            evidence = f"{words} in the same district"
            if (not found or len(found) != 1) and district_code not in new_districts:
                # Only when its district is gone too (merged into another): a name alone never moves a
                # unit out of a district that still exists (Phường 7 of Quận 10 is not Phường 7 of Quận 5).
                found, evidence = by_province.get((province, key)), f"{words}, once in the province"
            if found and len(found) == 1 and (not same_era or province_of[found[0]] == province):
                rows.append({"from_list": from_list, "from_code": code, "from_province_code": province,
                             "to_list": to_list, "is_approximate": False, "to_code": found[0],
                             "to_province_code": province_of[found[0]], "relation": "merged_into",
                             "evidence": evidence})
            else:
                left.append(unit)
        gone = left
    for code, _, province, *_ in gone:
        rows.append({"from_list": from_list, "from_code": code, "from_province_code": province,
                     "to_list": to_list, "is_approximate": False, "to_code": None, "to_province_code": None,
                     "relation": "unmapped", "evidence": "the lists do not say which unit it became part of"})
    gone = pd.DataFrame(rows, columns=CROSSWALK_COLUMNS)
    return pd.concat([kept_rows[CROSSWALK_COLUMNS], gone], ignore_index=True).sort_values(
        "from_code").reset_index(drop=True)


def _hop_official(from_list: str, to_list: str, old: pd.DataFrame) -> pd.DataFrame:
    found = old.merge(_official_2025(), left_on="unit_code", right_on="from_code", how="left")
    mapped = found.to_code.notna()
    approximate = found.is_approximate.fillna(False).astype(bool)
    new_names = list_units(to_list).set_index("unit_code").name
    # A unit the crosswalk keeps under its own code is that unit (under its name or another one);
    # any other is merged into the unit it maps to.
    kept_as = [new_names.get(t) if m and t == c else None
               for m, t, c in zip(mapped, found.to_code, found.unit_code, strict=True)]
    return pd.DataFrame({
        "from_list": from_list, "from_code": found.unit_code, "from_province_code": found.province_code,
        "to_list": to_list, "to_code": found.to_code, "to_province_code": found.to_province_code,
        "relation": ["unmapped" if not m else "divided" if a else "merged_into" if k is None
                     else _kept_relation(n, k, t, split_prefix(k, "commune")[0] or t, None, None)
                     for m, a, k, n, t in zip(mapped, approximate, kept_as, found.name, found.type, strict=True)],
        "evidence": mapped.map({True: "official 2025 crosswalk (vietnamadminunits)",
                                False: "not in the official 2025 crosswalk"}),
        "is_approximate": approximate,
    })[CROSSWALK_COLUMNS]


@cached_on_lists
def crosswalk() -> pd.DataFrame:
    """``ref.admin_unit_crosswalk``: every list's commune-level units -> the next list's."""
    lists = unit_lists()
    frames = [hop(a.list_id, b.list_id) for a, b in zip(lists, lists[1:], strict=False)]
    return pd.concat(frames, ignore_index=True)


@cached_on_lists
def chain_to_2025() -> pd.DataFrame:
    """``ref.admin_unit_to_2025``: each commune-level unit of every list before July 2025 -> the
    commune of 1 July 2025 the crosswalks lead to; ``comparability`` exact, approximate (an old
    unit divided among several new ones, counted in the official default one) or unmapped."""
    lists = unit_lists()
    target = next(u for u in lists if u.admin_era == ERA2025)
    walk = crosswalk()
    steps = {a: walk[walk.from_list == a].set_index("from_code") for a in walk.from_list.unique()}
    order = [u.list_id for u in lists]
    frames = []
    for unit_list in lists:
        if unit_list.admin_era != PRE2025:
            continue
        units = list_units(unit_list.list_id)
        codes = pd.Series(units.unit_code.values, index=units.unit_code.values, dtype=object)
        approximate = pd.Series(False, index=codes.index)
        province = pd.Series(units.province_code.values, index=codes.index, dtype=object)
        for a in order[order.index(unit_list.list_id):order.index(target.list_id)]:
            step = steps[a]
            known = codes.notna()
            mapped = step.reindex(codes[known].values)
            codes.loc[known] = mapped.to_code.values
            approximate.loc[known] = approximate[known].values | mapped.is_approximate.fillna(False).astype(bool).values
            province.loc[known] = mapped.to_province_code.values
        frames.append(pd.DataFrame({
            "list_id": unit_list.list_id, "unit_code": units.unit_code.values,
            "province_code": units.province_code.values, "new_commune_code": codes.values,
            "new_province_code": province.values,
            "comparability": ["unmapped" if pd.isna(c) else ("approximate" if a else "exact")
                              for c, a in zip(codes.values, approximate.values, strict=True)],
        }))
    chained = pd.concat(frames, ignore_index=True)
    # The province is known even where the commune is not: the province crosswalk is exact.
    by_province = province_crosswalk().set_index("old_province_code").new_province_code
    chained["new_province_code"] = chained.new_province_code.fillna(chained.province_code.map(by_province))
    return chained


def follow(list_id: str, unit_code: str, to_list: str) -> tuple[str | None, bool]:
    """The unit of ``to_list`` (a later list) that ``unit_code`` of ``list_id`` is, or became part
    of, and whether that is approximate; None where a crosswalk establishes nothing."""
    code, approximate, _ = _walk(list_id, unit_code, to_list)
    return code, approximate


def _walk(list_id: str, unit_code: str, to_list: str) -> tuple[str | None, bool, bool]:
    """``follow``, and whether a step merged the unit into another (else it kept its code)."""
    order = [u.list_id for u in unit_lists()]
    steps = _steps()
    code: str | None = unit_code
    approximate = merged = False
    for a in order[order.index(list_id):order.index(to_list)]:
        if code is None or (a, code) not in steps:
            return None, approximate, merged
        code, step_approximate, relation = steps[(a, code)]
        approximate |= step_approximate
        merged |= relation in ("merged_into", "divided")
    return code, approximate, merged


@cached_on_lists
def _steps() -> dict[tuple[str, str], tuple[str | None, bool, str]]:
    walk = crosswalk()
    return {(a, c): (t if isinstance(t, str) else None, bool(x), r) for a, c, t, x, r in
            _rows(walk, "from_list", "from_code", "to_code", "is_approximate", "relation")}


# --- Provinces by name --------------------------------------------------------------------------

@cached_on_lists
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
    # unknown | ambiguous | unknown_name_with_code | code_mismatch | type_mismatch | gone_from_list |
    # not_yet_in_list (no code: an error); code_unknown (resolved by name, the written code is no
    # unit: a warning)
    problem: str | None = None
    candidates: tuple[str, ...] = ()


@cached_on_lists
def keyed_units(list_id: str, level: str) -> pd.DataFrame:
    """The units of a list and level with their name keys, computed once per process (and before
    the parsing processes fork, so that each inherits them)."""
    units = snapshot(list_id)
    keyed = units[units.level == level].reset_index(drop=True)
    names = keyed.name.tolist()  # plain strings: iterating an arrow column costs more than the keys
    keyed["fold"] = [fold_key(n, level) for n in names]
    keyed["accent"] = [accent_key(n, level) for n in names]
    keyed["written_type"] = [split_prefix(n, level)[0] for n in names]
    return keyed


@cached_on_lists
def district_folds(list_id: str) -> dict[str, str]:
    units = snapshot(list_id)
    districts = units[units.level == "district"]
    return dict(zip(districts.unit_code.tolist(), (fold_key(n, "district") for n in districts.name.tolist()),
                    strict=True))


def warm_up() -> None:
    """Compute every list's keys now (called before forking the parsing processes)."""
    for unit_list in unit_lists():
        for level in ("commune", "district"):
            keyed_units(unit_list.list_id, level)
        district_folds(unit_list.list_id)


def _related_provinces(province_code: str, from_era: str, to_era: str) -> set[str]:
    """The provinces of ``to_era`` that cover ``province_code`` of ``from_era`` (exact mapping)."""
    if from_era == to_era:
        return {province_code}
    pairs = province_crosswalk()
    if from_era == PRE2025:
        return set(pairs[pairs.old_province_code == province_code].new_province_code)
    return set(pairs[pairs.new_province_code == province_code].old_province_code)


@cached_on_lists
def _districts_of(list_id: str) -> dict[str, str]:
    units = list_units(list_id)
    return dict(zip(units.unit_code, units.district_code, strict=True))


def _district_of(list_id: str, code: str) -> str:
    return _districts_of(list_id).get(code) or ""


@cached_on_lists
def _by_fold(list_id: str, level: str) -> dict[str, list[tuple[str, str, str | None, str]]]:
    """A list's units by name key: (province code, unit code, type written in the name, accent key)."""
    out: dict[str, list[tuple[str, str, str | None, str]]] = {}
    keyed = keyed_units(list_id, level)
    for fold, province, code, written, accent in zip(keyed.fold, keyed.province_code, keyed.unit_code,
                                                     keyed.written_type, keyed.accent, strict=True):
        out.setdefault(fold, []).append((province, code, written, accent))
    return out


def elsewhere(name: object, list_id: str, province_code: str, level: str = "commune",
              accent: str | None = None, district: str | None = None, besides: str | None = None,
              follow_chain: bool = False) -> Resolution | None:
    """Where a name unknown to the list in force is found in another list of the same province.

    A name of an earlier list: ``gone_from_list`` with (the list in force, the last list that holds
    it, the unit of the list in force it became part of, when the crosswalks know it). A name of a
    later list: ``not_yet_in_list`` with (the list in force, the first list that holds it). A type
    written with the name must match ('Thị trấn Ninh Giang' is not 'Xã Ninh Giang'), and so must
    its diacritics when ``accent`` gives them ('Xuân Lâm' is not 'Xuân Lam'), and its district when
    ``district`` (a folded district name) gives it. ``besides`` is the unit the list in force
    offers: when the nearest list holding the name as written holds it for that unit (its code, or
    with ``follow_chain`` a unit the crosswalks lead to it), the name is that unit's and None is
    returned.

    The unit of the list in force comes with how the old one reached it: ``merged`` (a crosswalk
    step merged it into another unit) or ``renamed`` (it kept its code under another name or type).
    """
    key = fold_key(name, level)
    if not key:
        return None
    unit_type = split_prefix(name, level)[0]
    here = list_by_id(list_id)
    lists = unit_lists()
    position = [u.list_id for u in lists].index(list_id)
    # Nearest lists first: the last one that held an old name, the first one that holds a new one.
    earlier = list(reversed(lists[:position]))
    later = list(lists[position + 1:])
    for candidates, problem in ((earlier, "gone_from_list"), (later, "not_yet_in_list")):
        for other in candidates:
            wanted = _related_provinces(province_code, here.admin_era, other.admin_era)
            districts = district_folds(other.list_id)
            found = [code for province, code, written, accents in _by_fold(other.list_id, level).get(key, [])
                     if province in wanted and (unit_type is None or written == unit_type)
                     and (accent is None or accents == accent)
                     and (district is None or districts.get(_district_of(other.list_id, code)) == district)]
            if not found:
                continue
            if besides is not None and any(code == besides or (follow_chain and _walk(
                    other.list_id, code, list_id)[0] == besides) for code in found):
                # The nearest list that holds the name as written holds it for the unit in force
                # (its own code, or, for an outdated district, a same-named unit it continues).
                return None
            if problem == "not_yet_in_list":
                return Resolution(None, problem, (dmy(here.data_date), dmy(other.data_date), "", ""))
            absorbed, how = "", ""
            if len(found) == 1 and level == "commune":
                code, _, merged = _walk(other.list_id, found[0], list_id)
                current = keyed_units(list_id, level)
                match = current[current.unit_code == code] if code is not None else current.iloc[0:0]
                if not match.empty:
                    absorbed, how = f"{match.name.iloc[0]} ({code})", "merged" if merged else "renamed"
            return Resolution(None, problem, (dmy(here.data_date), dmy(other.data_date), absorbed, how))
    return None


@dataclass
class UnitResolver:
    """Resolves written names to codes within one province, unit list and level; never guesses.

    ``list_id`` names the list in force on the report's date (``etl.unit_lists``); ``level`` is
    "commune" (xã, phường, thị trấn, đặc khu) or "district" (before July 2025).
    """

    list_id: str
    province_code: str
    level: str = "commune"
    _by_fold: dict[str, list[int]] = field(default_factory=dict, init=False)
    _units: pd.DataFrame = field(init=False)
    # Answers already given: a daily sheet names each unit once a day, a month's backfill 31 times.
    _answers: dict[tuple, Resolution] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        keyed = keyed_units(self.list_id, self.level)
        self._units = keyed[keyed.province_code == self.province_code].reset_index(drop=True)
        self._district_fold = district_folds(self.list_id)
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
        key = (type(name), name, type(district), district, type(code), code, writes_diacritics)
        try:
            return self._answers[key]
        except KeyError:
            answer = self._answers[key] = self._resolve(name, district, code, writes_diacritics)
            return answer
        except TypeError:  # a value that cannot be a key: answered afresh
            return self._resolve(name, district, code, writes_diacritics)

    def _resolve(self, name: object, district: object, code: object, writes_diacritics: bool | None) -> Resolution:
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
            # the unit, and which of the two the province meant is not ours to guess; unless the
            # name with its type is a unit of another date's list ('Thị trấn Ninh Giang' of 2021).
            return elsewhere(name, self.list_id, self.province_code, level) or Resolution(
                None, "type_mismatch", (codes[0], self._units.name[candidates[0]]))
        if len(codes) == 1 and written_accents and self._accent[candidates[0]] != accent_key(name, level):
            # 'Xã Xuân Lâm' where the list in force has only 'Xã Xuân Lam', another unit: a name
            # that, diacritics and all, is another unit of another date's list names that unit.
            other = elsewhere(name, self.list_id, self.province_code, level, accent=accent_key(name, level),
                              besides=codes[0])
            if other is not None:
                return other
        written_district = fold_key(district, "district") if district and level == "commune" else ""
        unit_district = self._district_codes[candidates[0]] if len(codes) == 1 else None
        if unit_district and written_district and self._district_fold.get(unit_district) != written_district:
            # 'Xa Xuan Lam' of Huyện Nam Đàn, where the list in force has a Xuân Lam only in Hưng
            # Nguyên: another unit of that name in that district, in another date's list, is meant.
            other = elsewhere(name, self.list_id, self.province_code, level, district=written_district,
                              besides=codes[0], follow_chain=True)
            if other is not None:
                return other
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
        if not codes:
            # A unit of another date's list (merged away, renamed, not yet created) says so.
            return elsewhere(name, self.list_id, self.province_code, level) or Resolution(None, "unknown")
        return Resolution(None, "ambiguous", codes)
