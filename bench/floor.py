"""The floor of a night: what no pipeline of the same workbooks can go below, measured on them in one run.

    python bench/floor.py LANDING [--json OUT]

Four parts, each timed on the workbooks of ``LANDING`` (every .xlsx and .xls; ``truth.json`` and any other
file are left out):

- read: every sheet of every workbook straight to Arrow, with fastexcel when it is importable and with
  python-calamine's rows made into an Arrow table; both are timed where both exist and the floor takes the
  faster. A workbook neither can open (truncated, password-protected, not a spreadsheet) costs what its
  attempt cost and is counted;
- insert: DuckDB's native insert, from Arrow, of the rows the night stages (counted as the extractor
  does: every data row, loaded or quarantined) with the columns of their fact table that they hold, one
  ``insert into ... select * from`` statement per dataset into a fresh DuckDB file, in one transaction;
- GX import: ``import great_expectations`` timed inside a fresh process;
- validate: one validation per dataset with the project's own suites (``etl.validate.suite.validate_rows``)
  on the night's rows, which the project's extraction gives, untimed, in this process.

The total is the sum of the four; the time to import the readers, pyarrow and duckdb is reported beside it,
not in it. Each part has its wall seconds (``<part>_s``) and the CPU seconds of the process that ran it
(``<part>_cpu_s``). Run by ``bench/run.py`` in a process of its own; prints the figures as JSON.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WORKBOOK_SUFFIXES = (".xlsx", ".xls")
ROW_COUNT = "every data row the extractor stages (loaded or quarantined), per dataset"


@dataclass
class Stopwatch:
    """Wall seconds and this process's CPU seconds (every thread's) per part, added up over its calls: on a
    shared machine the CPU seconds tell what the wall seconds cannot."""

    wall: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def part(self, name: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - wall, time.process_time() - cpu)

    def add(self, name: str, wall: float, cpu: float) -> None:
        self.wall[name] = self.wall.get(name, 0.0) + wall
        self.cpu[name] = self.cpu.get(name, 0.0) + cpu

    def figures(self, *names: str) -> dict[str, float]:
        """``<name>_s`` and ``<name>_cpu_s`` of each part named."""
        return {key: value for name in names
                for key, value in ((f"{name}_s", self.wall[name]), (f"{name}_cpu_s", self.cpu[name]))}


def workbooks(landing: Path) -> list[Path]:
    """The workbooks of a landing folder, by name: its .xlsx and .xls files, nothing else."""
    return sorted(p for p in Path(landing).iterdir() if p.is_file() and p.suffix.lower() in WORKBOOK_SUFFIXES)


def rows_to_arrow(rows: Sequence[Sequence[Any]]) -> Any:
    """A sheet's rows (python-calamine's ``to_python()``: "" for an empty cell) as an Arrow table, one
    column per sheet column: typed where the column's values share a type, else text (as fastexcel does)."""
    import pyarrow as pa

    width = max((len(row) for row in rows), default=0)
    columns = {}
    for c in range(width):
        values = [None if c >= len(row) or row[c] == "" else row[c] for row in rows]
        try:
            columns[f"column_{c}"] = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            columns[f"column_{c}"] = pa.array([None if v is None else str(v) for v in values], pa.string())
    return pa.table(columns)


def _read_calamine(path: Path) -> list[Any]:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    try:
        return [rows_to_arrow(workbook.get_sheet_by_index(i).to_python()) for i in range(len(workbook.sheet_names))]
    finally:
        workbook.close()


def _read_fastexcel(path: Path) -> list[Any]:
    import fastexcel

    reader = fastexcel.read_excel(str(path))
    tables = []
    for i in range(len(reader.sheet_names)):
        try:  # eager=True (fastexcel 0.12 and later) gives the RecordBatch without the lazy sheet object
            tables.append(reader.load_sheet(i, header_row=None, eager=True))
        except TypeError:
            tables.append(reader.load_sheet(i, header_row=None).to_arrow())
    return tables


