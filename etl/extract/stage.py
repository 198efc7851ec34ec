"""Staged extracts: what the extract stage hands on, as files (Parquet and JSON).

Airflow tasks pass paths, not data; the CLI goes through the same files so both run one code
path. One JSON per workbook holds its identity, rejection and submissions' metadata; beside it,
each submission's data rows in Parquet and its sheet's cells in JSON (for the feedback workbook,
so that no later stage reopens a landing file outside the sandbox).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from etl.discover import DiscoveredFile, Discovery
from etl.extract.errors import DuplicateFile, RejectedFile, file_problem
from etl.extract.submission import WorkbookExtract, rows_frame, submission_id
from etl.extract.values import copy_value
from etl.extract.workbook import Sheet


@dataclass
class StagedSheet:
    """A later sheet whose rows joined a submission (a table continued), staged for feedback."""

    sheet: str
    cells_path: str
    columns: dict[str, int]
    header_row: int  # 1-based; 1 for a sheet of rows without a header
    sheet_position: int


@dataclass
class StagedSubmission:
    submission_id: str
    sheet_code: str
    dataset: str
    sheet: str
    province_code: str
    admin_era: str
    period_start: date
    period_end: date
    as_of_date: date | None
    rows_path: str
    total_row_number: int | None
    reconciliation: list[tuple[str, float | None, float]]
    target: int | None = None
    target_deadline: date | None = None
    columns: dict[str, int] = field(default_factory=dict)  # our column -> 0-based sheet column
    header_row: int = 0  # 1-based row of the (first) header row
    cells_path: str = ""  # the sheet's cells, as copy_value gives them
    sheet_position: int = 0
    total_sheet: str = ""  # the sheet of the total row, when not ``sheet``
    continuations: list[StagedSheet] = field(default_factory=list)
    unit_list: str = ""  # id of the unit list its units were resolved against
    units_date: date | None = None  # the date that chose that list
    before_oldest_list: bool = False  # dated before every list: the oldest was used

    def sheets(self) -> list[StagedSubmission]:
        """The submission's sheets, each as a submission of that sheet alone (for feedback): its
        own sheet first, then the sheets its table continued on."""
        return [self, *(replace(self, sheet=c.sheet, cells_path=c.cells_path, columns=dict(c.columns),
                                header_row=c.header_row, sheet_position=c.sheet_position, continuations=[])
                        for c in self.continuations)]


@dataclass
class SheetRejection:
    """A recognised sheet rejected while the file's other sheets load."""

    submission_id: str
    sheet: str
    sheet_code: str
    rejection_code: str
    reason_en: str
    reason_vi: str
    province_code: str | None = None  # as its title block names them, when it does
    period_start: date | None = None
    period_end: date | None = None


@dataclass
class StagedFile:
    """One workbook after extraction."""

    submission_id: str  # of the file as a whole: its record when it is rejected whole
    file_name: str
    path: str
    sha256: str
    received_at: datetime
    rejection_code: str | None = None
    province_code: str | None = None
    period_start: date | None = None  # of a file rejected whole, when its month is known
    period_end: date | None = None
    reason_en: str | None = None
    reason_vi: str | None = None
    submissions: list[StagedSubmission] = field(default_factory=list)
    sheet_rejections: list[SheetRejection] = field(default_factory=list)

    def rows(self, submission: StagedSubmission) -> pd.DataFrame:
        return pd.read_parquet(submission.rows_path)


def read_cells(submission: StagedSubmission) -> list[list[float | str | None]]:
    """The staged cells of a submission's sheet: ``cells[r][c]`` is Excel row r+1, column c+1."""
    return json.loads(Path(submission.cells_path).read_text(encoding="utf-8"))


def _cells(sheet: Sheet) -> list[list[float | str | None]]:
    rows = []
    for values in sheet.grid:
        row = [copy_value(v) for v in values]
        while row and row[-1] is None:
            row.pop()
        rows.append(row)
    return rows


