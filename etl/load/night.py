"""Load a validated night: one transaction per submission, files in order of arrival.

A submission's transaction deletes its partition (province, sheet and month; or province and day
for the daily sheet), inserts its fact rows, and records its audit: the submission, its
quarantined rows and its warnings. A file is recorded in audit.file only after all its
submissions, so a loader killed half-way takes the file in again the next night, idempotently.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from etl.clock import now_vietnam
from etl.extract.errors import TRANSIENT
from etl.extract.sheets import DATASETS, SHEETS, SheetSpec
from etl.extract.stage import StagedFile, StagedSubmission, read_stage
from etl.load.facts import BUILDERS
from etl.load.warehouse import insert_frame, insert_row, registered, run_script, sql_file, unit_keys, writer


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
    already_taken_in: int = 0
    feedback: list[Path] = field(default_factory=list)

    @property
    def rows_quarantined(self) -> int:
        return sum(o.rows_quarantined for o in self.outcomes)

    @property
    def files_rejected(self) -> int:
        return sum(o.status == "rejected" for o in self.outcomes)

    @property
    def exit_code(self) -> int:
        """0 when everything loaded, 3 when a row was quarantined or a file rejected."""
        return 3 if self.rows_quarantined or self.files_rejected else 0


@dataclass
class _Batch:
    """One submission's share of the night: counts, fact rows, quarantine and warning entries."""

    rows_read: int = 0
    rows_loaded: int = 0
    facts: pd.DataFrame | None = None
    quarantine: pd.DataFrame | None = None
    warnings: pd.DataFrame | None = None


def _entries(rows: pd.DataFrame, failures: pd.DataFrame, severity: str, run_id: str) -> pd.DataFrame:
    """Failures of one severity as audit.quarantine / audit.warning rows."""
    picked = failures[failures.severity == severity]
    joined = picked.join(rows[["submission_id", "file_name", "sheet", "row_number"]], on="row_index")
    joined["run_id"] = run_id
    joined["value"] = joined["value"].astype(str)
    return joined[["submission_id", "run_id", "file_name", "sheet", "row_number", "column_name", "value",
                   "rule", "severity", "message_vi", "message_en"]]


