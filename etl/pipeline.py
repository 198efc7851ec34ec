"""The night's flow as plain functions: discover -> extract -> validate -> load -> marts -> publish.

The CLI and the Airflow DAG call the same functions; between steps they pass paths and counts.
"""

from __future__ import annotations

import io
import json
import os
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from etl import load
from etl.config import Limits, Settings
from etl.extract import extract_workbook
from etl.extract.sheets import DATASETS, SHEETS, SheetSpec
from etl.facts import BUILDERS
from etl.feedback import write_feedback
from etl.previous import with_previous
from etl.stage import StagedFile, StagedSubmission, read_stage, write_stage

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
    "code_mismatch": ("code_matches_name",
                      "Tên '{value}' là đơn vị mã {first}, nhưng cột Mã ĐVHC ghi {second} (mã của đơn vị khác); "
                      "đề nghị sửa tên hoặc mã",
                      "Name '{value}' is unit {first} but the code column says {second}, another unit's code"),
    "type_mismatch": ("unit_type_matches",
                      "'{value}' ghi sai loại đơn vị: trong danh mục chỉ có {second} (mã {first}); "
                      "đề nghị ghi đúng tên và loại (xã, phường, thị trấn, đặc khu)",
                      "'{value}' names the wrong kind of unit: the reference list has only {second} (code {first})"),
    "code_unknown": ("code_known",
                     "Mã ĐVHC {first} không có trong danh mục; đã nhận đơn vị theo tên '{value}'",
                     "Code {first} is no unit of the reference list; the row was taken by its name '{value}'"),
    "level_not_in_era": ("level_exists_in_era",
                         "Cấp khen thưởng '{value}' không còn từ 01/7/2025 (đã bỏ cấp huyện)",
                         "Commendation level '{value}' no longer exists from 1 July 2025 (districts were abolished)"),
    "unknown_level": ("level_known",
                      "Cấp khen thưởng '{value}' không thuộc các cấp của mẫu biểu (Bộ Công an, UBND tỉnh, "
                      "Công an tỉnh, cấp huyện, cấp xã)",
                      "Commendation level '{value}' is not one of the template's levels"),
}
# Problems that load the row (with a warning) rather than quarantine it.
_WARNING_PROBLEMS = {"code_unknown"}
_UNREADABLE = ("value_readable",
               "Ô '{value}' không đọc được thành số hoặc ngày hợp lệ (không phải số, quá lớn, NaN hoặc -0)",
               "Cell '{value}' is not a plausible number or date (not a number, out of range, NaN or -0)")


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
        """DESIGN.md: 0 when everything loaded, 3 when a row was quarantined or a file rejected."""
        return 3 if self.rows_quarantined or self.files_rejected else 0


def new_run_id() -> str:
    return datetime.now().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]


@dataclass
class Discovery:
    """The night's files: new ones to read, byte-identical copies of files already taken in
    (recorded once as duplicates, keyed by the file they copy), and how many were skipped."""

    fresh: list[Path] = field(default_factory=list)
    duplicates: list[tuple[Path, str]] = field(default_factory=list)
    already_taken_in: int = 0


def discover(paths: Iterable[Path], warehouse: Path, cutoff: datetime | None = None) -> Discovery:
    """Workbooks under ``paths`` received by ``cutoff`` that this warehouse has not taken in yet.

    A file is known by its sha256. A known file under a name not seen before (a province sent the
    same bytes twice, or renamed) is a duplicate, recorded once; a file already recorded under
    its name is skipped silently, so re-running a night changes nothing.
    """
    from etl.extract.submission import file_identity

    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            # Every file a province sent, whatever its name: one that is no workbook is rejected
            # with the reason, never skipped. Not submissions: the lock files Excel leaves beside
            # an open workbook, the desktop's own files, and JSON sidecars (the sample's truth.json).
            files += sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("~$")
                            and p.name not in (".DS_Store", "Thumbs.db", "desktop.ini")
                            and p.suffix.lower() != ".json")
        elif path.is_file():
            files.append(path)
    known = load.taken_in(warehouse)
    tonight: dict[str, str] = {}
    found = Discovery()
    for path in sorted(files, key=lambda p: (file_identity(p)[2], p.name)):
        sha, _, received = file_identity(path)
        if cutoff is not None and received > cutoff:
            continue
        if path.name in known.get(sha, set()):
            found.already_taken_in += 1
        elif sha in known or sha in tonight:
            original = tonight.get(sha) or sorted(known[sha])[0]
            found.duplicates.append((path, original))
            known.setdefault(sha, set()).add(path.name)
        else:
            tonight[sha] = path.name
            found.fresh.append(path)
    return found


