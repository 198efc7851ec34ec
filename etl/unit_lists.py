"""The official unit lists (GSO's Danh mục đơn vị hành chính) by date, and which one is in force.

A list is a snapshot of the commune-level units (with their district and province) as published
on one date. The lists the warehouse knows:

- four GSO exports of 2020 to January 2025, kept in ``reference/unit_lists/`` (built from past
  releases of ``vietnam-provinces`` by ``reference/build_unit_lists.py``; dated in its EVIDENCE.md);
- the two lists of ``vietnamadminunits``: the 63 provinces on the eve of the reform of 1 July 2025
  and the 34 provinces from that day;
- lists imported with ``cax units import`` (a new reform, without code), kept in
  ``$CAX_UNIT_LISTS`` (``var/unit_lists/`` by default).

Each list is in force from its ``valid_from`` to the day before the next list's. A report resolves
its units against the list in force on its date; one dated before the oldest list resolves
against the oldest and says so. A list is named by its date in every message ("danh mục ngày
03/02/2021").
"""

from __future__ import annotations

import importlib.util
import json
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

PRE2025, ERA2025 = "pre2025", "2025"
ERA_SWITCH_DATE = date(2025, 7, 1)
COMMITTED = Path(__file__).resolve().parents[1] / "reference" / "unit_lists"


def _package_folder() -> Path:
    """Where ``vietnamadminunits`` is installed, found without importing it: only its data is used,
    and importing it imports its geocoding (geopy, requests), 0.3 s of every command's start."""
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("vietnamadminunits is not installed: run make install (uv sync)")
    return Path(next(iter(spec.submodule_search_locations)))


PACKAGE_DATA = _package_folder() / "data"
COLUMNS = ("unit_code", "name", "type", "district_code", "district_name", "province_code", "province_name")
END_OF_TIME = date(9999, 12, 31)
MANIFEST = "imported.json"
# vietnamadminunits' 63-province list is the state the reform of 1 July 2025 started from. It holds
# changes the GSO export of 4 January 2025 does not yet show (e.g. Thị xã Mộc Châu and its phường,
# Hồ Chí Minh City's renumbered phường), made by resolutions in force from early 2025: it is in
# force from the day after that export (reference/unit_lists/EVIDENCE.md).
EVE_OF_REFORM = date(2025, 6, 30)
EVE_VALID_FROM = date(2025, 1, 5)


def era_of(day: date) -> str:
    """The administrative era a report dated ``day`` belongs to (63 or 34 provinces)."""
    return ERA2025 if day >= ERA_SWITCH_DATE else PRE2025


def dmy(day: date) -> str:
    return f"{day:%d/%m/%Y}"


@dataclass(frozen=True)
class UnitList:
    """One dated list: its name (``list_id``, the ISO date of its content) and when it is in force."""

    list_id: str
    data_date: date
    valid_from: date
    admin_era: str
    origin: str  # committed | package | imported
    source: str  # where the list comes from, for the provenance columns
    path: str = ""
    valid_to: date = END_OF_TIME

    @property
    def label_vi(self) -> str:
        return f"danh mục ngày {dmy(self.data_date)}"

    @property
    def label_en(self) -> str:
        return f"the list of {dmy(self.data_date)}"


F = TypeVar("F", bound=Callable[..., Any])
_DEPENDENTS: list[Any] = []


def cached_on_lists(function: F) -> F:
    """``functools.cache``, forgotten by ``reload()``: for everything computed from the lists."""
    wrapped = cache(function)
    _DEPENDENTS.append(wrapped)
    return wrapped  # type: ignore[return-value]


def imported_dir() -> Path:
    """Where ``cax units import`` keeps the lists it adds (``$CAX_UNIT_LISTS``, else under ``$CAX_VAR``)."""
    return Path(os.environ.get("CAX_UNIT_LISTS") or Path(os.environ.get("CAX_VAR") or "var") / "unit_lists")


def _committed() -> list[UnitList]:
    provenance = json.loads((COMMITTED / "provenance.json").read_text(encoding="utf-8"))
    out = []
    for entry in provenance["lists"]:
        day = date.fromisoformat(entry["data_date"])
        out.append(UnitList(day.isoformat(), day, day, era_of(day), "committed",
                            f"GSO export of {day} via {entry['package']} {entry['version']}",
                            str(COMMITTED / entry["file"])))
    return out


def _package() -> list[UnitList]:
    version = _dist_version()
    return [
        UnitList(EVE_OF_REFORM.isoformat(), EVE_OF_REFORM, EVE_VALID_FROM, PRE2025, "package",
                 f"vietnamadminunits {version}: admin_units_legacy (63 provinces before the 2025 reform)"),
        UnitList(ERA_SWITCH_DATE.isoformat(), ERA_SWITCH_DATE, ERA_SWITCH_DATE, ERA2025, "package",
                 f"vietnamadminunits {version}: admin_units (34 provinces from 1 July 2025)"),
    ]