def _by_submission(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    if frame.empty:
        return {}
    return {str(key): group for key, group in frame.groupby("submission_id", sort=False)}


def _prepare(folder: Path, spec: SheetSpec, keys: pd.DataFrame, run_id: str) -> dict[str, _Batch]:
    """A dataset's validated rows split by submission, fact rows built for the whole night at once."""
    rows_path = folder / f"{spec.dataset}.rows.parquet"
    rows = pd.read_parquet(rows_path) if rows_path.exists() else pd.DataFrame()
    if rows.empty:
        return {}
    failures = pd.read_parquet(folder / f"{spec.dataset}.failures.parquet")
    errors = set(failures.loc[failures.severity == "error", "row_index"])
    good = rows[~rows.index.isin(list(errors))]
    batches: dict[str, _Batch] = {}
    for key, count in rows.submission_id.value_counts(sort=False).items():
        batches[str(key)] = _Batch(rows_read=int(count))
    for key, count in good.submission_id.value_counts(sort=False).items():
        batches[str(key)].rows_loaded = int(count)
    for key, facts in _by_submission(BUILDERS[spec.dataset](good, keys) if not good.empty else good).items():
        batches[key].facts = facts
    for key, entries in _by_submission(_entries(rows, failures, "error", run_id)).items():
        batches[key].quarantine = entries
    for key, entries in _by_submission(_entries(rows, failures, "warning", run_id)).items():
        batches[key].warnings = entries
    return batches


def _add_total_warnings(folder: Path, batches: dict[str, _Batch], run_id: str) -> None:
    """Warnings of total rows that do not add up join their submission's warnings."""
    totals = pd.read_parquet(folder / "totals.parquet")
    totals.insert(1, "run_id", run_id)
    for key, entries in _by_submission(totals).items():
        batch = batches.setdefault(key, _Batch())
        batch.warnings = entries if batch.warnings is None else pd.concat([batch.warnings, entries],
                                                                          ignore_index=True)


def _audit_row(staged: StagedFile, run_id: str, **values: object) -> dict[str, object]:
    base: dict[str, object] = {
        "submission_id": staged.submission_id, "run_id": run_id, "file_name": staged.file_name,
        "sha256": staged.sha256, "province_code": None, "sheet": None, "template": None, "period_start": None,
        "period_end": None, "received_at": staged.received_at, "status": "rejected", "reason": None,
        "rows_read": 0, "rows_loaded": 0, "rows_quarantined": 0, "warnings": 0}
    base.update(values)
    return base


def load_validated(validated_dir: Path, warehouse: Path, run_id: str,
                   started_at: datetime | None = None) -> NightResult:
    """Load a validated night, one transaction per submission, files in order of arrival."""
    started_at = started_at or now_vietnam()
    result = NightResult(run_id)
    stage_paths = json.loads((validated_dir / "files.json").read_text(encoding="utf-8"))
    # A correction must replace what it corrects, even when both arrive in one night.
    staged_files = sorted((read_stage(Path(p)) for p in stage_paths), key=lambda f: (f.received_at, f.file_name))
    # One connection for the night (opening one costs ~17 ms); one transaction per submission.
    with writer(warehouse) as engine, engine.connect() as conn:
        keys = unit_keys(conn)
        conn.commit()
        batches: dict[str, _Batch] = {}
        for spec in DATASETS.values():
            batches.update(_prepare(validated_dir, spec, keys, run_id))
        _add_total_warnings(validated_dir, batches, run_id)
        # Files recorded for good; one rejected for a passing reason (a busy machine) is read again.
        known = {(sha, name) for sha, name, code in conn.exec_driver_sql(
            "select sha256, file_name, rejection_code from audit.file").fetchall() if code not in TRANSIENT}
        # Submissions an interrupted load recorded: only these need forgetting before a reload.
        recorded = {r[0] for r in conn.exec_driver_sql("select submission_id from audit.submission").fetchall()}
        conn.commit()
        for staged in staged_files:
            if (staged.sha256, staged.file_name) in known:
                result.already_taken_in += 1  # another loader took it in while this one waited
                continue
            result.outcomes += _load_file(conn, staged, batches, run_id, recorded)
        with conn.begin():
            _record_run(conn, {
                "run_id": run_id, "started_at": started_at, "finished_at": now_vietnam(),
                "files_seen": len(stage_paths), "files_loaded": len({o.file_name for o in result.outcomes
                                                                     if o.status.startswith("loaded")}),
                "files_rejected": len({o.file_name for o in result.outcomes if o.status == "rejected"}),
                "rows_loaded": sum(o.rows_loaded for o in result.outcomes),
                "rows_quarantined": result.rows_quarantined})
    return result


_RUN_COUNTS = ("files_seen", "files_loaded", "files_rejected", "rows_loaded", "rows_quarantined")


def _record_run(conn: sa.Connection, row: dict[str, object]) -> None:
    """Record the run in audit.run. A run loaded again under the same id (Airflow reruns a cleared
    run or a backfill with --reprocess-behavior under its run id) keeps its first start and adds
    this attempt's counts: what it loaded the first time stays counted, once."""
    columns = ", ".join(row)
    counts = ", ".join(f"{c} = audit.run.{c} + excluded.{c}" for c in _RUN_COUNTS)
    conn.exec_driver_sql(
        f"insert into audit.run ({columns}) values ({', '.join(f'${c}' for c in row)}) "
        f"on conflict (run_id) do update set finished_at = excluded.finished_at, {counts}", dict(row))


def _load_file(conn: sa.Connection, staged: StagedFile, batches: dict[str, _Batch], run_id: str,
               recorded: set[str]) -> list[FileOutcome]:
    """A file's submissions, each in its transaction; the file is recorded last."""
    if staged.rejection_code:
        status = "duplicate" if staged.rejection_code == "duplicate" else "rejected"
        with conn.begin():
            _forget(conn, staged.submission_id, recorded)
            insert_row(conn, "audit.submission", _audit_row(
                staged, run_id, status=status, reason=staged.reason_en, province_code=staged.province_code,
                period_start=staged.period_start, period_end=staged.period_end))
            _record_file(conn, staged, run_id, status)
        return [FileOutcome(staged.file_name, staged.province_code, None, status, staged.reason_en)]
    outcomes = []
    for rejected in staged.sheet_rejections:
        with conn.begin():
            _forget(conn, rejected.submission_id, recorded)
            insert_row(conn, "audit.submission", _audit_row(
                staged, run_id, submission_id=rejected.submission_id, sheet=rejected.sheet,
                template=rejected.sheet_code, status="rejected", reason=rejected.reason_en,
                province_code=rejected.province_code, period_start=rejected.period_start,
                period_end=rejected.period_end))
        outcomes.append(FileOutcome(staged.file_name, rejected.province_code, rejected.sheet, "rejected",
                                    rejected.reason_en))
    for sub in staged.submissions:
        outcomes.append(_load_submission(conn, staged, sub, batches.get(sub.submission_id, _Batch()), run_id,
                                         recorded))
    # Last: a loader killed before this line leaves the file to be taken in again.
    with conn.begin():
        _record_file(conn, staged, run_id, "loaded" if staged.submissions else "rejected")
    return outcomes


def _forget(conn: sa.Connection, submission_id: str, recorded: set[str]) -> None:
    """Remove what an interrupted earlier load recorded of this submission, so loading it again
    writes each record once (facts are replaced by the partition anyway)."""
    if submission_id not in recorded:
        return
    for table in ("audit.submission", "audit.quarantine", "audit.warning", "dw.dim_submission"):
        conn.exec_driver_sql(f"delete from {table} where submission_id = $id", {"id": submission_id})


def _record_file(conn: sa.Connection, staged: StagedFile, run_id: str, status: str) -> None:
    conn.exec_driver_sql("delete from audit.file where sha256 = $sha and file_name = $name",
                         {"sha": staged.sha256, "name": staged.file_name})
    province = staged.province_code or next((s.province_code for s in staged.submissions), None)
    insert_row(conn, "audit.file", {
        "sha256": staged.sha256, "file_name": staged.file_name, "province_code": province,
        "received_at": staged.received_at, "run_id": run_id, "status": status, "taken_in_at": now_vietnam(),
        "rejection_code": staged.rejection_code})


def _load_submission(conn: sa.Connection, staged: StagedFile, sub: StagedSubmission, batch: _Batch, run_id: str,
                     recorded: set[str]) -> FileOutcome:
    """One submission in one transaction: its partition replaced, its audit written."""
    warns = batch.warnings if batch.warnings is not None else pd.DataFrame()
    quarantined = batch.rows_read - batch.rows_loaded
    outcome = FileOutcome(staged.file_name, sub.province_code, sub.sheet,
                          "loaded" if not quarantined else "loaded_with_errors", None,
                          batch.rows_read, batch.rows_loaded, quarantined, len(warns))
    if quarantined:
        outcome.reason = f"{quarantined} data row(s) quarantined (see audit.quarantine); the others loaded"
    if batch.facts is None or batch.facts.empty:
        # Replacing a partition with nothing would wipe what an earlier report loaded.
        outcome.status, outcome.reason = "rejected", "every data row was rejected"
        outcome.rows_loaded, outcome.rows_quarantined = 0, batch.rows_read
    with conn.begin():
        _forget(conn, sub.submission_id, recorded)
        if outcome.status != "rejected":
            assert batch.facts is not None
            _replace_partition(conn, staged, sub, SHEETS[sub.sheet_code], batch.facts, outcome)
        insert_row(conn, "audit.submission", _audit_row(
            staged, run_id, submission_id=sub.submission_id, province_code=sub.province_code, sheet=sub.sheet,
            template=sub.sheet_code, period_start=sub.period_start, period_end=sub.period_end,
            status=outcome.status, reason=outcome.reason, rows_read=outcome.rows_read,
            rows_loaded=outcome.rows_loaded, rows_quarantined=outcome.rows_quarantined, warnings=outcome.warnings))
        if batch.quarantine is not None:
            insert_frame(conn, "audit.quarantine", batch.quarantine)
        insert_frame(conn, "audit.warning", warns)
    return outcome


def _replace_partition(conn: sa.Connection, staged: StagedFile, sub: StagedSubmission, spec: SheetSpec,
                       facts: pd.DataFrame, outcome: FileOutcome) -> None:
    params = {"province_code": sub.province_code, "admin_era": sub.admin_era, "period_start": sub.period_start,
              "template": sub.sheet_code, "submission_id": sub.submission_id,
              "target_deadline": sub.target_deadline, "file_name": staged.file_name,
              "received_at": staged.received_at}
    with registered(conn, "incoming", facts):
        run_script(conn, sql_file(f"ops/replace_{spec.dataset}_partition.sql"), params)
        columns = ", ".join(f'"{c}"' for c in facts.columns)
        conn.exec_driver_sql(f"insert into {spec.fact_table} ({columns}) select {columns} from incoming")
    if sub.target is not None:
        run_script(conn, sql_file("ops/replace_id_card_target.sql"), params)
        insert_row(conn, "dw.fact_id_card_target", {
            "submission_id": sub.submission_id, "admin_era": sub.admin_era, "province_code": sub.province_code,
            "target": sub.target, "target_deadline": sub.target_deadline, "stated_on": sub.period_end})
    insert_row(conn, "dw.dim_submission", {
        "submission_id": sub.submission_id, "file_name": staged.file_name, "sha256": staged.sha256,
        "sheet": sub.sheet, "template": sub.sheet_code, "province_code": sub.province_code,
        "admin_era": sub.admin_era, "period_start": sub.period_start, "period_end": sub.period_end,
        "as_of_date": sub.as_of_date, "received_at": staged.received_at, "loaded_at": now_vietnam(),
        "status": outcome.status, "unit_list": sub.unit_list or None, "units_date": sub.units_date})
    run_script(conn, sql_file("ops/mark_superseded.sql").replace("{fact_table}", spec.fact_table), params)
