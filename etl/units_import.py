"""Importing a new official unit list (``cax units import``): a reform without code.

The data team hands over the GSO export (Danh mục đơn vị hành chính, danhmuchanhchinh.gso.gov.vn)
as .xlsx, .xls or .csv, with the date it takes effect. It is read by its headers, checked, and
kept as a new dated list beside the committed ones (``etl.unit_lists``): the crosswalk from the
list in force the day before is worked out from codes and names (``etl.reference.hop``), as for
every other pair of lists, and nothing is guessed. A report of what changed goes to the console
and, in full, to a CSV beside the stored list.

The file is official, but a list that would mislead the warehouse is refused whole, with the row
and column of each problem: a unit without code or name, a code used twice, a province that is
not one of the provinces of the date's era (provinces map exactly between eras), districts
missing before July 2025 or present after it.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from etl import reference, unit_lists
from etl.names import clean_text, header_key, split_prefix
from etl.unit_lists import COLUMNS, ERA2025, MANIFEST, PRE2025, UnitList, dmy, era_of, imported_dir

# Headers of the GSO export, as ``header_key`` reads them: the export with districts (up to June
# 2025: "Tỉnh Thành Phố", "Mã TP", "Quận Huyện", "Mã QH", "Phường Xã", "Mã PX", "Cấp") and without
# (from July 2025: "Tên Tỉnh/TP", "Mã TP", "Tên Phường/Xã", "Mã PX", "Cấp").
HEADERS = {
    "province_name": ("tinh thanh pho", "ten tinh thanh pho", "ten tinh tp", "tinh tp", "ten tinh", "tinh"),
    "province_code": ("ma tp", "ma tinh", "ma tinh tp", "ma tinh thanh pho"),
    "district_name": ("quan huyen", "ten quan huyen", "ten qh", "ten huyen", "huyen"),
    "district_code": ("ma qh", "ma quan huyen", "ma huyen"),
    "name": ("phuong xa", "ten phuong xa", "ten px", "xa phuong", "ten xa phuong", "ten xa"),
    "unit_code": ("ma px", "ma phuong xa", "ma xa", "ma xa phuong"),
    "level": ("cap",),
}
REQUIRED = ("province_code", "province_name", "unit_code", "name")
CODE_WIDTH = {"province_code": 2, "district_code": 3, "unit_code": 5}
LEVELS = {"xa": "xã", "phuong": "phường", "thi tran": "thị trấn", "dac khu": "đặc khu"}
HEADER_ROWS_SEARCHED = 30
# What a changed unit is called in the report, in the order of the report.
KINDS = {
    "created": ("thành lập mới", "created"),
    "formed": ("mã mới, do nhập", "new code, formed by merger"),
    "merged_into": ("nhập vào đơn vị khác", "merged into another"),
    "divided": ("chia tách", "divided"),
    "renamed": ("đổi tên", "renamed"),
    "respelled": ("sửa cách viết tên", "respelled"),
    "retyped": ("đổi loại (xã/phường/...)", "retyped"),
    "moved": ("chuyển huyện/tỉnh", "moved"),
    "unmapped": ("không còn, không rõ nhập vào đâu", "gone, unmapped"),
    "same": ("không đổi", "unchanged"),
}
REPORT_COLUMNS = ["kind", "province_code", "province_name", "from_code", "from_name", "to_code", "to_name",
                  "evidence"]


@dataclass(frozen=True)
class Problem:
    """One reason to refuse the list, where a person can find it."""

    message_vi: str
    message_en: str
    row: int | None = None  # the spreadsheet's row number (a CSV's line number)
    column: str | None = None  # the header as written in the file

    def where(self, file_name: str) -> str:
        parts = [file_name]
        if self.row is not None:
            parts.append(f"dòng/row {self.row}")
        if self.column:
            parts.append(f"cột/column '{self.column}'")
        return ", ".join(parts)


class ListRefused(Exception):
    """The file is not taken as a unit list; ``problems`` say where and why."""

    def __init__(self, file_name: str, problems: list[Problem]):
        self.file_name = file_name
        self.problems = problems
        first = problems[0]
        super().__init__(f"{first.where(file_name)}: {first.message_en}"
                         + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))


class ImportNotAllowed(Exception):
    """The import is bad usage (a date that would shadow a list of record without ``--replace``)."""

    def __init__(self, message_vi: str, message_en: str):
        self.message_vi, self.message_en = message_vi, message_en
        super().__init__(message_en)


# --- Reading the export -------------------------------------------------------------------------

def _read_grid(path: Path) -> list[list[object]]:
    """The first sheet (or the CSV) as rows of cells; row 1 at index 0."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix in (".xlsx", ".xls", ".xlsm"):
        from etl.extract.errors import RejectedFile
        from etl.extract.workbook import read_sheets

        try:
            sheets = read_sheets(path)
        except RejectedFile as refused:
            raise ListRefused(path.name, [Problem(refused.reason_vi, refused.reason_en)]) from refused
        visible = [s for s in sheets if s.visible and s.grid] or [s for s in sheets if s.grid]
        for sheet in visible:  # the first sheet whose headers are those of the export
            if _find_header(sheet.grid) is not None:
                return sheet.grid
        return visible[0].grid if visible else []
    raise ListRefused(path.name, [Problem("chỉ nhận tệp .xlsx, .xls hoặc .csv",
                                          "only .xlsx, .xls or .csv files are read")])


