"""cax_nightly: take in the provinces' workbooks that arrived, validate, load, publish the marts.

Thin by design: every task body calls ``etl`` and passes paths and counts, never data.
A rejected workbook is an outcome recorded in the audit, not a task failure. A lock or I/O error is
retried with backoff; any other error fails its task at once (etl.alerts), and a failed task
leaves an alert in its log, in var/alerts/ and, when set up, in the mail.
"""

from __future__ import annotations

from datetime import datetime

import pendulum
from airflow.sdk import Asset, CronTriggerTimetable, dag, get_current_context, task

from etl.alerts import retry_only_transient, task_defaults

CAX_WAREHOUSE = Asset("cax_warehouse")
VIETNAM = pendulum.timezone("Asia/Ho_Chi_Minh")


def night_cutoff(context) -> datetime:
    """The night's cut-off, Vietnam time: files received later wait for the next night, and nothing
    dated after it loads. It is the run's logical date when it has one (a scheduled run: 01:00 of its
    night; a manual run with --logical-date; a backfill), else the moment the run was asked for (a
    manual run without one). Not the data interval's end: a manual run with a logical date gets an
    interval ending when it was triggered, which would take every file up to now."""
    from etl.clock import to_vietnam

    return to_vietnam(context.get("logical_date") or context["dag_run"].run_after)


@dag(
    dag_id="cax_nightly",
    # Explicitly a trigger timetable: a run's logical date is 01:00 of its night, whatever
    # [scheduler] create_cron_data_intervals says (Airflow's unit-test mode turns it on, which would
    # make the logical date the night before).
    schedule=CronTriggerTimetable("0 1 * * *", timezone=VIETNAM),
    start_date=pendulum.datetime(2021, 4, 1, tz=VIETNAM),
    catchup=False,
    max_active_runs=1,
    tags=["cax", "nightly", "warehouse"],
    # Retried only for a lock or an I/O error (retry_only_transient), with backoff; alert on failure.
    default_args=task_defaults(),
    doc_md=__doc__,
)
def cax_nightly():
    @task
    @retry_only_transient
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
        found = discover([settings.landing], settings.warehouse, cutoff=night_cutoff(context))
        stage_discovered(found, stage_folder(settings, context["run_id"]))
        groups = batches(found.fresh, settings.workers)
        return [{"name": f"{i}/{len(groups)}: {len(group)} tệp / files", "files": [f.as_dict() for f in group]}
                for i, group in enumerate(groups, start=1)]

    @task(map_index_template="{{ batch }}")
    @retry_only_transient
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
                              night_cutoff(context))
        return [str(path) for path in staged]

    # A night with no new file still runs to the end: the marts and the published copy refresh.
    @task(trigger_rule="none_failed")
    @retry_only_transient
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

    # Load, feedback and publish share one task (as etl.pipeline.run_night does them): each task costs
    # a process, a DAG parse and its imports (2-6 s here; about 0.3 s under etl.airflow_local, whose
    # scheduler imports them once, bench/scheduler.py). The Asset is updated when analysts can
    # see the night: when its copy is swapped in.
    @task(pool="duckdb_writer", outlets=[CAX_WAREHOUSE])
    @retry_only_transient
    def load_and_publish(validated: str) -> dict[str, int]:
        """One transaction per submission through the single DuckDB writer slot; the provinces' feedback
        workbooks; the marts built once and the analysts' copy swapped in atomically. What loaded is
        published even when a feedback workbook fails, which then fails the task."""
        import logging
        from pathlib import Path

        from etl.clock import to_vietnam
        from etl.config import load_settings
        from etl.feedback import write_feedback
        from etl.load.night import load_validated
        from etl.publish import publish
        from etl.report import write_load_summary

        context = get_current_context()
        settings = load_settings()
        run = context["dag_run"]
        started = to_vietnam(run.start_date) if run.start_date else None
        result = load_validated(Path(validated), settings.warehouse, context["run_id"], started)
        # Every submission with its whole reason, for the data team answering the provinces.
        summary = write_load_summary(settings.var / "reports", context["run_id"], result.outcomes)
        logging.getLogger("airflow.task").info("Load summary / bảng tổng hợp: %s", summary)
        try:
            written = write_feedback(Path(validated), settings.warehouse, context["run_id"], settings.feedback)
        finally:
            publish(settings)
        return {"submissions": len(result.outcomes), "rows_quarantined": result.rows_quarantined,
                "files_rejected": result.files_rejected, "feedback_workbooks": len(written)}

    staged = extract.expand(batch=discover_files())
    load_and_publish(validate(staged))


cax_nightly()
