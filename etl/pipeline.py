"""The night's flow as plain functions: discover -> extract -> validate -> load -> marts -> publish.

The CLI and the Airflow DAG call the same functions; between steps they pass paths and counts.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from etl import load
from etl.config import Settings
from etl.extract import extract_workbook
from etl.extract.sheets import DATASETS, SHEETS, SheetSpec
from etl.facts import BUILDERS
from etl.stage import StagedFile, StagedSubmission, read_stage, write_stage

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
QUARANTINE_COLUMNS = ["row_index", "column_name", "value", "rule", "severity", "message_vi", "message_en"]

# Problems found before the suite runs: the name did not resolve, or a cell could not be read.
_RESOLUTION_MESSAGES = {
    "unknown": ("unit_known",
                "Không tìm thấy đơn vị '{value}' trong danh mục ĐVHC của tỉnh tại thời điểm báo cáo",
                "Unit '{value}' is not in the reference list of its era for this province"),
    "unknown_name_with_code": ("unit_known",
                               "Tên đơn vị '{value}' không khớp danh mục ĐVHC (Mã ĐVHC có ghi nhưng tên khác)",
                               "Unit name '{value}' is not in the reference list (a code is given, the name differs)"),
    "ambiguous": ("unit_unambiguous",
                  "Tên '{value}' trùng với nhiều đơn vị trong tỉnh ({candidates}); ghi rõ huyện hoặc Mã ĐVHC",
                  "Name '{value}' matches several units of the province ({candidates}); give the district or code"),
    "missing_name": ("unit_named",
                     "Dòng có số liệu nhưng không ghi tên đơn vị",
                     "The row has figures but names no unit"),
    "unknown_level": ("level_known",
                      "Cấp khen thưởng '{value}' không thuộc các cấp của mẫu biểu (Bộ Công an, UBND tỉnh, "
                      "Công an tỉnh, cấp huyện, cấp xã)",
                      "Commendation level '{value}' is not one of the template's levels"),
}
_UNREADABLE = ("value_readable", "Ô '{value}' không đọc được thành số hoặc ngày",
               "Cell '{value}' cannot be read as a number or a date")


@dataclass
class FileOutcome:
    """What became of one file (or one submission of it) in a night."""

    file_name: str
    province_code: str | None
    sheet: str | None
    status: str
    reason: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    warnings: int = 0


@dataclass
class NightResult:
    run_id: str
    outcomes: list[FileOutcome] = field(default_factory=list)
    skipped_duplicates: int = 0

    @property
    def rows_quarantined(self) -> int:
        return sum(o.rows_quarantined for o in self.outcomes)

    @property
    def files_rejected(self) -> int:
        return sum(o.status == "rejected" for o in self.outcomes)

    @property
    def exit_code(self) -> int:
        """DESIGN.md: 0 when everything loaded, 3 when a row was quarantined or a file rejected."""
        return 3 if self.rows_quarantined or self.files_rejected else 0


def new_run_id() -> str:
    return datetime.now().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]


def discover(paths: Iterable[Path], warehouse: Path, cutoff: datetime | None = None) -> tuple[list[Path], int]:
    """Workbooks under ``paths`` not taken in yet (by sha256); also how many were already in."""
    from etl.extract.submission import file_identity

    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in WORKBOOK_SUFFIXES)
        elif path.is_file():
            files.append(path)
    seen = load.loaded_hashes(warehouse)
    fresh, duplicates, hashes = [], 0, set()
    for path in files:
        sha, _, received = file_identity(path)
        if cutoff is not None and received > cutoff:
            continue
        if sha in seen or sha in hashes:
            duplicates += 1
            continue
        hashes.add(sha)
        fresh.append(path)
    return fresh, duplicates


def extract_to_stage(path: Path, stage_dir: Path) -> Path:
    """Extract one workbook into ``stage_dir``; returns the staged JSON's path."""
    return write_stage(extract_workbook(Path(path)), Path(stage_dir))


