"""Validate the night: every staged row of a dataset checked in one batch, failures written beside.

Order per dataset: each unit's previous period is looked up (for the outlier rules); the marks the
extractor left become failures (etl.validate.resolution); the rows whose unit resolved go through
the dataset's suite once (etl.validate.suite). A cell already reported as unreadable is not
reported again as missing. Total rows that do not add up are warnings of their submission.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from etl.extract.sheets import DATASETS
from etl.extract.stage import read_stage
from etl.validate.previous import with_previous
from etl.validate.resolution import resolution_failures, total_warnings
from etl.validate.suite import validate_rows

FAILURE_COLUMNS = ["row_index", "column_name", "value", "rule", "severity", "message_vi", "message_en"]
TOTAL_COLUMNS = ["submission_id", "file_name", "sheet", "row_number", "column_name", "value", "rule", "severity",
                 "message_vi", "message_en"]


# What validate_stage takes from one staged file: its rows by dataset, the warnings of its totals.
StagedRows = tuple[list[tuple[str, pd.DataFrame]], list[dict]]


def read_staged(path: Path) -> StagedRows:
    """One staged file's rows (a frame per submission, with its dataset) and the warnings of its
    total rows that do not add up."""
    staged = read_stage(path)
    rows = [(sub.dataset, staged.rows(sub)) for sub in staged.submissions]
    return rows, [warning for sub in staged.submissions for warning in total_warnings(staged, sub)]


def validate_stage(stage_paths: Iterable[Path], out_dir: Path, docs_dir: Path | None = None,
                   warehouse: Path | None = None, docs_later: list[Callable[[], None]] | None = None,
                   read_ahead: dict[str, StagedRows] | None = None) -> Path:
    """Validate the night's staged rows, one batch per dataset; returns ``out_dir``, which holds:

    - ``files.json``: the staged files of the night;
    - per dataset, ``<dataset>.rows.parquet`` (every data row) and ``<dataset>.failures.parquet``
      (one entry per failed rule, by row index);
    - ``totals.parquet``: the warnings of total rows that do not add up, by submission.

    ``warehouse`` (read, never written) gives each unit's previous period for the outlier rules;
    with ``docs_dir``, GX Data Docs are built under ``docs_dir/<dataset>/``, or, given ``docs_later``,
    by the callables appended to it (``etl.validate.process`` builds them while the night loads).
    ``read_ahead`` holds files read already (``read_staged``), by path: they are taken from it.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    stage_files = [str(p) for p in stage_paths]
    frames: dict[str, list[pd.DataFrame]] = {dataset: [] for dataset in DATASETS}
    totals: list[dict] = []
    ahead = read_ahead if read_ahead is not None else {}
    for path in stage_files:
        rows, warnings = ahead.pop(path) if path in ahead else read_staged(Path(path))
        for dataset, frame in rows:
            frames[dataset].append(frame)
        totals += warnings
    for dataset, spec in DATASETS.items():
        rows = pd.concat(frames[dataset], ignore_index=True) if frames[dataset] else pd.DataFrame()
        rows = with_previous(dataset, rows, warehouse)
        failures = resolution_failures(rows, spec) if not rows.empty else []
        blocked = {(f["row_index"], f["column_name"]) for f in failures}
        unresolved = {f["row_index"] for f in failures
                      if f["column_name"] == spec.name_column and f["severity"] == "error"}
        checkable = rows[~rows.index.isin(list(unresolved))] if not rows.empty else rows
        docs = docs_dir / dataset if docs_dir is not None else None
        for failure in validate_rows(dataset, checkable, docs_dir=docs, docs_later=docs_later):
            if (failure.row_index, failure.column_name) not in blocked:
                failures.append(asdict(failure))
        rows.to_parquet(out_dir / f"{dataset}.rows.parquet", index=True)
        pd.DataFrame(failures, columns=FAILURE_COLUMNS).to_parquet(out_dir / f"{dataset}.failures.parquet")
    pd.DataFrame(totals, columns=TOTAL_COLUMNS).to_parquet(out_dir / "totals.parquet")
    (out_dir / "files.json").write_text(json.dumps(stage_files, indent=1), encoding="utf-8")
    return out_dir
