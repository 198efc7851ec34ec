"""Staged extracts: what the extract step hands to validation, as files (Parquet and JSON).

Airflow tasks pass paths, not data; the CLI goes through the same files so both run one code
path. One JSON per workbook holds its identity, rejection and submissions' metadata; the data
rows of each submission sit beside it in Parquet.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from etl.extract import WorkbookExtract, rows_frame


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


@dataclass
class StagedFile:
    """One workbook after extraction."""

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
    # Recognised sheets rejected while the file's other sheets load: dicts with sheet,
    # sheet_code, rejection_code, reason_en, reason_vi.
    sheet_rejections: list[dict[str, str]] = field(default_factory=list)

    def rows(self, submission: StagedSubmission) -> pd.DataFrame:
        return pd.read_parquet(submission.rows_path)


def _json_default(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def write_stage(extract: WorkbookExtract, stage_dir: Path) -> Path:
    """Write a workbook's extract under ``stage_dir``; returns the JSON file's path."""
    stage_dir.mkdir(parents=True, exist_ok=True)
    staged = StagedFile(extract.file_name, str(extract.path), extract.sha256, extract.received_at)
    if extract.rejection is not None:
        staged.rejection_code = extract.rejection.code
        staged.province_code = extract.province_code
        if extract.period:
            staged.period_start, staged.period_end = extract.period
        staged.reason_en, staged.reason_vi = extract.rejection.reason_en, extract.rejection.reason_vi
    staged.sheet_rejections = [
        {"sheet": r.sheet_name, "sheet_code": r.sheet_code, "rejection_code": r.problem.code,
         "reason_en": r.problem.reason_en, "reason_vi": r.problem.reason_vi} for r in extract.sheet_rejections]
    for sub in extract.submissions:
        rows_path = stage_dir / f"{sub.submission_id}.parquet"
        rows_frame(extract, sub).to_parquet(rows_path, index=False)
        target, deadline = sub.target or (None, None)
        staged.submissions.append(StagedSubmission(
            sub.submission_id, sub.sheet_code, sub.spec.dataset, sub.sheet_name, sub.province_code, sub.admin_era,
            sub.period_start, sub.period_end, sub.as_of_date, str(rows_path), sub.table.total_row_number,
            sub.reconciliation(), target=target, target_deadline=deadline,
            columns=dict(sub.header.columns) if sub.header else {}, header_row=sub.header_row))
    path = stage_dir / f"{extract.sha256[:16]}.json"
    path.write_text(json.dumps(asdict(staged), default=_json_default, ensure_ascii=False, indent=1),
                    encoding="utf-8")
    return path


def read_stage(path: Path) -> StagedFile:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    subs = []
    for s in data.pop("submissions"):
        for key in ("period_start", "period_end", "as_of_date", "target_deadline"):
            s[key] = date.fromisoformat(s[key]) if s[key] else None
        s["reconciliation"] = [tuple(r) for r in s["reconciliation"]]
        subs.append(StagedSubmission(**s))
    data["received_at"] = datetime.fromisoformat(data["received_at"])
    for key in ("period_start", "period_end"):
        data[key] = date.fromisoformat(data[key]) if data.get(key) else None
    return StagedFile(**data, submissions=subs)