def _pre_suite_failures(rows: pd.DataFrame, spec: SheetSpec) -> list[dict]:
    failures = []
    for index, row in rows.iterrows():
        problem = row["resolve_problem"]
        if isinstance(problem, str) and problem:
            rule, vi, en = _RESOLUTION_MESSAGES[problem]
            value, candidates = row[spec.name_column], row["resolve_candidates"]
            failures.append({"row_index": index, "column_name": spec.name_column, "value": value, "rule": rule,
                             "severity": "error", "message_vi": vi.format(value=value, candidates=candidates),
                             "message_en": en.format(value=value, candidates=candidates)})
        for column in filter(None, str(row["parse_problems"] or "").split(",")):
            value = row.get(f"{column}_raw", "")
            failures.append({"row_index": index, "column_name": column, "value": value, "rule": _UNREADABLE[0],
                             "severity": "error", "message_vi": _UNREADABLE[1].format(value=value),
                             "message_en": _UNREADABLE[2].format(value=value)})
    return failures


def validate_stage(stage_paths: Iterable[Path], out_dir: Path, docs_dir: Path | None = None) -> Path:
    """Validate the night's staged rows, one batch per dataset; write rows and failures.

    Returns ``out_dir`` holding, per dataset, ``<dataset>.rows.parquet`` (every data row) and
    ``<dataset>.failures.parquet`` (one entry per failed rule, by row index), and ``files.json``.
    """
    from etl.validate import validate_rows

    out_dir.mkdir(parents=True, exist_ok=True)
    stage_files = [str(p) for p in stage_paths]
    frames: dict[str, list[pd.DataFrame]] = {dataset: [] for dataset in DATASETS}
    for staged in map(read_stage, map(Path, stage_files)):
        for sub in staged.submissions:
            frames[sub.dataset].append(staged.rows(sub))
    for dataset, spec in DATASETS.items():
        rows = pd.concat(frames[dataset], ignore_index=True) if frames[dataset] else pd.DataFrame()
        failures = _pre_suite_failures(rows, spec) if not rows.empty else []
        blocked = {(f["row_index"], f["column_name"]) for f in failures}
        unresolved = {f["row_index"] for f in failures if f["column_name"] == spec.name_column}
        checkable = rows[~rows.index.isin(list(unresolved))] if not rows.empty else rows
        docs = docs_dir / dataset if docs_dir is not None else None
        for failure in validate_rows(dataset, checkable, docs_dir=docs):
            # An unreadable cell was already reported as such; "missing" would only repeat it.
            if (failure.row_index, failure.column_name) not in blocked:
                failures.append(asdict(failure))
        rows.to_parquet(out_dir / f"{dataset}.rows.parquet", index=True)
        pd.DataFrame(failures, columns=QUARANTINE_COLUMNS).to_parquet(out_dir / f"{dataset}.failures.parquet")
    (out_dir / "files.json").write_text(json.dumps(stage_files, indent=1), encoding="utf-8")
    return out_dir


def _quarantine_frame(rows: pd.DataFrame, failures: pd.DataFrame, severity: str, run_id: str) -> pd.DataFrame:
    picked = failures[failures.severity == severity]
    joined = picked.join(rows[["submission_id", "file_name", "sheet", "row_number"]], on="row_index")
    joined["run_id"] = run_id
    joined["value"] = joined["value"].astype(str)
    return joined[["submission_id", "run_id", "file_name", "sheet", "row_number", "column_name", "value",
                   "rule", "severity", "message_vi", "message_en"]]


def _audit_row(staged: StagedFile, run_id: str, **values: object) -> pd.DataFrame:
    base: dict[str, object] = {"submission_id": staged.sha256[:16], "run_id": run_id, "file_name": staged.file_name,
                               "sha256": staged.sha256, "province_code": None, "sheet": None, "period_start": None,
                               "period_end": None, "received_at": staged.received_at, "status": "rejected",
                               "reason": None, "rows_read": 0, "rows_loaded": 0, "rows_quarantined": 0, "warnings": 0}
    base.update(values)
    return pd.DataFrame([base])


