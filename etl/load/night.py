"""Load a validated night in batches of whole files, files in order of arrival: one transaction per batch.

A batch (at most ``CAX_LOAD_BATCH_FILES`` files and about ``BATCH_ROWS`` data rows) does per dataset
one delete of the partitions its submissions replace and one insert of their fact rows, one insert
into each audit table, dw.dim_submission and dw.fact_id_card_target, and marks superseded once per
dataset, over the partitions it touched (warehouse/ops/). The result is that of loading the
submissions one by one in order of arrival: within a batch too, a later submission of a partition
replaces an earlier one's rows. A file is recorded in audit.file in the transaction of its batch, so
a loader killed half-way leaves each file whole or absent, and the next night takes the absent ones
in again, idempotently.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from etl.clock import now_vietnam
from etl.config import load_batch_files
from etl.extract.errors import TRANSIENT
from etl.extract.sheets import DATASETS
from etl.extract.stage import StagedFile, StagedSubmission, read_stage
from etl.load.facts import BUILDERS
from etl.load.warehouse import insert_frame, registered, run_script, sql_file, unit_keys, writer

# Each dataset's partition replacement (warehouse/ops/); sheets 02 and 04 share theirs: (province, month).
REPLACE_PARTITIONS = {"commune_staffing": "replace_commune_staffing_partitions.sql",
                      "security_activity": "replace_month_partitions.sql",
                      "id_card_applications": "replace_id_card_applications_partitions.sql",
                      "commendation": "replace_month_partitions.sql"}
# A batch closes before a file that would take it past this many data rows (a file alone may have more):
# the batch's frames stay a few tens of MB, and a transaction this size commits in well under a second.
BATCH_ROWS = 100_000


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


class _BySubmission:
    """A frame's rows found by submission, for taking a batch's at once (no frame per submission:
    a year's backfill has tens of thousands)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame.reset_index(drop=True)
        self.at: dict[str, np.ndarray] = ({str(k): v for k, v in frame.groupby("submission_id", sort=False).indices
                                           .items()} if not frame.empty else {})

    def count(self, submission_id: str) -> int:
        return len(self.at.get(submission_id, ()))

    def take(self, submission_ids: Iterable[str]) -> pd.DataFrame:
        """The rows of these submissions, each submission's in its order, in the order given."""
        found = [self.at[key] for key in submission_ids if key in self.at]
        return self.frame.iloc[np.concatenate(found)] if found else self.frame.iloc[:0]


@dataclass
class _NightRows:
    """The night's validated rows, read once: per submission its counts, and by dataset its fact rows;
    the quarantine and warning entries of every dataset."""

    rows_read: dict[str, int]
    rows_loaded: dict[str, int]
    facts: dict[str, _BySubmission]
    quarantine: _BySubmission
    warnings: _BySubmission


def _entries(rows: pd.DataFrame, failures: pd.DataFrame, severity: str, run_id: str) -> pd.DataFrame:
    """Failures of one severity as audit.quarantine / audit.warning rows."""
    picked = failures[failures.severity == severity]
    joined = picked.join(rows[["submission_id", "file_name", "sheet", "row_number"]], on="row_index")
    joined["run_id"] = run_id
    joined["value"] = joined["value"].astype(str)
    return joined[["submission_id", "run_id", "file_name", "sheet", "row_number", "column_name", "value",
                   "rule", "severity", "message_vi", "message_en"]]


def _counts(column: pd.Series) -> dict[str, int]:
    return {str(key): int(count) for key, count in column.value_counts(sort=False).items()}


def _read_night(folder: Path, keys: pd.DataFrame, run_id: str) -> _NightRows:
    """Every dataset's validated rows: fact rows built for the whole night at once, entries of each
    failure, and the warnings of total rows that do not add up."""
    read: dict[str, int] = {}
    loaded: dict[str, int] = {}
    facts: dict[str, _BySubmission] = {}
    quarantine, warnings = [], []
    for spec in DATASETS.values():
        rows_path = folder / f"{spec.dataset}.rows.parquet"
        rows = pd.read_parquet(rows_path) if rows_path.exists() else pd.DataFrame()
        if rows.empty:
            continue
        failures = pd.read_parquet(folder / f"{spec.dataset}.failures.parquet")
        errors = set(failures.loc[failures.severity == "error", "row_index"])
        good = rows[~rows.index.isin(list(errors))]
        read.update(_counts(rows.submission_id))
        loaded.update(_counts(good.submission_id))
        if not good.empty:
            facts[spec.dataset] = _BySubmission(BUILDERS[spec.dataset](good, keys))
        quarantine.append(_entries(rows, failures, "error", run_id))
        warnings.append(_entries(rows, failures, "warning", run_id))
    totals = pd.read_parquet(folder / "totals.parquet")
    totals.insert(1, "run_id", run_id)
    # A submission's warnings: those of its rows, then those of its total row.
    warnings.append(totals)
    return _NightRows(read, loaded, facts, _BySubmission(_concat(quarantine)), _BySubmission(_concat(warnings)))


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({"submission_id": []})


def _audit_row(staged: StagedFile, run_id: str, **values: object) -> dict[str, object]:
    base: dict[str, object] = {
        "submission_id": staged.submission_id, "run_id": run_id, "file_name": staged.file_name,
        "sha256": staged.sha256, "province_code": None, "sheet": None, "template": None, "period_start": None,
        "period_end": None, "received_at": staged.received_at, "status": "rejected", "reason": None,
        "rows_read": 0, "rows_loaded": 0, "rows_quarantined": 0, "warnings": 0}
    base.update(values)
    return base


@dataclass
class _Loaded:
    """A submission that replaces its partitions: its place in the night's order and its records."""

    seq: int
    staged: StagedFile
    sub: StagedSubmission
    status: str


@dataclass
class _Batch:
    """Whole files of the night, in order of arrival, loaded in one transaction."""

    files: list[StagedFile] = field(default_factory=list)
    rows: int = 0
    ids: set[str] = field(default_factory=set)
    names: set[tuple[str, str]] = field(default_factory=set)
    outcomes: list[FileOutcome] = field(default_factory=list)
    audit: list[dict[str, object]] = field(default_factory=list)
    loaded: list[_Loaded] = field(default_factory=list)
    entries: list[str] = field(default_factory=list)  # submissions whose quarantine and warnings are recorded


def _ids(staged: StagedFile) -> list[str]:
    """Every submission id a file records in audit.submission."""
    if staged.rejection_code:
        return [staged.submission_id]
    return [r.submission_id for r in staged.sheet_rejections] + [s.submission_id for s in staged.submissions]


def _batches(files: list[StagedFile], night: _NightRows, recorded: set[str], size: int) -> Iterator[_Batch]:
    """The files in batches, in order of arrival. A batch closes at ``size`` files or ``BATCH_ROWS`` rows;
    before a file whose records one already in the batch would replace (the same submission id, or the
    same bytes and name), so the batch's records are those of loading the files one by one; and before a
    file an interrupted load recorded a submission of: what is forgotten of it, the batch forgets first."""
    batch = _Batch()
    for staged in files:
        ids = _ids(staged)
        rows = sum(night.rows_read.get(s.submission_id, 0) for s in staged.submissions)
        if batch.files and (len(batch.files) >= size or batch.rows + rows > BATCH_ROWS
                            or not batch.ids.isdisjoint(ids) or (staged.sha256, staged.file_name) in batch.names
                            or any(s.submission_id in recorded for s in staged.submissions)):
            yield batch
            batch = _Batch()
        batch.files.append(staged)
        batch.rows += rows
        batch.ids.update(ids)
        batch.names.add((staged.sha256, staged.file_name))
    if batch.files:
        yield batch


def _file_status(staged: StagedFile) -> str:
    """duplicate or rejected for a file rejected whole; else loaded when a sheet of it was read."""
    if staged.rejection_code:
        return "duplicate" if staged.rejection_code == "duplicate" else "rejected"
    return "loaded" if staged.submissions else "rejected"


def _plan(batch: _Batch, night: _NightRows, run_id: str, seq: int) -> int:
    """A batch's outcomes and audit records, as loading its files one by one makes them; returns the
    next submission's place in the night."""
    for staged in batch.files:
        if staged.rejection_code:
            status = _file_status(staged)
            batch.audit.append(_audit_row(staged, run_id, status=status, reason=staged.reason_en,
                                          province_code=staged.province_code, period_start=staged.period_start,
                                          period_end=staged.period_end))
            batch.outcomes.append(FileOutcome(staged.file_name, staged.province_code, None, status, staged.reason_en))
            continue
        for rejected in staged.sheet_rejections:
            batch.audit.append(_audit_row(
                staged, run_id, submission_id=rejected.submission_id, sheet=rejected.sheet,
                template=rejected.sheet_code, status="rejected", reason=rejected.reason_en,
                province_code=rejected.province_code, period_start=rejected.period_start,
                period_end=rejected.period_end))
            batch.outcomes.append(FileOutcome(staged.file_name, rejected.province_code, rejected.sheet, "rejected",
                                              rejected.reason_en))
        for sub in staged.submissions:
            outcome = _outcome(staged, sub, night)
            batch.outcomes.append(outcome)
            batch.entries.append(sub.submission_id)
            if outcome.status != "rejected":
                batch.loaded.append(_Loaded(seq, staged, sub, outcome.status))
                seq += 1
            batch.audit.append(_audit_row(
                staged, run_id, submission_id=sub.submission_id, province_code=sub.province_code, sheet=sub.sheet,
                template=sub.sheet_code, period_start=sub.period_start, period_end=sub.period_end,
                status=outcome.status, reason=outcome.reason, rows_read=outcome.rows_read,
                rows_loaded=outcome.rows_loaded, rows_quarantined=outcome.rows_quarantined,
                warnings=outcome.warnings))
    return seq


def _outcome(staged: StagedFile, sub: StagedSubmission, night: _NightRows) -> FileOutcome:
    read, loaded = night.rows_read.get(sub.submission_id, 0), night.rows_loaded.get(sub.submission_id, 0)
    quarantined = read - loaded
    outcome = FileOutcome(staged.file_name, sub.province_code, sub.sheet,
                          "loaded" if not quarantined else "loaded_with_errors", None,
                          read, loaded, quarantined, night.warnings.count(sub.submission_id))
    if quarantined:
        outcome.reason = f"{quarantined} data row(s) quarantined (see audit.quarantine); the others loaded"
    facts = night.facts.get(sub.dataset)
    if facts is None or not facts.count(sub.submission_id):
        # Replacing a partition with nothing would wipe what an earlier report loaded.
        outcome.status, outcome.reason = "rejected", "every data row was rejected"
        outcome.rows_loaded, outcome.rows_quarantined = 0, read
    return outcome


def load_validated(validated_dir: Path, warehouse: Path, run_id: str,
                   started_at: datetime | None = None) -> NightResult:
    """Load a validated night in batches of whole files (one transaction each), files in order of arrival."""
    started_at = started_at or now_vietnam()
    result = NightResult(run_id)
    stage_paths = json.loads((validated_dir / "files.json").read_text(encoding="utf-8"))
    # A correction must replace what it corrects, even when both arrive in one night.
    staged_files = sorted((read_stage(Path(p)) for p in stage_paths), key=lambda f: (f.received_at, f.file_name))
    # One connection for the night (opening one costs ~17 ms); one transaction per batch.
    with writer(warehouse) as engine, engine.connect() as conn:
        keys = unit_keys(conn)
        conn.commit()
        night = _read_night(validated_dir, keys, run_id)
        # Files recorded for good; one rejected for a passing reason (a busy machine) is read again.
        files = {(sha, name): code for sha, name, code in conn.exec_driver_sql(
            "select sha256, file_name, rejection_code from audit.file").fetchall()}
        # Submissions an interrupted load recorded: only these need forgetting before a reload.
        recorded = {r[0] for r in conn.exec_driver_sql("select submission_id from audit.submission").fetchall()}
        conn.commit()
        fresh = []
        for staged in staged_files:
            if (staged.sha256, staged.file_name) in files and files[staged.sha256, staged.file_name] not in TRANSIENT:
                result.already_taken_in += 1  # another loader took it in while this one waited
            else:
                fresh.append(staged)
        seq = 0
        for batch in _batches(fresh, night, recorded, load_batch_files()):
            seq = _plan(batch, night, run_id, seq)
            with conn.begin():
                _load_batch(conn, batch, night, run_id, recorded, files)
            result.outcomes += batch.outcomes
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


def _load_batch(conn: sa.Connection, batch: _Batch, night: _NightRows, run_id: str, recorded: set[str],
                files: dict[tuple[str, str], str | None]) -> None:
    """A batch in the open transaction: what an interrupted load recorded of its submissions forgotten,
    its audit records written, its partitions replaced, supersession marked, and its files recorded."""
    forget = sorted(batch.ids & recorded)
    if forget:
        # Facts are not deleted here: each submission's partitions replace them.
        for table in ("audit.submission", "audit.quarantine", "audit.warning", "dw.dim_submission"):
            conn.exec_driver_sql(f"delete from {table} where submission_id = any($ids)", {"ids": forget})
    insert_frame(conn, "audit.submission", pd.DataFrame(batch.audit))
    insert_frame(conn, "audit.quarantine", night.quarantine.take(batch.entries))
    insert_frame(conn, "audit.warning", night.warnings.take(batch.entries))
    if batch.loaded:
        _replace_partitions(conn, batch, night)
    now = now_vietnam()
    recorded_files = pd.DataFrame([{
        "sha256": f.sha256, "file_name": f.file_name,
        "province_code": f.province_code or next((s.province_code for s in f.submissions), None),
        "received_at": f.received_at, "run_id": run_id,
        "status": _file_status(f),
        "taken_in_at": now, "rejection_code": f.rejection_code} for f in batch.files])
    if any((f.sha256, f.file_name) in files for f in batch.files):
        # A file rejected for a passing reason is read again: its record is replaced.
        with registered(conn, "batch_files", recorded_files):
            conn.exec_driver_sql("delete from audit.file a using batch_files b"
                                 " where a.sha256 = b.sha256 and a.file_name = b.file_name")
    insert_frame(conn, "audit.file", recorded_files)


def _replace_partitions(conn: sa.Connection, batch: _Batch, night: _NightRows) -> None:
    """Each dataset's partitions replaced by the batch's submissions (a later one's rows win over an
    earlier one's), and the submissions none of whose rows remain marked superseded."""
    now = now_vietnam()
    subs = pd.DataFrame([{
        "seq": b.seq, "submission_id": b.sub.submission_id, "file_name": b.staged.file_name,
        "sha256": b.staged.sha256, "sheet": b.sub.sheet, "template": b.sub.sheet_code,
        "province_code": b.sub.province_code, "admin_era": b.sub.admin_era, "period_start": b.sub.period_start,
        "period_end": b.sub.period_end, "as_of_date": b.sub.as_of_date, "received_at": b.staged.received_at,
        "loaded_at": now, "status": b.status, "unit_list": b.sub.unit_list or None, "units_date": b.sub.units_date}
        for b in batch.loaded])
    # First: sheet 01's partition is found through the submissions of its month, the batch's included.
    insert_frame(conn, "dw.dim_submission", subs.drop(columns="seq"))
    for dataset, spec in DATASETS.items():
        of_sheet = subs[subs.template == spec.code]
        if of_sheet.empty:
            continue
        facts = night.facts[dataset].take(of_sheet.submission_id)
        seq_of = dict(zip(of_sheet.submission_id, of_sheet.seq, strict=True))
        incoming = facts.assign(seq=facts.submission_id.map(seq_of).astype("int64"),
                                batch_row=np.arange(len(facts), dtype="int64"))
        with registered(conn, "batch_submissions", of_sheet), registered(conn, "batch_facts", incoming):
            run_script(conn, sql_file(f"ops/{REPLACE_PARTITIONS[dataset]}").replace("{fact_table}", spec.fact_table))
            columns = ", ".join(f'"{c}"' for c in facts.columns)
            conn.exec_driver_sql(f"insert into {spec.fact_table} ({columns}) select {columns} from batch_facts"
                                 " where batch_row not in (select row_id from replaced_rows where row_seq >= 0)")
            run_script(conn, sql_file("ops/mark_superseded.sql").replace("{fact_table}", spec.fact_table))
    targets = pd.DataFrame([{
        "seq": b.seq, "submission_id": b.sub.submission_id, "admin_era": b.sub.admin_era,
        "province_code": b.sub.province_code, "target": b.sub.target, "target_deadline": b.sub.target_deadline,
        "stated_on": b.sub.period_end} for b in batch.loaded if b.sub.target is not None])
    if not targets.empty:
        with registered(conn, "batch_targets", targets):
            run_script(conn, sql_file("ops/replace_id_card_targets.sql"))