def time_read(paths: Sequence[Path], read: Callable[[Path], list[Any]], watch: Stopwatch, part: str
              ) -> dict[str, int]:
    """Every sheet of every workbook read to Arrow with ``read``, timed as ``part``: the sheets and rows read
    and the workbooks the reader could not open (their failed attempt is in the time)."""
    sheets = rows = unreadable = 0
    with watch.part(part):
        for path in paths:
            try:
                tables = read(path)
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException:  # noqa: BLE001 - a broken file is the night's too; pyo3 panics are BaseExceptions
                unreadable += 1
                continue
            sheets += len(tables)
            rows += sum(t.num_rows for t in tables)
    return {"sheets": sheets, "rows": rows, "unreadable": unreadable}


def night_rows(paths: Sequence[Path]) -> dict[str, Any]:
    """Per dataset, every row the project's extraction stages from ``paths`` (one frame, indexed 0..n-1),
    as the night's validation gathers them; datasets with no row are left out."""
    import pandas as pd

    from etl.discover import identify
    from etl.extract.submission import extract_workbook, rows_frame

    frames: dict[str, list[pd.DataFrame]] = {}
    for path in paths:
        extract = extract_workbook(identify(path))
        for submission in extract.submissions:
            frames.setdefault(submission.spec.dataset, []).append(rows_frame(extract, submission))
    return {dataset: pd.concat(parts, ignore_index=True) for dataset, parts in frames.items()}


def fact_columns(dataset: str) -> list[str]:
    """The columns of the dataset's fact table, as its DDL (warehouse/ddl/dw/) declares them."""
    import duckdb

    from etl.extract.sheets import DATASETS
    from etl.load.warehouse import sql_file

    schema, table = DATASETS[dataset].fact_table.split(".")
    con = duckdb.connect()
    try:
        con.execute(f"create schema {schema}")
        con.execute(sql_file(f"ddl/{schema}/{table}.sql"))
        return [row[0] for row in con.execute(f"describe {schema}.{table}").fetchall()]
    finally:
        con.close()


def as_facts(dataset: str, rows: Any) -> Any:
    """The staged rows as an Arrow table of the fact table's columns that they hold (all but the keys the
    load looks up: date, unit and district), in one chunk each, as a reader straight to Arrow would give."""
    import pyarrow as pa

    rows = rows.rename(columns={"row_number": "source_row"})  # as etl.load.facts names it
    kept = [c for c in fact_columns(dataset) if c in rows.columns]
    return pa.Table.from_pandas(rows[kept], preserve_index=False).combine_chunks()


def time_insert(frames: dict[str, Any], database: Path, watch: Stopwatch) -> None:
    """DuckDB's native insert of every dataset's rows from Arrow into a fresh file, timed as ``insert``: one
    statement per dataset, in one transaction (its commit, the write to the file, included); the Arrow
    tables and the empty tables are made beforehand, untimed."""
    import duckdb

    tables = {dataset: as_facts(dataset, frame) for dataset, frame in frames.items()}
    con = duckdb.connect(str(database))
    try:
        for dataset, arrow_table in tables.items():
            con.register("arrow_table", arrow_table)
            con.execute(f"create table {dataset} as select * from arrow_table limit 0")
            con.unregister("arrow_table")
        with watch.part("insert"):
            con.execute("begin")
            for dataset, arrow_table in tables.items():
                con.register("arrow_table", arrow_table)
                con.execute(f"insert into {dataset} select * from arrow_table")
                con.unregister("arrow_table")
            con.execute("commit")
    finally:
        con.close()


