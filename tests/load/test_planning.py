"""How the loader cuts a night into batches of whole files, on staged files built in code."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from etl.extract.stage import StagedFile, StagedSubmission
from etl.load.night import BATCH_ROWS, _batches, _BySubmission, _NightRows

pytestmark = pytest.mark.unit


def _file(name: str, sha: str, sheets: tuple[str, ...] = ("03",)) -> StagedFile:
    subs = [StagedSubmission(f"{sha[:16]}-{code}", code, "id_card_applications", "Biểu 03", "30", "pre2025",
                             date(2021, 5, 1), date(2021, 5, 1), None, "", None, []) for code in sheets]
    return StagedFile(f"{sha[:16]}-name", name, name, sha, datetime(2021, 5, 2, 8), submissions=subs)


def _names(files: list[StagedFile], size: int, rows: dict[str, int] | None = None,
           recorded: frozenset[str] = frozenset()) -> list[list[str]]:
    """The file names of each batch; ``rows``: data rows per file name (10 by default)."""
    read = {s.submission_id: (rows or {}).get(f.file_name, 10) for f in files for s in f.submissions}
    empty = _BySubmission(pd.DataFrame({"submission_id": []}))
    night = _NightRows(read, dict(read), {}, empty, empty)
    return [[f.file_name for f in batch.files] for batch in _batches(files, night, set(recorded), size)]


def test_batches_keep_the_order_of_arrival_and_close_at_their_size():
    files = [_file(f"f{i}", str(i) * 64) for i in range(7)]
    assert _names(files, 3) == [["f0", "f1", "f2"], ["f3", "f4", "f5"], ["f6"]]
    assert _names(files, 1) == [[f"f{i}"] for i in range(7)]
    assert _names(files, 200) == [[f"f{i}" for i in range(7)]]


def test_a_batch_closes_before_the_file_that_would_take_it_past_its_rows_and_a_large_file_goes_alone():
    files = [_file(name, name * 64) for name in "abcdef"]
    third = BATCH_ROWS // 3
    rows = {"a": third, "b": third, "c": third, "d": third + 1, "e": BATCH_ROWS + 1, "f": 1}
    assert _names(files, 200, rows) == [["a", "b", "c"], ["d"], ["e"], ["f"]]


def test_a_file_whose_records_one_in_the_batch_would_replace_starts_a_new_batch():
    first, other = _file("a", "a" * 64), _file("c", "c" * 64)
    same_bytes_other_name = _file("b", "a" * 64)  # the same submission ids
    assert _names([first, same_bytes_other_name, other], 200) == [["a"], ["b", "c"]]
    same_name_and_bytes = _file("a", "a" * 64, sheets=())  # no submission id in common, the same audit.file record
    assert _names([first, other, same_name_and_bytes], 200) == [["a", "c"], ["a"]]


def test_a_file_an_interrupted_load_recorded_a_submission_of_starts_a_batch():
    files = [_file(f"f{i}", str(i) * 64) for i in range(4)]
    recorded = frozenset({files[2].submissions[0].submission_id})
    assert _names(files, 200, recorded=recorded) == [["f0", "f1"], ["f2", "f3"]]