def staged_duplicates(stage_dir: Path) -> list[Path]:
    """The duplicates stage_duplicates wrote into ``stage_dir``."""
    return sorted((stage_dir / "duplicates").glob("*.json"))


def stage_duplicates(duplicates: list[tuple[Path, str]], stage_dir: Path) -> list[Path]:
    """Stage byte-identical copies as files to record (status duplicate), without reading them."""
    from etl.extract.errors import DuplicateFile
    from etl.extract.submission import WorkbookExtract, file_identity

    staged = []
    for path, original in duplicates:
        sha, size, received = file_identity(path)
        extract = WorkbookExtract(path, path.name, sha, size, received, rejection=DuplicateFile(
            f"byte-identical to '{original}', already taken in: skipped",
            f"tệp giống hệt tệp '{original}' đã nhận trước đó: bỏ qua"))
        staged.append(write_stage(extract, stage_dir / "duplicates"))
    return staged


def extract_to_stage(path: Path, stage_dir: Path, limits: Limits | None = None) -> Path:
    """Extract one workbook into ``stage_dir``; returns the staged JSON's path."""
    return write_stage(extract_workbook(Path(path), limits), Path(stage_dir))


def _stage_refused(path: Path, stage_dir: Path, reason_en: str, reason_vi: str) -> Path:
    """Stage a file whose reading process died, ran out of memory or of time, as rejected."""
    from etl.extract.errors import UnreadableWorkbook
    from etl.extract.submission import WorkbookExtract, file_identity

    sha, size, received = file_identity(path)
    extract = WorkbookExtract(path, path.name, sha, size, received,
                              rejection=UnreadableWorkbook(reason_en, reason_vi))
    return write_stage(extract, stage_dir)


def _parse_in_child(path: Path, stage_dir: Path, limits: Limits, budget: int, conn) -> None:
    """Body of a parsing process: bounded address space, result or failure sent to the parent."""
    import faulthandler
    import resource

    faulthandler.disable()  # a reader that aborts is expected here: its file is rejected, no dump
    resource.setrlimit(resource.RLIMIT_AS, (budget, budget))
    try:
        conn.send(("staged", str(extract_to_stage(path, stage_dir, limits))))
    except MemoryError:
        conn.send(("memory", ""))
    except BaseException as error:  # noqa: BLE001 - every failure of an untrusted file is reported
        conn.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        conn.close()
        # Leave at once: finalising the heap inherited from the parent costs more than the parse.
        os._exit(0)


def extract_many(paths: list[Path], stage_dir: Path, workers: int = 2,
                 on_file: Callable[[Path], None] | None = None, limits: Limits | None = None) -> list[Path]:
    """Extract workbooks, each in its own child process with a memory and a time limit.

    A reader that aborts (python-calamine does on some malformed files), exhausts its memory or
    runs past the time limit costs its file, which is staged as rejected with the reason, never
    the night. At most ``workers`` files are parsed at once.
    """
    import multiprocessing
    import time
    from multiprocessing.connection import wait

    from etl import reference

    limits = limits or Limits.from_environment()
    # Done once here and inherited by every forked child, rather than paid again per workbook:
    # the unit lists and their name keys, and pyarrow's Parquet writer (~40 ms to initialise).
    reference.warm_up()
    pd.DataFrame({"warm": [0]}).to_parquet(io.BytesIO())
    with open("/proc/self/status", encoding="ascii") as status:
        size_kb = int(next(line for line in status if line.startswith("VmSize:")).split()[1])
    budget = size_kb * 1024 + limits.worker_memory_mb * 1024 * 1024
    context = multiprocessing.get_context("fork")
    queue, staged = list(paths), []
    running: dict[Any, tuple[Path, Any, float]] = {}
    while queue or running:
        while queue and len(running) < max(1, workers):
            path = queue.pop(0)
            receive, send = context.Pipe(duplex=False)
            child = context.Process(target=_parse_in_child, args=(path, stage_dir, limits, budget, send))
            child.start()
            send.close()
            running[child] = (path, receive, time.monotonic())
        wait([c.sentinel for c in running], timeout=0.5)
        for child, (path, receive, started) in list(running.items()):
            overdue = time.monotonic() - started > limits.worker_timeout_s
            if child.is_alive() and not overdue:
                continue
            if child.is_alive():
                child.kill()
            child.join()
            try:
                message = receive.recv() if receive.poll() else None
            except EOFError:  # the child died before it could say anything
                message = None
            receive.close()
            del running[child]
            staged.append(_outcome(path, stage_dir, message, child.exitcode, overdue, limits))
            if on_file:
                on_file(path)
    return staged


