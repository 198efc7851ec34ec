"""cax_nightly: take in the provinces' workbooks that arrived, validate, load, publish the marts.

Thin by design: every task body calls ``etl`` and passes paths and counts, never data.
A rejected workbook is an outcome recorded in the audit, not a task failure.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Asset, dag, get_current_context, task

CAX_WAREHOUSE = Asset("cax_warehouse")
VIETNAM = pendulum.timezone("Asia/Ho_Chi_Minh")


def _cutoff(context):
    """The night's cut-off, Vietnam time: the moment it runs, the end of its data interval. Files
    received later wait for the next night, and nothing dated after it loads."""
    from etl.clock import to_vietnam

    return to_vietnam(context.get("data_interval_end") or context["logical_date"])


@dag(
    dag_id="cax_nightly",
    schedule="0 1 * * *",
    start_date=pendulum.datetime(2021, 4, 1, tz=VIETNAM),
    catchup=False,
    max_active_runs=1,
    tags=["cax", "nightly", "warehouse"],
    default_args={"owner": "data-team", "retries": 2, "retry_delay": timedelta(minutes=5)},
    doc_md=__doc__,
)
def cax_nightly():
    @task
    def discover_files() -> list[dict]:
        """Workbooks in CAX_LANDING received by the run's cut-off and not taken in yet, each with its
        sha256 (computed once, here), in at most CAX_WORKERS batches of about equal bytes; byte-identical
        copies of files already taken in are staged at once (in the run's staging folder), to be
        recorded as duplicates."""
        from etl.config import load_settings
        from etl.discover import discover
        from etl.extract.stage import stage_discovered
        from etl.pipeline import batches, stage_folder

        context = get_current_context()
        settings = load_settings()
        found = discover([settings.landing], settings.warehouse, cutoff=_cutoff(context))
        stage_discovered(found, stage_folder(settings, context["run_id"]))
        groups = batches(found.fresh, settings.workers)
        return [{"name": f"{i}/{len(groups)}: {len(group)} tệp / files", "files": [f.as_dict() for f in group]}
                for i, group in enumerate(groups, start=1)]

    @task(map_index_template="{{ batch }}", retries=0)
    def extract(batch: dict) -> list[str]:
        """One batch of workbooks -> staged rows under var/staging/<run>/ (a bad file is staged as
        rejected); each workbook is still parsed in its own limited child process."""
        from etl.config import load_settings
        from etl.discover import DiscoveredFile
        from etl.extract.sandbox import extract_many
        from etl.pipeline import stage_folder

        context = get_current_context()
        context["batch"] = batch["name"]
        files = [DiscoveredFile.from_dict(file) for file in batch["files"]]
        settings = load_settings()
        # The batches run side by side (at most CAX_WORKERS), so each parses one file at a time, in a
        # child process with memory and time limits: a file that crashes the reader is staged as
        # rejected, and this task still succeeds.
        staged = extract_many(files, stage_folder(settings, context["run_id"]), 1, None, settings.limits,
                              _cutoff(context))
        return [str(path) for path in staged]

    # A night with no new file still runs to the end: the marts and the published copy refresh.
    @task(trigger_rule="none_failed")
    def validate(staged: list[list[str]]) -> str:
        """One Great Expectations batch per dataset over every staged workbook of the night."""
        from pathlib import Path

        from etl.config import load_settings
        from etl.extract.stage import staged_discovered
        from etl.pipeline import stage_folder
        from etl.validate.night import validate_stage

        settings = load_settings()
        folder = stage_folder(settings, get_current_context()["run_id"])
        files = [*(Path(p) for batch in staged or [] for p in batch), *staged_discovered(folder)]
        return str(validate_stage(files, folder / "validated", settings.data_docs, settings.warehouse))

    @task(pool="duckdb_writer")
    def load(validated: str) -> dict[str, int]:
        """One transaction per submission, through the single DuckDB writer slot."""
        from pathlib import Path

        from etl.config import load_settings
        from etl.load.night import load_validated

        result = load_validated(Path(validated), load_settings().warehouse, get_current_context()["run_id"])
        return {"submissions": len(result.outcomes), "rows_quarantined": result.rows_quarantined,
                "files_rejected": result.files_rejected}

    @task(pool="duckdb_writer")
    def feedback(validated: str, counts: dict[str, int]) -> int:
        """Feedback workbooks for the files with rejected rows, warnings or a rejection."""
        from pathlib import Path

        from etl.config import load_settings
        from etl.feedback import write_feedback

        settings = load_settings()
        run_id = get_current_context()["run_id"]
        return len(write_feedback(Path(validated), settings.warehouse, run_id, settings.feedback))

    # The Asset is updated when analysts can see the night: when its copy is swapped in.
    @task(pool="duckdb_writer", outlets=[CAX_WAREHOUSE])
    def publish(written: int) -> str:
        """Build the mart views once for the night and swap the analysts' copy in atomically."""
        from etl.config import load_settings
        from etl.publish import publish as publish_night

        return str(publish_night(load_settings()))

    staged = extract.expand(batch=discover_files())
    validated = validate(staged)
    publish(feedback(validated, load(validated)))


cax_nightly()
