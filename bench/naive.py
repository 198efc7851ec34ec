"""The naive pipeline: what a data team would otherwise build for these workbooks, timed on one landing folder.

    python bench/naive.py LANDING [--json OUT]

Each workbook in turn (every .xlsx and .xls of ``LANDING``; ``truth.json`` and any other file are left out):

- read: ``pandas.read_excel(path, sheet_name=None, header=None, engine="openpyxl")`` (an .xls with pandas'
  default xlrd engine when xlrd is installed, else the .xls is skipped and counted); in each sheet the
  header is the first row that holds one of the template's first headings ("STT", "Ngày", "Cấp khen
  thưởng"), a second header row under it (no number in it) is joined to it, the sheet type is told by a
  heading keyword, columns are named by keywords, and the rows below that are not blank are kept, figures
  made numbers and dates made dates with pandas;
- validate: one Great Expectations validation per (workbook, sheet): ``ValidationDefinition.run`` on the
  sheet's rows with a small suite per sheet type, built the GX 1.x way (the unit's name is not null,
  every figure, made a number when read, is at least 0), in GX's default ephemeral context (its progress
  bars included);
- to_sql: ``DataFrame.to_sql(table, engine, if_exists="append", index=False, method=None)`` through
  SQLAlchemy and duckdb_engine into a fresh DuckDB file, one table per sheet type.

Importing great_expectations is timed first, as the first thing the process does beyond the standard
library; the total runs from there to the last insert (``process_s`` adds the interpreter's start). Each
part has its wall seconds (``<part>_s``) and this process's CPU seconds (``<part>_cpu_s``).
Nothing checks that a name is a real unit, that a row is not a total, or that a file was sent twice: a
naive pipeline does not. Run by ``bench/run.py`` in a process of its own; prints the figures as JSON.
"""

from __future__ import annotations

import importlib.util
import tempfile
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from floor import Stopwatch, run_on_landing, workbooks

# The first heading of each sheet of the template (docs/template.md), folded (see fold).
FIRST_HEADINGS = ("stt", "ngay", "cap khen thuong")


@dataclass(frozen=True)
class SheetType:
    """A sheet of the template as the naive pipeline knows it: its table, the keyword of its header that
    tells it apart, and, in order of precedence, the keyword that names each column."""

    table: str
    keyword: str
    name_column: str
    columns: tuple[tuple[str, str], ...]  # (column, keyword in its folded heading)
    figures: tuple[str, ...]
    dates: tuple[str, ...] = ()


_UNIT = (("code_given", "ma dvhc"), ("district_name", "huyen"), ("commune_name", "xa"), ("note", "ghi chu"),
         ("row_no", "stt"))
SHEET_TYPES = (
    SheetType("security_activity", "antt", "commune_name", (
        ("tips_received", "antt"), ("crime_reports", "toi pham"), ("cases_clarified", "lam ro"),
        ("subjects", "doi tuong"), ("admin_violation_cases", "vphc"), ("fines_vnd", "tien phat"),
        ("education_dossiers", "giao duc tai"), ("rehab_dossiers", "cai nghien"),
        ("reform_school_dossiers", "giao duong"), *_UNIT),
        ("tips_received", "crime_reports", "cases_clarified", "subjects", "admin_violation_cases", "fines_vnd",
         "education_dossiers", "rehab_dossiers", "reform_school_dossiers")),
    SheetType("commune_staffing", "chinh quy", "commune_name", (
        ("deputies", "pho truong"), ("chiefs", "truong ca"), ("officers", "chinh quy"),
        ("staffed_date", "ngay hoan thanh"), *_UNIT),
        ("officers", "chiefs", "deputies"), ("staffed_date",)),
    SheetType("id_card_applications", "thu nhan", "unit_name", (
        ("applications", "thu nhan"), ("report_date", "ngay"), ("unit_name", "huyen"), ("unit_name", "xa"),
        ("note", "ghi chu")),
        ("applications",), ("report_date",)),
    SheetType("commendation", "khen", "level_written", (
        ("collectives", "tap the"), ("individuals", "ca nhan"), ("level_written", "khen"), ("note", "ghi chu"),
        ("row_no", "stt")),
        ("collectives", "individuals")),
)


def fold(value: object) -> str:
    """A cell as lower-case text without diacritics ("Ngày" -> "ngay"); "" for an empty cell."""
    if value is None or value != value:  # NaN
        return ""
    text = unicodedata.normalize("NFD", str(value)).replace("đ", "d").replace("Đ", "D")
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).lower().split())


def header_row(rows: Sequence[Sequence[object]]) -> int | None:
    """Index of the first row one of whose cells is one of the template's first headings, if any."""
    for i, row in enumerate(rows):
        if any(fold(cell) in FIRST_HEADINGS for cell in row):
            return i
    return None


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def headings(rows: Sequence[Sequence[object]], at: int) -> tuple[list[str], int]:
    """The folded heading of each column and the first row below the header: a row under the header with
    text and no number (a second header row, or the column numbers) is joined to it."""
    top = [fold(cell) for cell in rows[at]]
    below = rows[at + 1] if at + 1 < len(rows) else []
    if any(fold(cell) for cell in below) and not any(_is_number(cell) for cell in below):
        return [f"{a} {fold(b)}".strip() for a, b in zip(top, below, strict=False)], at + 2
    return top, at + 1