@dataclass
class _Validated:
    """A dataset's rows of the night and their failures, as validate_stage wrote them."""

    rows: pd.DataFrame
    failures: pd.DataFrame

    @classmethod
    def read(cls, folder: Path, dataset: str) -> _Validated:
        rows_path = folder / f"{dataset}.rows.parquet"
        rows = pd.read_parquet(rows_path) if rows_path.exists() else pd.DataFrame()
        failures_path = folder / f"{dataset}.failures.parquet"
        failures = (pd.read_parquet(failures_path) if failures_path.exists()
                    else pd.DataFrame(columns=QUARANTINE_COLUMNS))
        return cls(rows, failures)


def load_validated(validated_dir: Path, warehouse: Path, run_id: str,
                   started_at: datetime | None = None) -> NightResult:
    """Load a validated night, one transaction per submission, files in order of arrival."""
    started_at = started_at or load.now_vietnam()
    result = NightResult(run_id)
    stage_paths = json.loads((validated_dir / "files.json").read_text(encoding="utf-8"))
    data = {dataset: _Validated.read(validated_dir, dataset) for dataset in DATASETS}
    # A correction must replace what it corrects, even when both arrive in one night.
    staged_files = sorted((read_stage(Path(p)) for p in stage_paths), key=lambda f: (f.received_at, f.file_name))
    with load.writer(warehouse) as engine:
        with engine.connect() as conn:
            keys = load.unit_keys(conn)
        for staged in staged_files:
            if staged.rejection_code:
                with engine.begin() as conn:
                    load.insert_frame(conn, "audit.submission", _audit_row(
                        staged, run_id, status="rejected", reason=staged.reason_en))
                result.outcomes.append(FileOutcome(staged.file_name, None, None, "rejected", staged.reason_en))
                continue
            for sub in staged.submissions:
                result.outcomes.append(_load_submission(engine, staged, sub, data[sub.dataset], keys, run_id))
        with engine.begin() as conn:
            load.insert_frame(conn, "audit.run", pd.DataFrame([{
                "run_id": run_id, "started_at": started_at, "finished_at": load.now_vietnam(),
                "files_seen": len(stage_paths), "files_loaded": len({o.file_name for o in result.outcomes
                                                                     if o.status.startswith("loaded")}),
                "files_rejected": len({o.file_name for o in result.outcomes if o.status == "rejected"}),
                "rows_loaded": sum(o.rows_loaded for o in result.outcomes),
                "rows_quarantined": result.rows_quarantined}]))
    return result


def _load_submission(engine, staged: StagedFile, sub: StagedSubmission, data: _Validated, keys: pd.DataFrame,
                     run_id: str) -> FileOutcome:
    """One submission in one transaction: its partition replaced, its audit written."""
    spec = SHEETS[sub.sheet_code]
    mine = data.rows[data.rows.submission_id == sub.submission_id] if not data.rows.empty else data.rows
    failures = data.failures[data.failures.row_index.isin(list(mine.index))]
    error_rows = set(failures.loc[failures.severity == "error", "row_index"])
    good = mine[~mine.index.isin(list(error_rows))]
    quarantine = _quarantine_frame(mine, failures, "error", run_id)
    warns = pd.concat([_quarantine_frame(mine, failures, "warning", run_id),
                       _reconciliation_warnings(staged, sub, run_id)], ignore_index=True)
    outcome = FileOutcome(staged.file_name, sub.province_code, sub.sheet,
                          "loaded" if not error_rows else "loaded_with_errors", None,
                          len(mine), len(good), len(mine) - len(good), len(warns))
    if good.empty:
        # Replacing a partition with nothing would wipe what an earlier report loaded.
        outcome.status, outcome.reason = "rejected", "every data row was rejected"
        outcome.rows_loaded, outcome.rows_quarantined = 0, len(mine)
    with engine.begin() as conn:
        if outcome.status != "rejected":
            _replace_partition(conn, staged, sub, spec, BUILDERS[spec.dataset](good, keys), outcome)
        load.insert_frame(conn, "audit.submission", _audit_row(
            staged, run_id, submission_id=sub.submission_id, province_code=sub.province_code, sheet=sub.sheet,
            period_start=sub.period_start, period_end=sub.period_end, status=outcome.status, reason=outcome.reason,
            rows_read=outcome.rows_read, rows_loaded=outcome.rows_loaded,
            rows_quarantined=outcome.rows_quarantined, warnings=outcome.warnings))
        load.insert_frame(conn, "audit.quarantine", quarantine)
        load.insert_frame(conn, "audit.warning", warns)
    return outcome