def _dist_version() -> str:
    from importlib.metadata import version

    return version("vietnamadminunits")


def read_manifest(folder: Path) -> list[dict]:
    path = folder / MANIFEST
    if not path.exists():
        return []
    return list(json.loads(path.read_text(encoding="utf-8"))["lists"])


def _imported() -> list[UnitList]:
    folder = imported_dir()
    out = []
    for entry in read_manifest(folder):
        day = date.fromisoformat(entry["as_of"])
        out.append(UnitList(day.isoformat(), day, day, era_of(day), "imported",
                            f"imported from {entry['source_file']} (sha256 {entry['source_sha256'][:16]})",
                            str(folder / entry["file"])))
    return out


@cached_on_lists
def unit_lists() -> tuple[UnitList, ...]:
    """Every list, oldest first, each valid up to the day before the next one."""
    lists = sorted(_committed() + _package() + _imported(), key=lambda u: (u.valid_from, u.origin != "imported"))
    by_start: dict[date, UnitList] = {}
    for unit_list in lists:
        by_start.setdefault(unit_list.valid_from, unit_list)  # an import replaces a list of its own date
    ordered = sorted(by_start.values(), key=lambda u: u.valid_from)
    return tuple(replace(u, valid_to=(ordered[i + 1].valid_from - timedelta(days=1)) if i + 1 < len(ordered)
                         else END_OF_TIME) for i, u in enumerate(ordered))


def reload() -> None:
    """Forget what was read, and everything computed from it (after ``cax units import`` added a
    list): every function decorated with ``cached_on_lists``."""
    for cached in _DEPENDENTS:
        cached.cache_clear()


def list_by_id(list_id: str) -> UnitList:
    for unit_list in unit_lists():
        if unit_list.list_id == list_id:
            return unit_list
    raise KeyError(f"no unit list of {list_id}")


def list_for(day: date) -> tuple[UnitList, bool]:
    """The list in force on ``day``, and whether ``day`` comes before the oldest list (then the
    oldest is used, and the report says so)."""
    lists = unit_lists()
    for unit_list in lists:
        if unit_list.valid_from <= day <= unit_list.valid_to:
            return unit_list, False
    return lists[0], True


def lists_of_era(era: str) -> list[UnitList]:
    return [u for u in unit_lists() if u.admin_era == era]


def latest_of_era(era: str) -> UnitList:
    return lists_of_era(era)[-1]


def _query(sql: str) -> pd.DataFrame:
    with sqlite3.connect(f"file:{PACKAGE_DATA / 'dataset.db'}?mode=ro", uri=True) as con:
        return pd.read_sql_query(sql, con, dtype=str)


def _type_of(name: str, stated: object) -> str:
    """The unit's type: the one its official full name begins with, else the list's column."""
    from etl.names import split_prefix

    written = split_prefix(name, "commune")[0]
    return written or str(stated or "").strip().lower()


@cached_on_lists
def list_units(list_id: str) -> pd.DataFrame:
    """The commune-level units of one list, with the columns of ``COLUMNS`` (codes as text)."""
    unit_list = list_by_id(list_id)
    if unit_list.origin == "package" and unit_list.admin_era == PRE2025:
        raw = _query("select wardCode as unit_code, ward as name, wardType as type, districtCode as district_code,"
                     " district as district_name, provinceCode as province_code, province as province_name"
                     " from admin_units_legacy where wardCode is not null")
    elif unit_list.origin == "package":
        raw = _query("select wardCode as unit_code, ward as name, wardType as type, null as district_code,"
                     " null as district_name, provinceCode as province_code, province as province_name"
                     " from admin_units")
    else:
        raw = pd.read_csv(unit_list.path, dtype=str, keep_default_na=False)
        raw = raw.replace({"district_code": {"": None}, "district_name": {"": None}})
    raw = raw[list(COLUMNS)].copy()
    raw["type"] = [_type_of(n, t) for n, t in zip(raw.name.tolist(), raw.type.tolist(), strict=True)]
    # No district is None whatever the source (sqlite gives NaN, a CSV ""): hop() compares them.
    for column in ("district_code", "district_name"):
        raw[column] = raw[column].astype(object).where(raw[column].notna() & (raw[column] != ""), None)
    return raw.sort_values("unit_code").reset_index(drop=True)


@cached_on_lists
def eve_districts_without_units() -> pd.DataFrame:
    """Districts of the eve-of-reform list that hold no commune-level unit (island districts such
    as Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Trường Sa): the GSO exports list units only, so these are
    added to every list of the 63 provinces that has their province."""
    rows = _query("select districtCode as district_code, district as district_name, provinceCode as province_code,"
                  " province as province_name from admin_units_legacy where wardCode is null")
    return rows.drop_duplicates("district_code").reset_index(drop=True)