def _write_cells(sheet: Sheet, path: Path) -> None:
    path.write_text(json.dumps(_cells(sheet), ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _json_default(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def stage_key(file: DiscoveredFile) -> str:
    """The name of a file's stage within its night's folder: its content and its path. Content alone
    is not enough: byte-identical copies (duplicates) and a file whose bytes changed into another's
    would overwrite each other's stage; two files of one folder never share a path."""
    where = hashlib.sha256(str(file.path).encode("utf-8", "surrogateescape")).hexdigest()
    return f"{file.sha256[:16]}-{where[:12]}"


def rejection_id(sha256: str, file_name: str, sheet_code: str | None = None) -> str:
    """The id of a rejection's record (a file rejected whole, a duplicate, a sheet rejected alone):
    the submission's id and a short hash of the file's name. The same bytes may be rejected, or
    recorded as a duplicate, under several names on several nights, each its own record: an id of
    the bytes alone would make recording one delete the others. A loaded submission keeps the id of
    its bytes and sheet (``submission_id``), which a correction's supersession relies on."""
    name = hashlib.sha256(file_name.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return f"{submission_id(sha256, sheet_code)}-{name}"


def write_stage(extract: WorkbookExtract, stage_dir: Path) -> Path:
    """Write a workbook's extract under ``stage_dir`` (the night's); returns the JSON file's path."""
    stage_dir.mkdir(parents=True, exist_ok=True)
    key = stage_key(extract.file)
    staged = StagedFile(rejection_id(extract.sha256, extract.file_name), extract.file_name, str(extract.path),
                        extract.sha256, extract.received_at)
    if extract.rejection is not None:
        staged.rejection_code = extract.rejection.code
        staged.province_code = extract.province_code
        if extract.period:
            staged.period_start, staged.period_end = extract.period
        staged.reason_en, staged.reason_vi = extract.rejection.reason_en, extract.rejection.reason_vi
    staged.sheet_rejections = [
        SheetRejection(rejection_id(extract.sha256, extract.file_name, r.sheet_code), r.sheet_name, r.sheet_code,
                       r.problem.code, r.problem.reason_en, r.problem.reason_vi, r.province_code,
                       *(r.period or (None, None)))
        for r in extract.sheet_rejections]
    for sub in extract.submissions:
        rows_path = stage_dir / f"{key}-{sub.sheet_code}.parquet"
        rows_frame(extract, sub).to_parquet(rows_path, index=False)
        cells_path = stage_dir / f"{key}-{sub.sheet_code}.cells.json"
        if sub.sheet is not None:
            _write_cells(sub.sheet, cells_path)
        continuations = []
        for number, more in enumerate(sub.continuations, start=2):
            more_path = stage_dir / f"{key}-{sub.sheet_code}.{number}.cells.json"
            _write_cells(more.sheet, more_path)
            continuations.append(StagedSheet(more.sheet.name, str(more_path), dict(more.header.columns),
                                             more.header.first_row + 1, more.position))
        target, deadline = sub.target or (None, None)
        staged.submissions.append(StagedSubmission(
            sub.submission_id, sub.sheet_code, sub.spec.dataset, sub.sheet_name, sub.province_code, sub.admin_era,
            sub.period_start, sub.period_end, sub.as_of_date, str(rows_path), sub.table.total_row_number,
            sub.reconciliation(), target=target, target_deadline=deadline,
            columns=dict(sub.header.columns) if sub.header else {}, header_row=sub.header_row,
            cells_path=str(cells_path) if sub.sheet is not None else "", sheet_position=sub.sheet_position,
            total_sheet=sub.total_sheet or "", continuations=continuations, unit_list=sub.unit_list,
            units_date=sub.units_date, before_oldest_list=sub.before_oldest_list))
    path = stage_dir / f"{key}.json"
    # ASCII escapes: a path whose name is not UTF-8 holds surrogates, which only they carry through.
    path.write_text(json.dumps(asdict(staged), default=_json_default, indent=1), encoding="ascii")
    return path


def stage_rejected(file: DiscoveredFile, rejection: RejectedFile, stage_dir: Path) -> Path:
    """Stage a file rejected whole without reading it (a duplicate, a reader that died)."""
    return write_stage(WorkbookExtract(file, rejection=rejection), stage_dir)


DISCOVERY_FOLDER = "discovery"


def stage_discovered(found: Discovery, stage_dir: Path) -> list[Path]:
    """Stage, without reading them, the files discovery settles alone: byte-identical copies of files
    already taken in (recorded once each as duplicates) and files that could not be read (rejected
    with the reason). In a folder of their own, which later stages find with ``staged_discovered``."""
    folder = stage_dir / DISCOVERY_FOLDER
    duplicates = [stage_rejected(file, DuplicateFile(f"byte-identical to '{original}', already taken in: skipped",
                                                     f"tệp giống hệt tệp '{original}' đã nhận trước đó: bỏ qua"),
                                 folder)
                  for file, original in found.duplicates]
    return duplicates + [stage_rejected(file, file_problem(error), folder) for file, error in found.unreadable]


def staged_discovered(stage_dir: Path) -> list[Path]:
    """The files stage_discovered wrote into ``stage_dir``."""
    return sorted((stage_dir / DISCOVERY_FOLDER).glob("*.json"))


def read_stage(path: Path) -> StagedFile:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    subs = []
    for s in data.pop("submissions"):
        for key in ("period_start", "period_end", "as_of_date", "target_deadline", "units_date"):
            s[key] = date.fromisoformat(s[key]) if s.get(key) else None
        s["reconciliation"] = [tuple(r) for r in s["reconciliation"]]
        s["continuations"] = [StagedSheet(**c) for c in s.get("continuations", [])]
        subs.append(StagedSubmission(**s))
    rejections = []
    for r in data.pop("sheet_rejections"):
        for key in ("period_start", "period_end"):
            r[key] = date.fromisoformat(r[key]) if r.get(key) else None
        rejections.append(SheetRejection(**r))
    data["received_at"] = datetime.fromisoformat(data["received_at"])
    for key in ("period_start", "period_end"):
        data[key] = date.fromisoformat(data[key]) if data.get(key) else None
    return StagedFile(**data, submissions=subs, sheet_rejections=rejections)