def _replace_partition(conn, staged: StagedFile, sub: StagedSubmission, spec: SheetSpec, facts: pd.DataFrame,
                       outcome: FileOutcome) -> None:
    params = {"province_code": sub.province_code, "admin_era": sub.admin_era, "period_start": sub.period_start,
              "template": sub.sheet_code, "submission_id": sub.submission_id,
              "target_deadline": sub.target_deadline}
    with load.registered(conn, "incoming", facts):
        load.run_script(conn, load.sql_file(f"ops/replace_{spec.dataset}_partition.sql"), params)
        load.insert_frame(conn, spec.fact_table, facts)
    if sub.target is not None:
        load.run_script(conn, load.sql_file("ops/replace_id_card_target.sql"), params)
        load.insert_frame(conn, "dw.fact_id_card_target", pd.DataFrame([{
            "submission_id": sub.submission_id, "admin_era": sub.admin_era, "province_code": sub.province_code,
            "target": sub.target, "target_deadline": sub.target_deadline, "stated_on": sub.period_end}]))
    load.insert_frame(conn, "dw.dim_submission", pd.DataFrame([{
        "submission_id": sub.submission_id, "file_name": staged.file_name, "sha256": staged.sha256,
        "sheet": sub.sheet, "template": sub.sheet_code, "province_code": sub.province_code,
        "admin_era": sub.admin_era, "period_start": sub.period_start, "period_end": sub.period_end,
        "as_of_date": sub.as_of_date, "received_at": staged.received_at, "loaded_at": load.now_vietnam(),
        "status": outcome.status}]))
    load.run_script(conn, load.sql_file("ops/mark_superseded.sql").replace("{fact_table}", spec.fact_table), params)


def _reconciliation_warnings(staged: StagedFile, sub: StagedSubmission, run_id: str) -> pd.DataFrame:
    entries = [{
        "submission_id": sub.submission_id, "run_id": run_id, "file_name": staged.file_name, "sheet": sub.sheet,
        "row_number": sub.total_row_number, "column_name": column, "value": f"{stated:g}",
        "rule": "total_matches_rows", "severity": "warning",
        "message_vi": f"Dòng tổng ghi {stated:g} nhưng cộng các dòng được {summed:g}",
        "message_en": f"The total row says {stated:g} but the rows add up to {summed:g}",
    } for column, stated, summed in sub.reconciliation]
    return pd.DataFrame(entries)


def stage_folder(settings: Settings, run_id: str) -> Path:
    """The run's staging folder; Airflow run ids contain ':' and '+', kept out of paths."""
    return settings.staging / "".join(c if c.isalnum() or c in "-_." else "_" for c in run_id)


def refresh_and_publish(settings: Settings) -> Path:
    """Rebuild the marts, then copy the warehouse to the analysts' path."""
    with load.writer(settings.warehouse) as engine, engine.begin() as conn:
        load.refresh_marts(conn)
    return load.publish(settings.warehouse, settings.published)


def run_night(paths: Iterable[Path], settings: Settings, run_id: str | None = None,
              on_file: Callable[[Path], None] | None = None, cutoff: datetime | None = None) -> NightResult:
    """Everything the nightly DAG does, in one process: used by ``cax ingest`` and ``cax demo``."""
    run_id = run_id or new_run_id()
    started_at = load.now_vietnam()
    fresh, duplicates = discover(paths, settings.warehouse, cutoff)
    stage_dir = stage_folder(settings, run_id)
    staged = []
    for path in fresh:
        staged.append(extract_to_stage(path, stage_dir))
        if on_file:
            on_file(path)
    validated = validate_stage(staged, stage_dir / "validated", settings.data_docs)
    result = load_validated(validated, settings.warehouse, run_id, started_at)
    result.skipped_duplicates = duplicates
    refresh_and_publish(settings)
    return result