def _outcome(path: Path, stage_dir: Path, message: tuple[str, str] | None, exitcode: int | None, overdue: bool,
             limits: Limits) -> Path:
    if message and message[0] == "staged":
        return Path(message[1])
    if overdue:
        return _stage_refused(path, stage_dir, f"reading the workbook took over {limits.worker_timeout_s} s",
                              f"đọc tệp quá {limits.worker_timeout_s} giây; đề nghị kiểm tra và gửi lại")
    if message and message[0] == "memory":
        return _stage_refused(path, stage_dir, f"reading the workbook needed over {limits.worker_memory_mb} MB",
                              "tệp cần quá nhiều bộ nhớ để đọc; đề nghị kiểm tra và gửi lại")
    if message:
        return _stage_refused(path, stage_dir, f"the reader failed on this workbook ({message[1]})",
                              "chương trình đọc gặp lỗi với tệp này; đề nghị lưu lại bằng Excel và gửi lại")
    return _stage_refused(path, stage_dir, f"the workbook crashed the reader (exit {exitcode}); it may be damaged",
                          "tệp làm hỏng chương trình đọc (có thể tệp bị lỗi); đề nghị lưu lại bằng Excel và gửi lại")


def _pre_suite_failures(rows: pd.DataFrame, spec: SheetSpec) -> list[dict]:
    failures: list[dict] = []
    flagged = rows.resolve_problem.fillna("").astype(str).ne("") | rows.parse_problems.fillna("").astype(str).ne("")
    for index, row in rows[flagged].iterrows():
        problem = row["resolve_problem"]
        if isinstance(problem, str) and problem:
            rule, vi, en = _RESOLUTION_MESSAGES[problem]
            value, candidates = row[spec.name_column], row["resolve_candidates"]
            first, _, second = str(candidates).partition(",")
            words = {"value": value, "candidates": candidates, "first": first, "second": second}
            failures.append({"row_index": index, "column_name": spec.name_column, "value": value, "rule": rule,
                             "severity": "warning" if problem in _WARNING_PROBLEMS else "error",
                             "message_vi": vi.format(**words), "message_en": en.format(**words)})
        for column in filter(None, str(row["parse_problems"] or "").split(",")):
            value = row.get(f"{column}_raw", "")
            failures.append({"row_index": index, "column_name": column, "value": value, "rule": _UNREADABLE[0],
                             "severity": "error", "message_vi": _UNREADABLE[1].format(value=value),
                             "message_en": _UNREADABLE[2].format(value=value)})
    return failures


def validate_stage(stage_paths: Iterable[Path], out_dir: Path, docs_dir: Path | None = None,
                   warehouse: Path | None = None) -> Path:
    """Validate the night's staged rows, one batch per dataset; write rows and failures.

    ``warehouse`` (read, never written) gives each unit's previous period for the outlier rules.
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
        rows = with_previous(dataset, rows, warehouse)
        failures = _pre_suite_failures(rows, spec) if not rows.empty else []
        blocked = {(f["row_index"], f["column_name"]) for f in failures}
        unresolved = {f["row_index"] for f in failures
                      if f["column_name"] == spec.name_column and f["severity"] == "error"}
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


def _audit_row(staged: StagedFile, run_id: str, **values: object) -> dict[str, object]:
    base: dict[str, object] = {"submission_id": staged.sha256[:16], "run_id": run_id, "file_name": staged.file_name,
                               "sha256": staged.sha256, "province_code": None, "sheet": None, "template": None,
                               "period_start": None,
                               "period_end": None, "received_at": staged.received_at, "status": "rejected",
                               "reason": None, "rows_read": 0, "rows_loaded": 0, "rows_quarantined": 0, "warnings": 0}
    base.update(values)
    return base


@dataclass
class _Batch:
    """One submission's share of the night: counts, fact rows, quarantine and warning entries."""

    rows_read: int = 0
    rows_loaded: int = 0
    facts: pd.DataFrame | None = None
    quarantine: pd.DataFrame | None = None
    warnings: pd.DataFrame | None = None


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
    for key, entries in _by_submission(_quarantine_frame(rows, failures, "error", run_id)).items():
        batches[key].quarantine = entries
    for key, entries in _by_submission(_quarantine_frame(rows, failures, "warning", run_id)).items():
        batches[key].warnings = entries
    return batches