def sheet_type(names: Sequence[str]) -> SheetType | None:
    """The sheet type whose keyword one of the headings holds, if any."""
    return next((kind for kind in SHEET_TYPES if any(kind.keyword in name for name in names)), None)


def column_names(kind: SheetType, names: Sequence[str]) -> dict[int, str]:
    """Sheet column -> our column, each of ours given to the first heading holding its keyword."""
    named: dict[int, str] = {}
    for position, name in enumerate(names):
        column = next((c for c, keyword in kind.columns if keyword in name and c not in named.values()), None)
        if column:
            named[position] = column
    return named


def sheet_rows(sheet: Any, source: str, sheet_name: str) -> tuple[SheetType, Any] | None:
    """A sheet read with ``header=None`` as its type and the rows below its header, typed; ``None`` for
    a sheet with no header or of no known type."""
    import pandas as pd

    rows = sheet.to_numpy(dtype=object).tolist()
    at = header_row(rows)
    if at is None:
        return None
    names, first = headings(rows, at)
    kind = sheet_type(names)
    if kind is None:
        return None
    named = column_names(kind, names)
    body = sheet.iloc[first:, list(named)].set_axis(list(named.values()), axis=1).dropna(how="all")
    columns = dict.fromkeys(c for c, _ in kind.columns)
    frame = body.reindex(columns=list(columns)).astype(object)
    for column in frame.columns:
        if column in kind.figures:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
        elif column in kind.dates:
            frame[column] = pd.to_datetime(frame[column], errors="coerce", dayfirst=True, format="mixed")
        else:
            frame[column] = frame[column].map(lambda v: None if v is None or v != v else str(v)).astype(object)
    frame.insert(0, "source_file", source)
    frame.insert(1, "sheet", sheet_name)
    return kind, frame.reset_index(drop=True)


def _suites(context: Any) -> dict[str, Any]:
    """One ValidationDefinition per sheet type, on a whole-DataFrame batch, with its small suite."""
    import great_expectations as gx

    source = context.data_sources.add_pandas("landing")
    definitions = {}
    for kind in SHEET_TYPES:
        batch = source.add_dataframe_asset(name=kind.table).add_batch_definition_whole_dataframe("sheet")
        suite = context.suites.add(gx.ExpectationSuite(name=kind.table))
        suite.add_expectation(gx.expectations.ExpectColumnValuesToNotBeNull(column=kind.name_column))
        for figure in kind.figures:
            suite.add_expectation(gx.expectations.ExpectColumnValuesToBeBetween(column=figure, min_value=0))
        definitions[kind.table] = context.validation_definitions.add(
            gx.ValidationDefinition(name=kind.table, data=batch, suite=suite))
    return definitions


def measure_naive(landing: Path, scratch: Path | None = None) -> dict[str, Any]:
    """The naive pipeline over ``landing``'s workbooks: seconds per part (wall, and this process's CPU), the
    total, and the counts."""
    watch = Stopwatch()
    started = time.perf_counter(), time.process_time()
    with watch.part("gx_import"):
        import great_expectations as gx
    import pandas as pd  # both imported by great_expectations already
    import sqlalchemy as sa

    has_xlrd = importlib.util.find_spec("xlrd") is not None
    paths = workbooks(landing)
    taken = [p for p in paths if has_xlrd or p.suffix.lower() != ".xls"]
    counts = dict.fromkeys(("sheets", "sheets_not_data", "unreadable_workbooks", "batches", "failed_batches",
                            "rows"), 0)
    with tempfile.TemporaryDirectory(dir=scratch) as tmp:
        with watch.part("validate"):
            definitions = _suites(gx.get_context(mode="ephemeral"))
        with watch.part("to_sql"):
            engine = sa.create_engine(f"duckdb:///{Path(tmp) / 'naive.duckdb'}")
        for path in taken:
            with watch.part("read"):
                try:
                    sheets = pd.read_excel(path, sheet_name=None, header=None,
                                           engine="openpyxl" if path.suffix.lower() == ".xlsx" else None)
                except Exception:  # noqa: BLE001 - a file pandas cannot open is skipped, as a script would
                    counts["unreadable_workbooks"] += 1
                    continue
                found = [sheet_rows(sheet, path.name, str(name)) for name, sheet in sheets.items()]
            batches = [batch for batch in found if batch is not None]
            counts["sheets"] += len(found)
            counts["sheets_not_data"] += len(found) - len(batches)
            for kind, frame in batches:
                with watch.part("validate"):
                    result = definitions[kind.table].run(batch_parameters={"dataframe": frame})
                with watch.part("to_sql"):
                    frame.to_sql(kind.table, engine, if_exists="append", index=False, method=None)
                counts["batches"] += 1
                counts["failed_batches"] += not result.success
                counts["rows"] += len(frame)
        engine.dispose()
    watch.add("total", time.perf_counter() - started[0], time.process_time() - started[1])
    return {
        "workbooks": len(paths),
        "xls_skipped": len(paths) - len(taken),
        **watch.figures("total", "gx_import", "read", "validate", "to_sql"),
        "process_s": _process_seconds(),
        **counts,
    }


def _process_seconds() -> float | None:
    """Seconds since this process started (the interpreter's start included), when psutil can tell."""
    try:
        import psutil
    except ImportError:
        return None
    return time.time() - psutil.Process().create_time()


if __name__ == "__main__":
    run_on_landing(measure_naive, __doc__.split("\n\n")[0])