def _read_csv(path: Path) -> list[list[object]]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as bad:
        raise ListRefused(path.name, [Problem(
            "tệp CSV không phải UTF-8; lưu lại bằng Excel với kiểu 'CSV UTF-8'",
            f"the CSV is not UTF-8 ({bad.reason} at byte {bad.start}); save it as 'CSV UTF-8'")]) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _find_header(grid: list[list[object]]) -> tuple[int, dict[str, int]] | None:
    """The header row (index) and the column of each field it names, if the export's are there."""
    for index, row in enumerate(grid[:HEADER_ROWS_SEARCHED]):
        found: dict[str, int] = {}
        for col, cell in enumerate(row):
            key = header_key(cell)
            for field_name, spellings in HEADERS.items():
                if key in spellings and field_name not in found:
                    found[field_name] = col
        if all(f in found for f in REQUIRED):
            return index, found
    return None


def _code(value: object, width: int) -> str | None | ValueError:
    """A code as zero-padded text ('1' -> '01'); None when blank; an error when it is no code."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_text(value)
    if not text.isdigit() or len(text) > width:
        return ValueError(text)
    return text.zfill(width)


def _era_provinces(era: str) -> dict[str, str]:
    """The province codes of an era (its latest list), with their names."""
    units = unit_lists.list_units(unit_lists.latest_of_era(era).list_id)
    firsts = units.drop_duplicates("province_code")
    return dict(zip(firsts.province_code, firsts.province_name, strict=True))


def read_gso_list(path: Path, as_of: date) -> pd.DataFrame:
    """The export's commune-level units in ``etl.unit_lists.COLUMNS`` (codes as zero-padded text,
    the type from the name's prefix else the "Cấp" column); raises ``ListRefused`` with every
    problem found."""
    name = path.name
    grid = _read_grid(path)
    located = _find_header(grid)
    if located is None:
        raise ListRefused(name, [Problem(
            "không thấy dòng tiêu đề của danh mục GSO (cần các cột Mã TP, Tỉnh/Thành phố, Mã PX, Phường/Xã)",
            "no header row of the GSO export found (columns Mã TP, Tỉnh Thành Phố, Mã PX, Phường Xã are needed) "
            f"in the first {HEADER_ROWS_SEARCHED} rows")])
    header_index, cols = located
    heading = {f: clean_text(grid[header_index][c]) for f, c in cols.items()}
    era = era_of(as_of)
    problems: list[Problem] = []
    has_districts = "district_code" in cols and "district_name" in cols
    if era == PRE2025 and not has_districts:
        problems.append(Problem(
            f"danh mục ngày {dmy(as_of)} (thời kỳ 63 tỉnh) phải có cột Quận Huyện và Mã QH",
            f"a list of {dmy(as_of)} (the 63 provinces' era) needs the columns Quận Huyện and Mã QH",
            header_index + 1))
    provinces = _era_provinces(era)
    records: list[dict[str, object]] = []
    rows_of: dict[str, list[int]] = {}
    for index in range(header_index + 1, len(grid)):
        row = grid[index]
        number = index + 1

        def cell(field_name: str, _row: list[object] = row) -> object:
            col = cols.get(field_name)
            return _row[col] if col is not None and col < len(_row) else None

        if all(clean_text(v) == "" for v in row):
            continue
        record: dict[str, object] = {"row": number}
        fields = ["province_code", "province_name", "unit_code", "name"]
        if era == PRE2025 and has_districts:
            fields[2:2] = ["district_code", "district_name"]
        for field_name in fields:
            value = cell(field_name)
            if field_name in CODE_WIDTH:
                code = _code(value, CODE_WIDTH[field_name])
                if isinstance(code, ValueError):
                    problems.append(Problem(
                        f"mã '{code}' không phải mã số có tối đa {CODE_WIDTH[field_name]} chữ số",
                        f"code '{code}' is not a number of at most {CODE_WIDTH[field_name]} digits",
                        number, heading[field_name]))
                    code = None
                elif code is None:
                    problems.append(Problem("thiếu mã", "the code is missing", number, heading[field_name]))
                record[field_name] = code
            else:
                text = clean_text(value)
                if not text:
                    problems.append(Problem("thiếu tên", "the name is missing", number, heading[field_name]))
                record[field_name] = text or None
        if era == ERA2025 and any(clean_text(cell(f)) for f in ("district_code", "district_name")):
            column = heading.get("district_code") if clean_text(cell("district_code")) else heading.get(
                "district_name")
            problems.append(Problem(
                f"từ 01/07/2025 không còn cấp huyện, nhưng dòng này ghi huyện (danh mục ngày {dmy(as_of)})",
                f"there are no districts from 1 July 2025, but this row names one (a list of {dmy(as_of)})",
                number, column))
        province = record["province_code"]
        if isinstance(province, str) and province not in provinces:
            problems.append(Problem(
                f"mã tỉnh '{province}' không thuộc các tỉnh của thời kỳ ngày {dmy(as_of)} "
                f"({len(provinces)} tỉnh, thành phố)",
                f"province code '{province}' is not one of the {len(provinces)} provinces of the era of "
                f"{dmy(as_of)}", number, heading["province_code"]))
        unit_type, _ = split_prefix(record["name"] or "", "commune") if record["name"] else (None, "")
        if unit_type is None:
            unit_type = LEVELS.get(header_key(cell("level")))
            if unit_type is None:
                problems.append(Problem(
                    "không xác định được loại đơn vị (tên không bắt đầu bằng Xã/Phường/Thị trấn/Đặc khu, cột Cấp "
                    "trống hoặc lạ)", "the unit's type is unknown (the name has no Xã/Phường/Thị trấn/Đặc khu "
                    "prefix and the Cấp column is blank or unknown)", number, heading.get("level") or heading["name"]))
            elif record["name"]:
                record["name"] = f"{unit_type.capitalize()} {record['name']}"
        record["type"] = unit_type
        if isinstance(record["unit_code"], str):
            rows_of.setdefault(record["unit_code"], []).append(number)
        records.append(record)
    for code, rows in rows_of.items():
        if len(rows) > 1:
            problems.append(Problem(
                f"mã '{code}' trùng ở các dòng {', '.join(map(str, rows))}",
                f"code '{code}' is used on rows {', '.join(map(str, rows))}", rows[1], heading["unit_code"]))
    if not records:
        problems.append(Problem("danh mục không có đơn vị nào", "the list holds no unit", header_index + 1))
    frame = pd.DataFrame(records, columns=[*COLUMNS, "row"])
    problems += _inconsistent_names(frame, heading)
    listed = set(frame.province_code.dropna())
    missing = sorted(set(provinces) - listed)
    if records and missing and not any(p.column == heading["province_code"] for p in problems):
        problems.append(Problem(
            f"thiếu {len(missing)} tỉnh của thời kỳ ngày {dmy(as_of)}: "
            + ", ".join(f"{provinces[c]} ({c})" for c in missing[:10]) + (" ..." if len(missing) > 10 else ""),
            f"{len(missing)} provinces of the era of {dmy(as_of)} are missing: "
            + ", ".join(f"{provinces[c]} ({c})" for c in missing[:10]) + (" ..." if len(missing) > 10 else "")
            + "; a list is national (provinces map exactly between eras)"))
    if problems:
        raise ListRefused(name, sorted(problems, key=lambda p: (p.row or 0)))
    frame = frame.astype(object).where(frame.notna(), None)
    return frame[list(COLUMNS)].sort_values("unit_code").reset_index(drop=True)


def _inconsistent_names(frame: pd.DataFrame, heading: dict[str, str]) -> Iterator[Problem]:
    """A province or district code written with two names: which one is right is not ours to say."""
    for code_col, name_col in (("province_code", "province_name"), ("district_code", "district_name")):
        known = frame[frame[code_col].notna() & frame[name_col].notna()]
        for code, group in known.groupby(code_col):
            names = list(dict.fromkeys(group[name_col]))
            if len(names) > 1:
                first_other = int(group[group[name_col] == names[1]].row.iloc[0])
                yield Problem(f"mã '{code}' có hai tên: '{names[0]}' và '{names[1]}'",
                              f"code '{code}' has two names: '{names[0]}' and '{names[1]}'",
                              first_other, heading.get(name_col))


# --- Storing it as a dated list -----------------------------------------------------------------

def list_file(as_of: date) -> str:
    return f"units_{as_of.isoformat()}.csv.gz"


def report_file(as_of: date) -> str:
    return f"units_{as_of.isoformat()}.changes.csv"


def shadowed_list(as_of: date) -> UnitList | None:
    """The committed or package list an import of ``as_of`` would take the place of (same start)."""
    return next((u for u in unit_lists.unit_lists() if u.origin != "imported" and u.valid_from == as_of), None)


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def clear_caches() -> None:
    """Forget every list and everything computed from them (a new list changes them all)."""
    unit_lists.reload()


@dataclass
class Stored:
    unit_list: UnitList
    replaced_import: bool  # an earlier import of the same date was replaced
    shadowed: UnitList | None  # a list of record it now stands in for (only with --replace)
    path: Path


def store_list(units: pd.DataFrame, source: Path, as_of: date, replace: bool = False) -> Stored:
    """Write ``units`` as the list of ``as_of`` and record it in the manifest; the caches are
    cleared. A list of record (committed or package) of that date is shadowed only with
    ``replace``; an earlier import of that date is replaced. Undone if the list cannot be read back."""
    namesake = next((u for u in unit_lists.unit_lists() if u.origin != "imported"
                     and u.list_id == as_of.isoformat() and u.valid_from != as_of), None)
    if namesake is not None:  # two lists of one name: every message would name the wrong one
        raise ImportNotAllowed(
            f"{namesake.label_vi} ({namesake.source}) mang tên ngày {dmy(as_of)} nhưng áp dụng từ "
            f"{dmy(namesake.valid_from)}; không thể nhập danh mục khác cùng ngày, hãy chọn ngày khác",
            f"{namesake.label_en} ({namesake.source}) bears the date {dmy(as_of)} but is in force from "
            f"{dmy(namesake.valid_from)}; another list of that date cannot be told from it: choose another date")
    shadowed = shadowed_list(as_of)
    if shadowed is not None and not replace:
        raise ImportNotAllowed(
            f"ngày {dmy(as_of)} đã có {shadowed.label_vi} ({shadowed.source}); danh mục đó là căn cứ đã lưu, "
            "chỉ thay bằng --replace",
            f"{shadowed.label_en} ({shadowed.source}) starts on {dmy(as_of)}; it is evidence kept with the "
            "project and is shadowed only with --replace")
    folder = imported_dir()
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / MANIFEST
    before_manifest = manifest.read_bytes() if manifest.exists() else None
    target = folder / list_file(as_of)
    before_list = target.read_bytes() if target.exists() else None
    entries = unit_lists.read_manifest(folder)
    replaced_import = any(e["as_of"] == as_of.isoformat() for e in entries)
    source_bytes = source.read_bytes()
    entry = {"as_of": as_of.isoformat(), "file": target.name, "source_file": source.name,
             "source_sha256": hashlib.sha256(source_bytes).hexdigest(),
             "imported_at": _now().isoformat(timespec="seconds"), "units": len(units)}
    entries = sorted([e for e in entries if e["as_of"] != as_of.isoformat()] + [entry], key=lambda e: e["as_of"])
    buffer = io.BytesIO()
    # mtime=0: the same list gives the same bytes, whenever it is imported.
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as packed:
        packed.write(units[list(COLUMNS)].to_csv(index=False).encode("utf-8"))
    try:
        _write_atomically(target, buffer.getvalue())
        _write_atomically(manifest, (json.dumps({"lists": entries}, ensure_ascii=False, indent=1) + "\n")
                          .encode("utf-8"))
        clear_caches()
        stored = unit_lists.list_by_id(as_of.isoformat())
        read_back = unit_lists.list_units(stored.list_id)
        if len(read_back) != len(units) or set(read_back.unit_code) != set(units.unit_code):
            raise RuntimeError(f"the stored list {target} does not read back as written")
    except BaseException:
        _restore(manifest, before_manifest)
        _restore(target, before_list)
        clear_caches()
        raise
    return Stored(stored, replaced_import, shadowed, target)


def _restore(path: Path, data: bytes | None) -> None:
    if data is None:
        path.unlink(missing_ok=True)
    else:
        _write_atomically(path, data)


def _now():
    from etl.clock import now_vietnam

    return now_vietnam()


# --- What changed -------------------------------------------------------------------------------

@dataclass
class ChangeReport:
    """What the new list changes against the list in force the day before it."""

    previous: UnitList | None
    new: UnitList
    counts: dict[str, int]  # KINDS -> how many units
    details: pd.DataFrame  # REPORT_COLUMNS, one row per unit that changed (or was created)
    provinces: pd.DataFrame  # per province with a change: units in scope before and after, changes
    next_list: UnitList | None = None  # a later list, whose crosswalk now starts from the new one
    path: Path | None = field(default=None)


def change_report(new_id: str) -> ChangeReport:
    """The changes of list ``new_id`` against the list in force on the day before it."""
    new = unit_lists.list_by_id(new_id)
    lists = unit_lists.unit_lists()
    position = [u.list_id for u in lists].index(new_id)
    previous = lists[position - 1] if position else None
    next_list = lists[position + 1] if position + 1 < len(lists) else None
    new_units = unit_lists.list_units(new_id).set_index("unit_code")
    if previous is None:
        walk = pd.DataFrame(columns=reference.CROSSWALK_COLUMNS)
        old_units = pd.DataFrame(columns=list(COLUMNS)).set_index("unit_code")
    else:
        walk = reference.hop(previous.list_id, new_id)
        old_units = unit_lists.list_units(previous.list_id).set_index("unit_code")
    targets = set(walk[walk.relation.isin(["merged_into", "divided"])].to_code.dropna())
    rows = []
    for step in walk.itertuples(index=False):
        old = old_units.loc[step.from_code]
        to_name = new_units.name.get(step.to_code) if isinstance(step.to_code, str) else None
        rows.append({"kind": step.relation, "province_code": step.from_province_code,
                     "province_name": old.province_name, "from_code": step.from_code, "from_name": old["name"],
                     "to_code": step.to_code if isinstance(step.to_code, str) else None, "to_name": to_name,
                     "evidence": step.evidence})
    for code in new_units.index.difference(pd.Index(walk.from_code)):
        unit = new_units.loc[code]
        formed = code in targets
        rows.append({"kind": "formed" if formed else "created", "province_code": unit.province_code,
                     "province_name": unit.province_name, "from_code": None, "from_name": None, "to_code": code,
                     "to_name": unit["name"], "evidence": "units of the earlier list merged into it" if formed
                     else "a code the earlier list does not have, no unit merged into it"})
    report = pd.DataFrame(rows, columns=REPORT_COLUMNS)
    counts = {kind: int((report.kind == kind).sum()) for kind in KINDS}
    order = {kind: i for i, kind in enumerate(KINDS)}
    details = report[report.kind != "same"].sort_values(
        ["province_code", "kind", "from_code", "to_code"], key=lambda s: s.map(order) if s.name == "kind" else s,
        na_position="first").reset_index(drop=True)
    return ChangeReport(previous, new, counts, details, _by_province(previous, new, details), next_list)


def _by_province(previous: UnitList | None, new: UnitList, details: pd.DataFrame) -> pd.DataFrame:
    """Per province with a change: its units in scope in both lists, and how many units changed."""
    def in_scope(unit_list: UnitList | None) -> pd.Series:
        if unit_list is None:
            return pd.Series(dtype=int)
        units = reference.snapshot(unit_list.list_id)
        return units[units.is_in_scope].groupby("province_code").size()

    before, after = in_scope(previous), in_scope(new)
    names = reference.snapshot(new.list_id)
    names = names[names.level == "province"].set_index("unit_code").name
    changed = details.groupby("province_code").size()
    codes = sorted(set(changed.index) | {c for c in set(before.index) | set(after.index)
                                         if before.get(c, 0) != after.get(c, 0)})
    return pd.DataFrame({
        "province_code": codes,
        "province_name": [names.get(c) or details[details.province_code == c].province_name.iloc[0]
                          for c in codes],
        "in_scope_before": [int(before.get(c, 0)) for c in codes],
        "in_scope_after": [int(after.get(c, 0)) for c in codes],
        "units_changed": [int(changed.get(c, 0)) for c in codes],
    })


def write_report(report: ChangeReport, folder: Path) -> Path:
    """The full report (every unit that changed, with its evidence) as CSV beside the stored list."""
    path = folder / report_file(report.new.data_date)
    _write_atomically(path, report.details.to_csv(index=False).encode("utf-8-sig"))
    report.path = path
    return path


# --- The warehouse ------------------------------------------------------------------------------

@dataclass
class WarehouseRefresh:
    lists: int  # lists in ref.unit_list afterwards
    units: int  # commune-level units of the new list there
    published: Path
    resolved_earlier: int  # submissions dated on or after the new list, resolved against an older one


def refresh_warehouse(settings, list_id: str) -> WarehouseRefresh:
    """Rebuild the warehouse's reference side for the lists known now (one transaction, in
    ``ensure_schema``: ref.*, dw.dim_admin_unit, facts re-keyed), rebuild the marts and publish
    the analysts' copy."""
    from etl.load.warehouse import frame, read
    from etl.publish import publish

    published = publish(settings)

    def after(conn) -> WarehouseRefresh:
        lists = frame(conn, "select list_id, units from ref.unit_list")
        mine = lists[lists.list_id == list_id]
        earlier = frame(conn, """select count(*) as n from dw.dim_submission
                                 where status <> 'superseded' and units_date >= cast($day as date)
                                   and unit_list < $list""", {"day": list_id, "list": list_id})
        return WarehouseRefresh(len(lists), int(mine.units.iloc[0]) if len(mine) else 0, published,
                                int(earlier.n.iloc[0]))

    return read(settings.warehouse, after)


# --- The whole import ---------------------------------------------------------------------------

@dataclass
class ImportResult:
    stored: Stored
    report: ChangeReport
    warehouse: WarehouseRefresh | None


def import_units(path: Path, as_of: date, settings, replace: bool = False) -> ImportResult:
    """Read, check, store, report on and (if there is a warehouse) load a new official unit list."""
    units = read_gso_list(path, as_of)
    stored = store_list(units, path, as_of, replace)
    report = change_report(stored.unit_list.list_id)
    write_report(report, stored.path.parent)
    refreshed = refresh_warehouse(settings, stored.unit_list.list_id) if settings.warehouse.exists() else None
    return ImportResult(stored, report, refreshed)