def load_validated(validated_dir: Path, warehouse: Path, run_id: str,
                   started_at: datetime | None = None) -> NightResult:
    """Load a validated night, one transaction per submission, files in order of arrival."""
    started_at = started_at or load.now_vietnam()
    result = NightResult(run_id)
    stage_paths = json.loads((validated_dir / "files.json").read_text(encoding="utf-8"))
    # A correction must replace what it corrects, even when both arrive in one night.
    staged_files = sorted((read_stage(Path(p)) for p in stage_paths), key=lambda f: (f.received_at, f.file_name))
    # One connection for the night (opening one costs ~17 ms); one transaction per submission.
    with load.writer(warehouse) as engine, engine.connect() as conn:
        keys = load.unit_keys(conn)
        conn.commit()
        batches: dict[str, _Batch] = {}
        for spec in DATASETS.values():
            batches.update(_prepare(validated_dir, spec, keys, run_id))
        known = {tuple(r) for r in conn.exec_driver_sql("select sha256, file_name from audit.file").fetchall()}
        # Submissions an interrupted load recorded: only these need forgetting before a reload.
        recorded = {r[0] for r in conn.exec_driver_sql("select submission_id from audit.submission").fetchall()}
        conn.commit()
        for staged in staged_files:
            if (staged.sha256, staged.file_name) in known:
                result.already_taken_in += 1  # another loader took it in while this one waited
                continue
            if staged.rejection_code:
                status = "duplicate" if staged.rejection_code == "duplicate" else "rejected"
                with conn.begin():
                    _forget(conn, staged.sha256[:16], recorded)
                    load.insert_row(conn, "audit.submission", _audit_row(
                        staged, run_id, status=status, reason=staged.reason_en, province_code=staged.province_code,
                        period_start=staged.period_start, period_end=staged.period_end))
                    _record_file(conn, staged, run_id, status)
                result.outcomes.append(FileOutcome(staged.file_name, staged.province_code, None, status,
                                                   staged.reason_en))
                continue
            for rejected in staged.sheet_rejections:
                with conn.begin():
                    _forget(conn, f"{staged.sha256[:16]}-{rejected['sheet_code']}", recorded)
                    load.insert_row(conn, "audit.submission", _audit_row(
                        staged, run_id, submission_id=f"{staged.sha256[:16]}-{rejected['sheet_code']}",
                        sheet=rejected["sheet"], template=rejected["sheet_code"], status="rejected",
                        reason=rejected["reason_en"]))
                result.outcomes.append(FileOutcome(staged.file_name, None, rejected["sheet"], "rejected",
                                                   rejected["reason_en"]))
            for sub in staged.submissions:
                batch = batches.get(sub.submission_id, _Batch())
                result.outcomes.append(_load_submission(conn, staged, sub, batch, run_id, recorded))
            # Last: a loader killed before this line leaves the file to be taken in again.
            with conn.begin():
                _record_file(conn, staged, run_id, "loaded" if staged.submissions else "rejected")
        with conn.begin():
            load.insert_row(conn, "audit.run", {
                "run_id": run_id, "started_at": started_at, "finished_at": load.now_vietnam(),
                "files_seen": len(stage_paths), "files_loaded": len({o.file_name for o in result.outcomes
                                                                     if o.status.startswith("loaded")}),
                "files_rejected": len({o.file_name for o in result.outcomes if o.status == "rejected"}),
                "rows_loaded": sum(o.rows_loaded for o in result.outcomes),
                "rows_quarantined": result.rows_quarantined})
    return result


def _forget(conn, submission_id: str, recorded: set[str]) -> None:
    """Remove what an interrupted earlier load recorded of this submission, so loading it again
    writes each record once (facts are replaced by the partition anyway)."""
    if submission_id not in recorded:
        return
    for table in ("audit.submission", "audit.quarantine", "audit.warning", "dw.dim_submission"):
        conn.exec_driver_sql(f"delete from {table} where submission_id = $id", {"id": submission_id})


