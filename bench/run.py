"""Benchmarks of the nightly load on every sample workbook; prints a table (never asserts times).

Stages are timed separately so that a regression points at its stage: generation, extraction
(per workbook, in one process), one Great Expectations validation of the night, the load, and
the whole night through ``run_night``. Peak memory is the process's maximum resident size.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from etl.config import Settings


def _settings(root: Path) -> Settings:
    return Settings(warehouse=root / "warehouse.duckdb", landing=root / "landing",
                    published=root / "published.duckdb", var=root)


def main() -> None:
    rows: list[tuple[str, float, str]] = []

    def timed(label: str, note: str = ""):
        class _Timer:
            def __enter__(self):
                self.start = time.perf_counter()

            def __exit__(self, *exc):
                rows.append((label, time.perf_counter() - self.start, note))

        return _Timer()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        with timed("import etl + reference lists"):
            from etl import reference
            reference.admin_units()
            reference.crosswalk()
        from etl.discover import identify
        from etl.extract.sandbox import extract_many, extract_to_stage
        from etl.load.night import load_validated
        from etl.pipeline import run_night
        from etl.validate.night import validate_stage
        from samples import generate_samples

        with timed("generate the sample workbooks"):
            files = generate_samples(root / "landing", seed=2021)
        with timed("discover: hash every file once", f"{len(files)} files"):
            discovered = [identify(f) for f in files]
        with timed("extract, one process", f"{len(files)} files"):
            for f in discovered:
                extract_to_stage(f, root / "stage-serial")
        with timed("extract, pool of 2 child processes", f"{len(files)} files"):
            staged = extract_many(discovered, root / "stage", workers=2)
        with timed("import great_expectations"):
            import great_expectations  # noqa: F401
        with timed("validate the night (one GX batch per dataset)"):
            validated = validate_stage(staged, root / "stage" / "validated")
        with timed("load, one transaction per submission"):
            result = load_validated(validated, root / "warehouse.duckdb", "bench")
        loaded = sum(o.rows_loaded for o in result.outcomes)
        rows[-1] = (rows[-1][0], rows[-1][1], f"{len(result.outcomes)} submissions, {loaded} rows")
        settings = _settings(root / "again")
        with timed("whole night via run_night (fresh warehouse)"):
            run_night([root / "landing"], settings)
        with timed("second night, same files (all duplicates)"):
            run_night([root / "landing"], settings)
        # The same night under the real scheduler (bench/scheduler.py), against cax ingest.
        from scheduler import scheduler_rows
        rows.extend(scheduler_rows(root / "landing", root / "scheduler"))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    width = max(len(r[0]) for r in rows)
    print(f"{'stage'.ljust(width)}  {'seconds':>8}  note")
    for label, seconds, note in rows:
        print(f"{label.ljust(width)}  {seconds:8.2f}  {note}")
    print(f"{'peak resident memory (MB)'.ljust(width)}  {peak_mb:8.0f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
