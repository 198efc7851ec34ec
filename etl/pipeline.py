"""The night, in order: discover -> extract -> validate -> load -> feedback -> publish.

Only the orchestration: each stage lives in its own module or package, and between stages only
paths and small values pass. ``cax ingest`` and ``cax demo`` run a whole night here, in one
command (its parsing and validating processes forked from it); the Airflow DAG calls the same
stage functions task by task.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path

from etl.clock import now_vietnam
from etl.config import Settings
from etl.discover import DiscoveredFile, Discovery, discover
from etl.extract.sandbox import extract_many
from etl.extract.stage import read_stage, stage_discovered
from etl.feedback import write_feedback
from etl.load.night import NightResult, load_validated
from etl.publish import publish
from etl.safe import path_part
from etl.validate.night import validate_stage
from etl.validate.process import ValidatingProcess

log = logging.getLogger(__name__)


def new_run_id() -> str:
    return now_vietnam().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]


def stage_folder(settings: Settings, run_id: str) -> Path:
    """The run's staging folder; Airflow run ids contain ':' and '+', kept out of paths."""
    return settings.staging / path_part(run_id)


def batches(files: list[DiscoveredFile], count: int) -> list[list[DiscoveredFile]]:
    """The night's files in at most ``count`` batches of about equal bytes (largest first, each to the
    lightest batch), each in arrival order: the DAG maps extraction over batches, not files, since
    a mapped task costs a process, a DAG parse and the imports (14-30 s each on 2 cores with Airflow's
    defaults; about 1 s with the modules preloaded, as etl.airflow_local does)."""
    bins: list[list[DiscoveredFile]] = [[] for _ in range(max(1, min(count, len(files))))]
    weights = [0] * len(bins)
    for file in sorted(files, key=lambda f: (-f.size_bytes, str(f.path))):
        lightest = weights.index(min(weights))
        bins[lightest].append(file)
        weights[lightest] += file.size_bytes
    return [sorted(b, key=lambda f: (f.received_at, str(f.path))) for b in bins if b]


# The night's stages as ``run_night`` times them, in order. The GX import runs in the validating
# process while the workbooks are parsed: its seconds overlap "extract", and "validate" is what the
# night waited for after extraction (the rest of the import, if any, and the validation). "data docs"
# is what it waited at its end for the Data Docs, built while it loaded and published.
STAGES = ("discover", "extract", "import great_expectations", "validate", "load", "feedback", "publish",
          "data docs")


@contextmanager
def _timed(timings: dict[str, float] | None, stage: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        if timings is not None:
            timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start


def run_night(paths: Iterable[Path], settings: Settings, run_id: str | None = None,
              on_file: Callable[[DiscoveredFile], None] | None = None,
              cutoff: datetime | None = None, found: Discovery | None = None,
              timings: dict[str, float] | None = None) -> NightResult:
    """Everything the nightly DAG does, in one command: used by ``cax ingest`` and ``cax demo``.

    ``found`` is the night's discovery when the caller made it already (to size a progress bar);
    ``timings``, when given, receives the wall seconds of each stage (``STAGES``).
    """
    run_id = run_id or new_run_id()
    started_at = now_vietnam()
    with _timed(timings, "discover"):
        found = found or discover(paths, settings.warehouse, cutoff)
    stage_dir = stage_folder(settings, run_id)
    with ExitStack() as stack:
        # GX is imported in the validating process while the workbooks are parsed, and the Data Docs
        # built there while the night loads (etl.validate.process).
        validator = stack.enter_context(ValidatingProcess(settings.warehouse)) if found.fresh else None
        with _timed(timings, "extract"):
            # Nothing dated after the night loads: its cut-off, or the moment it started.
            staged = extract_many(found.fresh, stage_dir, settings.workers, on_file, settings.limits,
                                  cutoff or started_at, validator.read_ahead if validator else None)
            staged += stage_discovered(found, stage_dir)
        if validator and not any(read_stage(path).submissions for path in staged):
            # Every file rejected: nothing to validate, so no GX to wait for (the first file with a
            # submission ends the search: a night with rows reads one staged file here).
            validator.close()
            validator = None
        with _timed(timings, "validate"):
            arguments = (staged, stage_dir / "validated", settings.data_docs)
            validated = (validator.validate(*arguments) if validator
                         else validate_stage(*arguments, settings.warehouse))
        if validator and timings is not None:
            timings["import great_expectations"] = validator.wait_for_import()
        with _timed(timings, "load"):
            result = load_validated(validated, settings.warehouse, run_id, started_at)
        result.already_taken_in = found.already_taken_in
        try:
            with _timed(timings, "feedback"):
                result.feedback = write_feedback(validated, settings.warehouse, run_id, settings.feedback)
        finally:
            # What loaded is whole (one transaction per submission): analysts see it even when writing
            # a feedback workbook failed, which then fails the night loudly.
            with _timed(timings, "publish"):
                publish(settings)
        if validator:
            with _timed(timings, "data docs"):
                try:
                    validator.finish()
                except Exception as failure:  # noqa: BLE001 - the night loaded: the docs only describe it
                    log.warning("Không tạo được GX Data Docs / the GX Data Docs were not built (%s: %s); "
                                "the night loaded and was published", type(failure).__name__, failure)
    return result