def _record_file(conn, staged: StagedFile, run_id: str, status: str) -> None:
    conn.exec_driver_sql("delete from audit.file where sha256 = $sha and file_name = $name",
                         {"sha": staged.sha256, "name": staged.file_name})
    province = staged.province_code or next((s.province_code for s in staged.submissions), None)
    load.insert_row(conn, "audit.file", {
        "sha256": staged.sha256, "file_name": staged.file_name, "province_code": province,
        "received_at": staged.received_at, "run_id": run_id, "status": status, "taken_in_at": load.now_vietnam()})


def _load_submission(conn, staged: StagedFile, sub: StagedSubmission, batch: _Batch, run_id: str,
                     recorded: set[str]) -> FileOutcome:
    """One submission in one transaction: its partition replaced, its audit written."""
    spec = SHEETS[sub.sheet_code]
    warns = pd.concat([w for w in (batch.warnings, _reconciliation_warnings(staged, sub, run_id)) if w is not None
                       and not w.empty], ignore_index=True) if batch.warnings is not None or sub.reconciliation \
        else pd.DataFrame()
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
            _replace_partition(conn, staged, sub, spec, batch.facts, outcome)
        load.insert_row(conn, "audit.submission", _audit_row(
            staged, run_id, submission_id=sub.submission_id, province_code=sub.province_code, sheet=sub.sheet,
            template=sub.sheet_code, period_start=sub.period_start, period_end=sub.period_end, status=outcome.status,
            reason=outcome.reason,
            rows_read=outcome.rows_read, rows_loaded=outcome.rows_loaded,
            rows_quarantined=outcome.rows_quarantined, warnings=outcome.warnings))
        if batch.quarantine is not None:
            load.insert_frame(conn, "audit.quarantine", batch.quarantine)
        load.insert_frame(conn, "audit.warning", warns)
    return outcome


def _replace_partition(conn, staged: StagedFile, sub: StagedSubmission, spec: SheetSpec, facts: pd.DataFrame,
                       outcome: FileOutcome) -> None:
    params = {"province_code": sub.province_code, "admin_era": sub.admin_era, "period_start": sub.period_start,
              "template": sub.sheet_code, "submission_id": sub.submission_id,
              "target_deadline": sub.target_deadline, "file_name": staged.file_name,
              "received_at": staged.received_at}
    with load.registered(conn, "incoming", facts):
        load.run_script(conn, load.sql_file(f"ops/replace_{spec.dataset}_partition.sql"), params)
        columns = ", ".join(f'"{c}"' for c in facts.columns)
        conn.exec_driver_sql(f"insert into {spec.fact_table} ({columns}) select {columns} from incoming")
    if sub.target is not None:
        load.run_script(conn, load.sql_file("ops/replace_id_card_target.sql"), params)
        load.insert_row(conn, "dw.fact_id_card_target", {
            "submission_id": sub.submission_id, "admin_era": sub.admin_era, "province_code": sub.province_code,
            "target": sub.target, "target_deadline": sub.target_deadline, "stated_on": sub.period_end})
    load.insert_row(conn, "dw.dim_submission", {
        "submission_id": sub.submission_id, "file_name": staged.file_name, "sha256": staged.sha256,
        "sheet": sub.sheet, "template": sub.sheet_code, "province_code": sub.province_code,
        "admin_era": sub.admin_era, "period_start": sub.period_start, "period_end": sub.period_end,
        "as_of_date": sub.as_of_date, "received_at": staged.received_at, "loaded_at": load.now_vietnam(),
        "status": outcome.status})
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
    found = discover(paths, settings.warehouse, cutoff)
    stage_dir = stage_folder(settings, run_id)
    staged = extract_many(found.fresh, stage_dir, settings.workers, on_file, settings.limits)
    staged += stage_duplicates(found.duplicates, stage_dir)
    validated = validate_stage(staged, stage_dir / "validated", settings.data_docs, settings.warehouse)
    result = load_validated(validated, settings.warehouse, run_id, started_at)
    result.feedback = write_feedback(validated, settings.warehouse, run_id, settings.feedback)
    result.already_taken_in = found.already_taken_in
    refresh_and_publish(settings)
    return result
