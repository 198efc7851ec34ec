"""etl.forking: children forked inside heap_frozen inherit a heap the collector leaves alone, and the
night's process collects its own again afterwards (a long-lived process, an Airflow worker or the
test run itself, would otherwise keep every cycle it made before the night)."""

from __future__ import annotations

import gc
import multiprocessing
from pathlib import Path

import pytest

from etl.discover import identify
from etl.extract.sandbox import extract_many
from etl.forking import heap_frozen
from tests.builders import write_workbook

pytestmark = pytest.mark.unit


def _report_frozen(send) -> None:
    send.send(gc.get_freeze_count())
    send.close()


def test_a_child_forked_inside_keeps_the_heap_frozen_and_the_parent_collects_again_after():
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    with heap_frozen():
        child = context.Process(target=_report_frozen, args=(send,))
        child.start()
    send.close()
    assert receive.recv() > 1000  # the modules and caches the child shares are frozen there
    child.join()
    assert gc.get_freeze_count() == 0


def test_the_heap_is_collected_again_after_a_failure_inside():
    with pytest.raises(RuntimeError), heap_frozen():
        raise RuntimeError("a fork that failed")
    assert gc.get_freeze_count() == 0


def test_a_heap_frozen_before_stays_frozen_for_whoever_froze_it():
    gc.freeze()
    try:
        with heap_frozen():
            pass
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_a_night_s_extraction_leaves_its_process_collecting(tmp_path: Path):
    books = [identify(write_workbook(tmp_path / f"b{i}.xlsx", [["x"]])) for i in range(3)]
    assert len(extract_many(books, tmp_path / "stage", workers=2)) == 3
    assert gc.get_freeze_count() == 0