def time_gx_import(watch: Stopwatch) -> None:
    """``import great_expectations`` inside a fresh Python process, timed there as ``gx_import`` (the
    interpreter's own start is not counted)."""
    code = ("import time; wall, cpu = time.perf_counter(), time.process_time(); import great_expectations; "
            "print(time.perf_counter() - wall, time.process_time() - cpu)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    wall, cpu = map(float, done.stdout.split()[-2:])
    watch.add("gx_import", wall, cpu)


def time_validate(frames: dict[str, Any], watch: Stopwatch) -> None:
    """One validation of each dataset's rows with the project's suite, timed as ``validate`` and as
    ``validate_<dataset>`` (GX imported beforehand, untimed: its import is measured in a fresh process)."""
    import great_expectations  # noqa: F401

    from etl.validate.suite import validate_rows

    for dataset, frame in frames.items():
        with watch.part("validate"), watch.part(f"validate_{dataset}"):
            validate_rows(dataset, frame)


def _version(package: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return None


def measure_floor(landing: Path, scratch: Path | None = None) -> dict[str, Any]:
    """The floor of the night of ``landing``'s workbooks: seconds per part (wall, and this process's CPU),
    their total, and the counts."""
    import logging

    # fastexcel logs a line per column whose type it cannot settle (our title rows above numbers).
    logging.getLogger("fastexcel").setLevel(logging.ERROR)
    paths = workbooks(landing)
    watch = Stopwatch()
    has_fastexcel = importlib.util.find_spec("fastexcel") is not None
    with watch.part("reader_imports"):
        import duckdb  # noqa: F401
        import pyarrow  # noqa: F401
        import python_calamine  # noqa: F401

        if has_fastexcel:
            import fastexcel  # noqa: F401

    # Untimed, first: the night's rows (for the insert and the validation); it also brings the files into
    # the page cache, so that neither reader below pays for the disk alone.
    frames = night_rows(paths)
    reads = {"read_calamine": time_read(paths, _read_calamine, watch, "read_calamine")}
    if has_fastexcel:
        reads["read_fastexcel"] = time_read(paths, _read_fastexcel, watch, "read_fastexcel")
    fastest = min(reads, key=lambda part: watch.wall[part])
    watch.add("read", watch.wall[fastest], watch.cpu[fastest])
    with tempfile.TemporaryDirectory(dir=scratch) as tmp:
        time_insert(frames, Path(tmp) / "floor.duckdb", watch)
    time_gx_import(watch)
    time_validate(frames, watch)
    parts = ("read", "insert", "gx_import", "validate")
    watch.add("total", sum(watch.wall[p] for p in parts), sum(watch.cpu[p] for p in parts))

    out: dict[str, Any] = {
        "workbooks": len(paths),
        "xls": sum(p.suffix.lower() == ".xls" for p in paths),
        **watch.figures("total", *parts),
        "read_with": {"read_calamine": "python-calamine", "read_fastexcel": "fastexcel"}[fastest],
        "read_calamine_s": watch.wall["read_calamine"],
        "read_fastexcel_s": watch.wall.get("read_fastexcel"),
        "sheets": reads[fastest]["sheets"],
        "sheet_rows": reads[fastest]["rows"],
        "unreadable_workbooks": reads[fastest]["unreadable"],
        "rows": sum(len(frame) for frame in frames.values()),
        "row_count": ROW_COUNT,
        "reader_imports_s": watch.wall["reader_imports"],
        "python_calamine_version": _version("python-calamine"),
        "fastexcel_version": _version("fastexcel"),
    }
    for dataset in sorted(frames):
        out[f"rows_{dataset}"] = len(frames[dataset])
        out[f"validate_{dataset}_s"] = watch.wall[f"validate_{dataset}"]
    return out


def run_on_landing(measure: Callable[[Path], dict[str, Any]], description: str) -> None:
    """The command line of a benchmark over one landing folder: ``LANDING [--json OUT]``; prints the figures
    as JSON (and writes them to OUT)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("landing", type=Path, help="the folder of workbooks (a landing folder)")
    parser.add_argument("--json", type=Path, help="write the figures to this file as well")
    args = parser.parse_args()
    text = json.dumps(measure(args.landing), indent=1, ensure_ascii=False)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    run_on_landing(measure_floor, __doc__.split("\n\n")[0])
