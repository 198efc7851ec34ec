"""cax_leadership_extracts: the leadership's extracts, as of the night the warehouse was published for.

Runs whenever the Asset ``cax_warehouse`` is updated (cax_nightly's ``load_and_publish``). The as-of
date is the Vietnam date of the logical date of the cax_nightly run behind the asset event, else
today. It writes what ``cax extract --as-of DATE`` writes (the summary workbook and the brief as PDF and
HTML), read from the analysts' copy (never locked by the nightly writer), into ``var/extracts/DATE/``.
"""

from __future__ import annotations

from datetime import date

import pendulum
from airflow.sdk import Asset, dag, get_current_context, task

from etl.alerts import retry_only_transient, task_defaults

VIETNAM = pendulum.timezone("Asia/Ho_Chi_Minh")


def as_of_date(context) -> date:
    """The Vietnam date of the night that published the warehouse: the logical date of the source run of
    the latest triggering asset event (its run_after when it had no logical date), else today."""
    from etl.clock import now_vietnam, to_vietnam

    events = [event for events in (context.get("triggering_asset_events") or {}).values() for event in events]
    for event in sorted(events, key=lambda e: e.timestamp, reverse=True):
        run = event.source_dag_run
        if run is not None and (moment := run.logical_date or run.run_after) is not None:
            return to_vietnam(moment).date()
    return now_vietnam().date()


@dag(
    dag_id="cax_leadership_extracts",
    schedule=[Asset("cax_warehouse")],
    start_date=pendulum.datetime(2021, 4, 1, tz=VIETNAM),
    catchup=False,
    max_active_runs=1,
    tags=["cax", "extracts"],
    default_args=task_defaults(),
    doc_md=__doc__,
)
def cax_leadership_extracts():
    @task
    @retry_only_transient
    def extract_for_leadership() -> list[str]:
        """``cax extract --as-of DATE --out var/extracts/DATE``, read from the analysts' copy (never locked
        by the nightly writer)."""
        from etl.config import load_settings
        from etl.leadership.extracts import write_extracts

        day = as_of_date(get_current_context())
        settings = load_settings()
        if not settings.published.exists():
            raise FileNotFoundError(f"no analysts' copy at {settings.published} (CAX_PUBLISHED): "
                                    "cax_nightly publishes it")
        written = write_extracts(settings.published, day, settings.var / "extracts" / day.isoformat())
        return [str(path) for path in written.paths]

    extract_for_leadership()


cax_leadership_extracts()
