"""The ``cax`` command line: sample, ingest, indicators, extract, docs, completeness, history, units, demo.

Exit codes (docs/design.md, "Contracts"): 0 everything loaded; 3 a row quarantined or a file
rejected; 2 bad usage; 1 an internal failure.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import sys
from dataclasses import replace
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import NoReturn

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from etl.config import SettingError, Settings, debug, load_settings

app = typer.Typer(help="Commune-police reporting warehouse (Công an xã chính quy).", no_args_is_help=True,
                  pretty_exceptions_enable=False)
# Piped output (make demo, CI logs) gets a wide console rather than rich's 80 columns.
console = Console(width=None if sys.stdout.isatty() else 160)
WarehouseOption = typer.Option(
    None, "--warehouse", help="DuckDB file (default: $CAX_WAREHOUSE or var/warehouse.duckdb)")


def _settings(warehouse: Path | None = None) -> Settings:
    """The settings of a command; a CAX_* variable that its setting cannot take is bad usage (exit 2),
    named with what it takes, before anything is read or written."""
    try:
        return load_settings(warehouse)
    except SettingError as bad:
        console.print(f"[red]Thiết lập không hợp lệ / bad setting:[/red] {escape(str(bad))}", soft_wrap=True)
        raise typer.Exit(2) from None


SAMPLES_INSTALL = "uv sync --extra samples (or: pip install -e '.[samples]')"


def _existing_warehouse(warehouse: Path | None) -> Path:
    """The warehouse a reading command names (or the settings' default); exit 2 when there is none, or
    when the file is no DuckDB database (its header carries DuckDB's magic "DUCK" at byte 8)."""
    path = _settings(warehouse).warehouse
    if not path.is_file():
        console.print(f"[red]Chưa có kho dữ liệu / no warehouse at {_shown(str(path))}[/red]", soft_wrap=True)
        raise typer.Exit(2)
    with path.open("rb") as file:
        if file.read(12)[8:12] != b"DUCK":
            console.print(f"[red]Không phải kho dữ liệu DuckDB / not a DuckDB warehouse: {_shown(str(path))}[/red]",
                          soft_wrap=True)
            raise typer.Exit(2)
    return path


def _sample_generator():
    """``samples.generate_samples``; exits 2 naming the install command when the optional group is missing."""
    try:
        from samples import generate_samples
    except ImportError as missing:
        console.print(f"[red]Chưa cài bộ sinh dữ liệu mẫu / the sample generator is not installed[/red] "
                      f"({escape(str(missing))}): {escape(SAMPLES_INSTALL)}", soft_wrap=True)
        raise typer.Exit(2) from None
    return generate_samples


@app.command()
def sample(out: Path = typer.Option(..., "--out", help="Folder to write the workbooks into"),
           seed: int = typer.Option(2021, "--seed", help="Seed of the generator")) -> None:
    """Write the sample submissions of both eras (and truth.json, read only by tests)."""
    generate_samples = _sample_generator()
    files = generate_samples(out, seed)
    console.print(f"Đã tạo {len(files)} tệp mẫu / wrote {len(files)} sample workbooks in {out}")


def _shown(text: object) -> str:
    """A name as it may be printed: control and direction characters (U+202E...) made visible, and
    brackets never read as rich markup ("[red]x.xlsx" is a file name, "[/b]" a sheet name)."""
    import unicodedata

    text = text if isinstance(text, str) else ""
    return escape("".join("\ufffd" if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in text))


# A night of more submissions than this lists only those not loaded whole; the summary file has all.
LISTED_AT_MOST = 200


def _write_timings(path: Path, timings: dict[str, float], started: float, result) -> None:
    """``cax ingest --timings``: each stage's wall seconds, the whole command's, and peak memory
    (this process, and the largest parsing process), as JSON; one line of it printed."""
    import resource
    import time

    from etl.pipeline import STAGES

    ordered = {stage: timings[stage] for stage in STAGES if stage in timings}
    document = {
        "stages_s": {stage: round(seconds, 4) for stage, seconds in ordered.items()},
        "wall_s": round(time.perf_counter() - started, 4),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "largest_child_rss_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        "submissions": len(result.outcomes),
        "rows_loaded": sum(o.rows_loaded for o in result.outcomes),
        "rows_quarantined": result.rows_quarantined,
    }
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    console.print("Thời gian / time: " + " · ".join(f"{stage} {seconds:.2f} s" for stage, seconds in ordered.items())
                  + f"; đỉnh bộ nhớ / peak memory {document['peak_rss_mib']:.0f} MiB", soft_wrap=True)


def _ingest(paths: list[Path], settings: Settings, every_file: bool = True, timings_path: Path | None = None) -> int:
    import time

    from etl import report
    from etl.discover import discover, unusable_paths
    from etl.pipeline import run_night

    started = time.perf_counter()

    unusable = unusable_paths(paths)
    if unusable:  # before anything is written: a path mistyped is bad usage, not an empty night
        for path, why in unusable:
            console.print(f"[red]Không dùng được / cannot be used:[/red] {_shown(str(path))}: {why}",
                          soft_wrap=True)
        return 2
    timings: dict[str, float] = {}
    found = discover(paths, settings.warehouse)
    timings["discover"] = time.perf_counter() - started
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task("Đọc tệp / reading workbooks", total=len(found.fresh))
        result = run_night(paths, settings, on_file=lambda _: progress.advance(task), found=found, timings=timings)
    table = Table(title="Kết quả nạp / load summary")
    table.add_column("Tệp / file", overflow="fold", min_width=20)
    table.add_column("Trang / sheet", overflow="fold", min_width=12)
    table.add_column("Tỉnh", no_wrap=True)
    table.add_column("Trạng thái / status", overflow="fold")
    for column in ("Đọc/read", "Nạp/loaded", "Loại/quarant.", "C.báo/warn."):
        table.add_column(column, justify="right", overflow="fold")
    every_file = every_file and len(result.outcomes) <= LISTED_AT_MOST
    shown = [o for o in result.outcomes if every_file or o.status != "loaded"]
    for o in shown:
        style = {"loaded": "green", "loaded_with_errors": "yellow", "rejected": "red",
                 "duplicate": "blue"}.get(o.status, "white")
        table.add_row(_shown(o.file_name), _shown(o.sheet), o.province_code or "", f"[{style}]{o.status}[/{style}]",
                      str(o.rows_read), str(o.rows_loaded), str(o.rows_quarantined), str(o.warnings))
    if shown:
        console.print(table)
        # Reasons are never cut: each on its own line, whatever the terminal's width (or none, piped).
        for o in shown:
            if o.reason:
                console.print(f"- {_shown(o.file_name)}{' / ' + _shown(o.sheet) if o.sheet else ''}: "
                              f"{_shown(o.reason)}", soft_wrap=True, highlight=False)
    if len(shown) < len(result.outcomes):
        console.print(f"{len(result.outcomes) - len(shown)} bài nộp đã nạp đủ, không liệt kê / submissions "
                      "loaded whole, not listed")
    if result.outcomes:
        summary = report.write_load_summary(settings.var / "reports", result.run_id, result.outcomes)
        console.print(f"Bảng đầy đủ / full table: {_shown(str(summary))}", soft_wrap=True)
    duplicates = sum(o.status == "duplicate" for o in result.outcomes)
    console.print(f"{len(result.outcomes) - duplicates} bài nộp / submissions, {duplicates} tệp trùng / duplicate "
                  f"files, {result.already_taken_in} tệp đã nạp trước đó / already taken in, "
                  f"{result.rows_quarantined} dòng cách ly / rows quarantined, "
                  f"{result.files_rejected} bị từ chối / rejected. Kho / warehouse: {settings.warehouse}")
    if result.feedback:
        console.print(f"{len(result.feedback)} tệp phản hồi cho các tỉnh / feedback workbooks in {settings.feedback}")
    if timings_path is not None:
        _write_timings(timings_path, timings, started, result)
    return result.exit_code


@app.command()
def ingest(paths: list[Path] = typer.Argument(..., help="Workbooks or folders of workbooks"),
           warehouse: Path | None = WarehouseOption,
           timings: Path | None = typer.Option(None, "--timings", help="Write each stage's seconds and the peak "
                                               "memory to this JSON file (and print them)")) -> None:
    """Load workbooks into the warehouse (files already loaded are skipped)."""
    raise typer.Exit(_ingest(paths, _settings(warehouse), timings_path=timings))


# What the staffing indicators count, in the words of each era.
UNITS_IN_SCOPE = {"pre2025": "xã, thị trấn", "2025": "xã, phường, đặc khu"}


def _national_line(row) -> str:
    from etl.report import vn_number, vn_percent

    lists = ", ".join(f"{date.fromisoformat(x):%d/%m/%Y}" for x in str(getattr(row, "unit_lists", "") or "").split(", ")
                      if x)
    on_lists = f", danh mục / unit list {lists}" if lists else ""
    return (f"Cả nước / nationwide ({row.as_of_date:%d/%m/%Y}, {row.admin_era}{on_lists}): "
            f"{row.provinces_reporting}/{row.provinces_expected} tỉnh báo cáo / provinces reporting · "
            f"{vn_number(row.officers)} CA chính quy / regular officers · "
            f"{vn_number(row.communes_staffed)}/{vn_number(row.communes_in_scope)} {UNITS_IN_SCOPE[row.admin_era]} "
            f"có CA chính quy / communes staffed ({vn_percent(row.coverage_pct)}%) · "
            f"{vn_number(row.officers_per_commune, 2)} CA/xã / officers per commune")


def indicators_document(warehouse: Path, as_of: date | None, basis: str = "as_reported") -> dict:
    """What ``cax indicators --json`` prints: the national staffing (with each province's) and every
    indicator, as of a day; plain JSON types (whole numbers stay whole)."""
    from etl import report

    staffing = []
    for row in report.national_staffing(warehouse, as_of).itertuples():
        by_province = report.staffing_on_basis(warehouse, row.period_start, row.admin_era, basis, row.as_of_date)
        staffing.append({**_jsonable(row._asdict()), "provinces": [_jsonable(r) for r in
                                                                    by_province.to_dict(orient="records")]})
    rows = report.indicators(warehouse, basis, as_of)
    return {"boundary_basis": basis, "as_of": as_of.isoformat() if as_of else None,
            "national_staffing": staffing,
            "indicators": [_counted(_jsonable(r)) for r in rows.to_dict(orient="records")]}


def _print_indicators(warehouse: Path, as_of: date | None, as_json: bool, provinces: bool,
                      basis: str = "as_reported") -> int:
    from etl import report

    if not warehouse.exists():
        console.print(f"[red]Chưa có kho dữ liệu / no warehouse at {warehouse}[/red]")
        return 2
    if as_json:
        sys.stdout.write(json.dumps(indicators_document(warehouse, as_of, basis), ensure_ascii=False, indent=1)
                         + "\n")
        return 0
    national = report.national_staffing(warehouse, as_of)
    if basis != "as_reported":
        console.print("Ranh giới / boundaries: 34 tỉnh, thành phố từ 01/7/2025 / the 34 provinces of 2025 "
                      "(cả nước không đổi / nationwide figures are the same on either basis)")
    if national.empty:
        console.print("Chưa có số liệu bố trí CA chính quy / no staffing data yet")
    for row in national.itertuples():
        if provinces:
            _print_province_table(
                report.staffing_on_basis(warehouse, row.period_start, row.admin_era, basis, row.as_of_date))
        console.print(_national_line(row), soft_wrap=True)
    _print_id_cards(report.id_card_milestones(warehouse, as_of), report.national_id_card_milestones(warehouse, as_of),
                    as_of, provinces)
    _print_totals(warehouse, as_of)
    return 0


def _print_id_cards(per_province, national, as_of: date | None, provinces: bool) -> None:
    from etl.report import vn_number

    if as_of is not None:
        per_province = per_province[per_province.target_deadline >= as_of]
        national = national[national.target_deadline >= as_of]
    if provinces and not per_province.empty:
        table = _province_table("Tiến độ thu nhận hồ sơ CCCD / ID-card applications against the target", (
            "Chỉ tiêu / target", "Thời hạn / deadline", "Lũy kế / cumulative", "Ngày đạt / reached on",
            "Lũy kế ngày đạt / on that day", "Trước hạn (ngày) / days ahead"))
        for m in per_province.itertuples():
            reached = not pd.isna(m.target_reached_date)
            table.add_row(m.province_code, m.province_name, vn_number(m.target), f"{m.target_deadline:%d/%m/%Y}",
                          vn_number(m.cumulative_applications),
                          f"{m.target_reached_date:%d/%m/%Y}" if reached else "chưa đạt / not reached",
                          vn_number(m.cumulative_on_reached_date) if reached else "",
                          str(int(m.days_ahead)) if reached else "")
        console.print(table)
    for m in national.itertuples():
        campaign = per_province[(per_province.admin_era == m.admin_era)
                                & (per_province.target_deadline == m.target_deadline)]
        reached_count = int(campaign.target_reached_date.notna().sum())
        console.print(f"CCCD toàn quốc / nationwide ID cards ({m.admin_era}, hạn / deadline "
                      f"{m.target_deadline:%d/%m/%Y}, đến ngày / up to {m.last_report_date:%d/%m/%Y}): "
                      f"{vn_number(m.cumulative_applications)} hồ sơ / applications, "
                      f"chỉ tiêu / target {vn_number(m.target)}; {reached_count}/{len(campaign)} tỉnh đã đạt / "
                      "provinces reached it", soft_wrap=True)


def _print_totals(warehouse: Path, as_of: date | None) -> None:
    from etl import report
    from etl.report import vn_number

    security = report.national_totals(warehouse, "national_security_activity", [
        "tips_received", "crime_reports", "cases_clarified", "subjects", "admin_violation_cases", "fines_vnd"])
    commendations = report.national_totals(warehouse, "national_commendations", ["collectives", "individuals"])
    for frame in (security, commendations):
        if as_of is not None and not frame.empty:
            frame.drop(frame[frame.period_start > as_of].index, inplace=True)
    for r in security.itertuples():
        console.print(f"ANTT toàn quốc / nationwide security ({r.period_start:%m/%Y}, {r.admin_era}): "
                      f"{vn_number(r.tips_received)} tin ANTT / tips · {vn_number(r.crime_reports)} tin báo, tố giác "
                      f"/ crime reports · {vn_number(r.cases_clarified)} vụ làm rõ / cases clarified · "
                      f"{vn_number(r.subjects)} đối tượng / subjects · {vn_number(r.admin_violation_cases)} vụ "
                      f"xử phạt VPHC / admin. violations · {vn_number(r.fines_vnd)} đồng tiền phạt / VND fines",
                      soft_wrap=True)
    for r in commendations.itertuples():
        console.print(f"Khen thưởng toàn quốc / nationwide commendations ({r.period_start:%m/%Y}, {r.admin_era}): "
                      f"{vn_number(r.collectives)} tập thể / collectives · {vn_number(r.individuals)} cá nhân / "
                      "individuals", soft_wrap=True)


def _jsonable(record: dict) -> dict:
    """A row for JSON: dates as ISO text, missing values (None, NaN, pd.NA) as null, numpy scalars as
    Python numbers (an Int64 count stays a whole number)."""
    record.pop("Index", None)
    out: dict = {}
    for key, value in record.items():
        if isinstance(value, date):
            out[key] = value.isoformat()
        elif value is None or (not isinstance(value, str | list | dict) and pd.isna(value)):
            out[key] = None
        else:
            out[key] = value.item() if hasattr(value, "item") else value
    return out


def _province_table(title: str, figures: tuple[str, ...]) -> Table:
    """A table of one row per province: its code and name on the left, then ``figures`` on the right."""
    table = Table(title=title)
    table.add_column("Mã / code")
    table.add_column("Tỉnh, thành phố / province")
    for column in figures:
        table.add_column(column, justify="right")
    return table


def _counted(record: dict) -> dict:
    """An indicator's value as a whole number when it counts (a stock or a flow: officers, communes,
    applications), not 366.0; ratios keep their decimals."""
    value = record.get("value")
    if record.get("aggregation") in ("stock", "flow") and isinstance(value, float) and value.is_integer():
        record["value"] = int(value)
    return record


def _print_province_table(frame) -> None:
    from etl.report import vn_number, vn_percent

    table = _province_table(f"Bố trí CA chính quy theo tỉnh / staffing by province ({len(frame)})", (
        "Ngày số liệu / as of", "CA chính quy / officers", "Xã có CA / staffed", "Xã trong phạm vi / in scope",
        "Tỷ lệ / coverage %", "CA/xã / per commune"))
    for r in frame.itertuples():
        table.add_row(r.province_code, r.province_name, f"{r.as_of_date:%d/%m/%Y}", vn_number(r.officers),
                      vn_number(r.communes_staffed), vn_number(r.communes_in_scope), vn_percent(r.coverage_pct),
                      vn_number(r.officers_per_commune, 2))
    console.print(table)


class Basis(StrEnum):
    as_reported = "as_reported"
    y2025 = "2025"


@app.command()
def indicators(as_of: str | None = typer.Option(None, "--as-of", help="Latest month on or before this day, YYYY-MM-DD"),
               basis: Basis = typer.Option(Basis.as_reported, "--basis",
                                           help="Boundaries: as reported, or the 34 provinces of 2025"),
               as_json: bool = typer.Option(False, "--json", help="Machine-readable output, every indicator"),
               warehouse: Path | None = WarehouseOption) -> None:
    """Print the national indicators; --json gives every indicator per province."""
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        console.print(f"[red]Ngày không hợp lệ / bad date:[/red] {as_of} (YYYY-MM-DD)")
        raise typer.Exit(2) from None
    raise typer.Exit(_print_indicators(_settings(warehouse).warehouse, day, as_json, provinces=False,
                                       basis=basis.value))


# The day of the Ministry's review conference in the source article, and the province it singles out.
DEMO_EXTRACT_DAY = date(2021, 5, 31)
DEMO_PROVINCES = ("30",)


@app.command()
def demo(seed: int = typer.Option(2021, "--seed")) -> None:
    """Sample every province into var/demo/, load it into a fresh demo warehouse, print the indicators,
    write the leadership extracts as of 31/5/2021 into var/demo/extracts/.

    Everything goes under var/demo/ (CAX_VAR/demo): the demo never touches CAX_LANDING or
    CAX_WAREHOUSE, which may hold real submissions.
    """
    base = _settings()
    generate_samples = _sample_generator()
    root = base.var / "demo"
    settings = replace(base, warehouse=root / "warehouse.duckdb", landing=root / "landing",
                       published=root / "published" / "warehouse.duckdb", var=root)
    for stale in (settings.landing, settings.staging):
        shutil.rmtree(stale, ignore_errors=True)
    settings.warehouse.unlink(missing_ok=True)
    files = generate_samples(settings.landing, seed)
    console.print(f"Đã tạo {len(files)} tệp mẫu / wrote {len(files)} sample workbooks in {settings.landing}")
    _ingest([settings.landing], settings, every_file=False)
    _print_indicators(settings.warehouse, None, as_json=False, provinces=True)
    from etl.report import months_reported

    for month in months_reported(settings.warehouse):
        _print_completeness(settings.warehouse, month)
    console.print(f"Kho dữ liệu demo / demo warehouse: {settings.warehouse} "
                  f"(cax indicators --warehouse {settings.warehouse})", soft_wrap=True)
    # The leadership's files for the Ministry's review conference of 31/5/2021 (the source article),
    # singling out Hải Dương, whose ID-card count the article reports.
    from etl.leadership.extracts import write_extracts

    written = write_extracts(settings.warehouse, DEMO_EXTRACT_DAY, root / "extracts", provinces=DEMO_PROVINCES)
    console.print(f"Báo cáo lãnh đạo ngày / leadership extracts as of {DEMO_EXTRACT_DAY:%d/%m/%Y}:",
                  highlight=False)
    for paragraph in written.brief.paragraphs[:3]:
        console.print(f"  {paragraph.text}", soft_wrap=True, highlight=False)
    for file in written.paths:
        console.print(f"Đã ghi / wrote {file}", soft_wrap=True, highlight=False)
    raise typer.Exit(0)


@app.command()
def extract(out: Path = typer.Option(..., "--out", help="Folder to write the files into"),
            as_of: str | None = typer.Option(None, "--as-of", help="Day of the figures, YYYY-MM-DD (default: today)"),
            basis: Basis = typer.Option(Basis.as_reported, "--basis",
                                        help="Boundaries: as reported, or the 34 provinces of 2025"),
            province: list[str] = typer.Option([], "--province",
                                               help="GSO code of a province to single out (repeatable), e.g. 30"),
            warehouse: Path | None = WarehouseOption) -> None:
    """Write the leadership extracts: TongHop_DATE.xlsx, BaoCao_DATE.pdf and BaoCao_DATE.html."""
    from etl.clock import now_vietnam
    from etl.leadership.extracts import write_extracts
    from etl.leadership.figures import UnknownProvince

    try:
        day = date.fromisoformat(as_of) if as_of else now_vietnam().date()
    except ValueError:
        console.print(f"[red]Ngày không hợp lệ / bad date:[/red] {_shown(as_of)} (YYYY-MM-DD)")
        raise typer.Exit(2) from None
    path = _existing_warehouse(warehouse)
    codes = tuple(dict.fromkeys(p.strip().zfill(2) for p in province))
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".cax-extract-{os.getpid()}"
        probe.touch()
        probe.unlink()
    except OSError as error:
        console.print(f"[red]Không ghi được vào thư mục / cannot write into --out {_shown(str(out))}:[/red] "
                      f"{_shown(error.strerror or str(error))}", soft_wrap=True)
        raise typer.Exit(2) from None
    try:
        written = write_extracts(path, day, out, basis.value, codes)
    except UnknownProvince as error:
        era = "34 tỉnh từ 01/07/2025 / the 34 provinces of 2025" if basis.value == "2025" else \
            "các tỉnh của kỳ báo cáo / the provinces of the reports' era"
        console.print(f"[red]Mã tỉnh không có / no such province code: {_shown(', '.join(error.args[0]))} "
                      f"({era})[/red]")
        raise typer.Exit(2) from None
    console.print(written.brief.headline, soft_wrap=True, highlight=False)
    for line in written.brief.footer[1:3]:
        console.print(line, soft_wrap=True, highlight=False)
    for file in written.paths:
        console.print(f"Đã ghi / wrote {file}", soft_wrap=True, highlight=False)


SHEET_NAMES = {"01": "Biểu 01 bố trí CA / staffing", "02": "Biểu 02 ANTT / security",
               "03": "Biểu 03 CCCD / ID cards (daily)", "04": "Biểu 04 khen thưởng / commendations"}


def _provinces_with(by_province, status: str, daily: bool, at_most: int = 10) -> str:
    """'Tỉnh A, Tỉnh B (3)': the provinces with ``status`` (for a daily sheet, how many days)."""
    picked = [f"{name} ({statuses.count(status)})" if daily else name
              for (_, name), statuses in by_province.items() if status in statuses]
    more = f" ... và {len(picked) - at_most} tỉnh khác / and {len(picked) - at_most} more" \
        if len(picked) > at_most else ""
    return ", ".join(picked[:at_most]) + more


def _print_completeness(warehouse: Path, month: date) -> None:
    from etl import report

    frame = report.completeness(warehouse, month)
    if frame.empty:
        console.print(f"Không có báo cáo nào phải nộp trong {month:%m/%Y} / no report was due in {month:%m/%Y}")
        return
    for sheet, rows in frame.groupby("sheet", sort=True):
        by_province = rows.groupby(["province_code", "province_name"]).status.agg(list)
        expected = len(by_province)
        reported = sum(any(s in ("on_time", "late") for s in statuses) for statuses in by_province)

        line = (f"{SHEET_NAMES.get(str(sheet), sheet)} {month:%m/%Y}: {reported}/{expected} tỉnh đã báo cáo / "
                "provinces reported")
        for status, label in (("late", "muộn / late"), ("missing", "chưa báo cáo / missing"),
                              ("rejected", "bị từ chối / rejected")):
            listed = _provinces_with(by_province, status, daily=sheet == "03")
            if listed:
                line += f"; {label}{' (ngày / days)' if sheet == '03' else ''}: {listed}"
        console.print(line, soft_wrap=True)


@app.command()
def completeness(period: str = typer.Option(..., "--period", help="Month, YYYY-MM"),
                 warehouse: Path | None = WarehouseOption) -> None:
    """Which provinces reported each sheet for a month: on time, late, missing or rejected."""
    try:
        month = date.fromisoformat(f"{period}-01")
    except ValueError:
        console.print(f"[red]Kỳ không hợp lệ / bad period:[/red] {period} (YYYY-MM)")
        raise typer.Exit(2) from None
    path = _existing_warehouse(warehouse)
    _print_completeness(path, month)


@app.command()
def history(province: str = typer.Option(..., "--province", help="GSO province code, e.g. 30"),
            warehouse: Path | None = WarehouseOption) -> None:
    """List a province's files and submissions with their status (newest first)."""
    from etl import reference, report
    from etl.report import vn_number

    path = _existing_warehouse(warehouse)
    code = province.strip().zfill(2)
    names = {era: reference.provinces(era).set_index("unit_code").name.get(code) for era in reference.ERAS}
    if not code.isdigit() or not any(names.values()):
        console.print(f"[red]Mã tỉnh {_shown(province)!r} không có trong danh mục (63 tỉnh trước 01/07/2025, "
                      f"34 tỉnh từ 01/07/2025) / {_shown(province)!r} is no province code of either era[/red]")
        raise typer.Exit(2)
    known = " · ".join(f"{name} ({'trước / before' if era == 'pre2025' else 'từ / from'} 01/07/2025)"
                       for era, name in names.items() if name)
    frame = report.history(path, code)
    if frame.empty:
        console.print(f"Tỉnh {code} ({known}) chưa gửi tệp nào / no file from province {code}")
        raise typer.Exit(0)
    table = Table(title=f"Lịch sử nộp báo cáo / submissions of province {code}: {known}")
    # Narrow enough for an 80-column terminal: every column folds, the counts share one column as wide
    # as the widest (rich crops a table wider than the terminal at its right edge, where counts were).
    # The province is in the title, and on each row only when the code named two (24: Bắc Giang before
    # 1/7/2025, Bắc Ninh after); the reasons follow the table, whole.
    both_eras = frame.province_name[frame.province_name.fillna("") != ""].nunique() > 1
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Nhận lúc / received", overflow="fold", min_width=8)
    if both_eras:
        table.add_column("Tỉnh / province", overflow="fold")
    table.add_column("Tệp / file", overflow="fold", min_width=8)
    for column in ("Trang / sheet", "Kỳ / period", "Trạng thái / status"):
        table.add_column(column, overflow="fold")
    counted = ["/".join(vn_number(n) for n in (r.rows_read, r.rows_loaded, r.rows_quarantined, r.warnings))
               for r in frame.itertuples()]
    table.add_column("Đọc/Nạp/\nLoại/C.báo", justify="right", overflow="fold",
                     min_width=max(len(c) for c in counted))
    reasons = []
    for number, (r, counts) in enumerate(zip(frame.itertuples(), counted, strict=True), start=1):
        period = (f"{r.period_start:%d/%m/%Y}-{r.period_end:%d/%m/%Y}" if not pd.isna(r.period_start) else "")
        table.add_row(str(number), f"{r.received_at:%d/%m/%Y %H:%M}",
                      *([_shown(r.province_name)] if both_eras else []), _shown(r.file_name), _shown(r.sheet),
                      period, r.status, counts)
        if r.reason:
            sheet = f" / {_shown(r.sheet)}" if isinstance(r.sheet, str) and r.sheet else ""
            reasons.append(f"#{number} {_shown(r.file_name)}{sheet}: "
                           f"{_shown(r.reason)}")
    console.print(table)
    console.print("Đọc/Nạp/Loại/C.báo: số dòng đọc / nạp / cách ly / cảnh báo (rows read / loaded / "
                  "quarantined / warnings)", soft_wrap=True, highlight=False)
    # Reasons are never cut: each whole on its own line, whatever the terminal's width (or none, piped).
    if reasons:
        console.print("Lý do / reasons:")
    for line in reasons:
        console.print(f"- {line}", soft_wrap=True, highlight=False)


@app.command()
def docs(out: Path | None = typer.Option(None, "--out", help="Folder to write into (default: $CAX_VAR/docs, i.e."
                                         " var/docs; D/docs for --warehouse D/X.duckdb)"),
         warehouse: Path | None = WarehouseOption) -> None:
    """Write the data dictionary (Markdown and HTML): every view, table and column of mart, dw, audit
    and ref, with what it means, from the warehouse's own comments."""
    from etl.docs import undescribed, write_dictionary

    settings = _settings(warehouse)
    _existing_warehouse(warehouse)
    md_path, html_path, relations = write_dictionary(settings.warehouse, out or settings.docs)
    columns = sum(len(r.columns) for r in relations)
    console.print(f"Đã viết từ điển dữ liệu / wrote the data dictionary ({len(relations)} bảng và view / tables and "
                  f"views, {columns} cột / columns): {_shown(str(md_path))}, {_shown(str(html_path))}", soft_wrap=True)
    if missing := undescribed(relations):
        console.print(f"[yellow]{len(missing)} bảng, view hoặc cột chưa có chú thích / have no comment, e.g. "
                      f"{_shown(', '.join(missing[:5]))}: a warehouse made by an older version gets them at its next "
                      "night[/yellow]", soft_wrap=True)


units_app = typer.Typer(help="Official unit lists (Danh mục đơn vị hành chính) by date.", no_args_is_help=True)
app.add_typer(units_app, name="units")


@units_app.command("import", no_args_is_help=True)
def units_import(
    file: Path = typer.Argument(..., help="The GSO export (Danh mục đơn vị hành chính): .xlsx, .xls or .csv"),
    as_of: str = typer.Option(..., "--as-of", help="The day the list takes effect, YYYY-MM-DD"),
    replace_list: bool = typer.Option(False, "--replace",
                                      help="Let the import stand in for a committed or package list of the same day"),
    show: int = typer.Option(30, "--show", min=0,
                             help="Changed units printed (every one is in the CSV report); 0: none"),
    warehouse: Path | None = WarehouseOption,
) -> None:
    """Add a new official unit list, in force from --as-of: a reform without code.

    \b
    FILE is the GSO export (danhmuchanhchinh.gso.gov.vn), read by its headers whatever their
    order, accents or case, below any title rows:
      with districts (up to June 2025): Tỉnh Thành Phố, Mã TP, Quận Huyện, Mã QH, Phường Xã,
        Mã PX, Cấp;
      without (from July 2025): Tên Tỉnh/TP, Mã TP, Tên Phường/Xã, Mã PX, Cấp.
    Other columns (Tên Tiếng Anh ...) are ignored. A .csv is read as UTF-8 (Excel's "CSV UTF-8"),
    comma-, semicolon- or tab-separated. Codes are kept as text, zero-padded (province 2, district 3,
    commune 5 digits). The type (xã, phường, thị trấn, đặc khu) is the name's prefix, else the Cấp
    column (then the name is stored with it: "Bạch Long Vĩ" + Cấp "Đặc khu" -> "Đặc khu Bạch Long Vĩ").

    \b
    The list is refused whole (exit 3), each problem with its file, row and column, when:
      a row has no code or no name, or a code that is not a number of its width;
      a commune code is used twice; a province or district code has two names;
      a province code is not one of the provinces of --as-of's era (63 before 1 July 2025, 34
      from then: provinces map exactly between eras), or one of them is missing (a list is national);
      a list before 1 July 2025 has no district columns, or one from then names districts;
      a unit's type is neither in its name nor in Cấp.

    \b
    It is kept as a new dated list: units_<DATE>.csv.gz and an entry in imported.json in
    $CAX_UNIT_LISTS (default $CAX_VAR/unit_lists, i.e. var/unit_lists; every process that loads
    reports, Airflow's included, must see the same folder). It is in force from --as-of to the
    day before the next list; reports dated from then resolve against it. Importing again on the
    same day replaces the earlier import. A committed or package list of that day (evidence kept
    with the project) is shadowed only with --replace.

    \b
    The crosswalk from the list in force the day before is worked out from codes and names, as
    between every pair of lists, and nothing is guessed. The report says, per unit of that list:
      unchanged; renamed, respelled, retyped (xã -> phường ...) or moved (code kept);
      merged into another unit (its name found again in its district, or once in its province
      among the new or renamed units); unmapped (gone, the lists do not say where);
    and per code new in this list: created, or formed by a merger. It prints the counts, the
    provinces whose units changed (units in scope before and after), and the first --show changed
    units; the full report, every changed unit with its evidence, is written as CSV beside the
    list (units_<DATE>.changes.csv). From --as-of, a report naming a unit whose name is gone is
    quarantined with "không còn trong danh mục ngày <DATE>; có trong danh mục ngày <earlier>,
    đã nhập vào <unit> (<code>)", the last part where the crosswalk knows the unit it became
    part of (its code kept under a new name, or its name kept under another code).

    \b
    If the warehouse exists, its reference side is rebuilt for the lists known now in one
    transaction (ref.unit_list, ref.admin_unit, the crosswalks, ref.province_scope,
    dw.dim_admin_unit; facts re-pointed to their unit's version), the marts rebuilt and the
    analysts' copy published again. Submissions already loaded keep the list they were resolved
    against; the output counts those dated on or after --as-of.

    \b
    Exit codes: 0 imported; 3 the list was refused; 2 bad usage (a bad date, no such file, a
    list of record shadowed without --replace, a bad setting); 1 an internal failure.
    """
    from etl.units_import import ImportNotAllowed, ListRefused, import_units

    try:
        day = date.fromisoformat(as_of)
    except ValueError:
        console.print(f"[red]Ngày không hợp lệ / bad date:[/red] {_shown(as_of)} (YYYY-MM-DD)")
        raise typer.Exit(2) from None
    if not file.is_file():
        console.print(f"[red]Không có tệp / no such file:[/red] {_shown(str(file))}", soft_wrap=True)
        raise typer.Exit(2)
    settings = _settings(warehouse)
    try:
        result = import_units(file, day, settings, replace=replace_list)
    except ListRefused as refused:
        console.print(f"[red]Không nhận danh mục / list refused:[/red] {_shown(refused.file_name)} "
                      f"({len(refused.problems)} lỗi / problems)", soft_wrap=True)
        for problem in refused.problems[:50]:
            console.print(f"  {_shown(problem.where(refused.file_name))}: {_shown(problem.message_vi)} / "
                          f"{_shown(problem.message_en)}", soft_wrap=True)
        if len(refused.problems) > 50:
            console.print(f"  ... và {len(refused.problems) - 50} lỗi khác / and {len(refused.problems) - 50} more")
        raise typer.Exit(3) from None
    except ImportNotAllowed as refused:
        console.print(f"[red]Không nhập / not imported:[/red] {_shown(refused.message_vi)} / "
                      f"{_shown(refused.message_en)}", soft_wrap=True)
        raise typer.Exit(2) from None
    _print_units_import(result, show)
    raise typer.Exit(0)


def _print_units_import(result, show: int) -> None:
    from etl.report import vn_number
    from etl.unit_lists import dmy, list_units
    from etl.units_import import KINDS

    stored, report = result.stored, result.report
    new = stored.unit_list
    until = "" if new.valid_to.year == 9999 else f" đến / to {dmy(new.valid_to)}"
    console.print(f"Đã nhập {new.label_vi} / imported {new.label_en}: {vn_number(len(list_units(new.list_id)))} "
                  f"đơn vị cấp xã / commune-level units, áp dụng từ / in force from {dmy(new.valid_from)}{until} "
                  f"({new.admin_era}); lưu tại / stored in {_shown(str(stored.path))}", soft_wrap=True)
    if stored.replaced_import:
        console.print(f"Thay cho lần nhập trước cùng ngày / replaces the earlier import of {dmy(new.data_date)}")
    if stored.shadowed is not None:
        console.print(f"[yellow]Thay cho / stands in for {_shown(stored.shadowed.label_en)} "
                      f"({_shown(stored.shadowed.source)}) (--replace)[/yellow]", soft_wrap=True)
    previous = report.previous
    if previous is None:
        console.print("Không có danh mục nào trước ngày này / no earlier list: every unit counts as created")
    table = Table(title="Thay đổi so với " + (f"{previous.label_vi} / changes against {previous.label_en}"
                                               if previous else "(không có) / changes"))
    table.add_column("Thay đổi / change")
    table.add_column("Số đơn vị / units", justify="right")
    for kind, (vi, en) in KINDS.items():
        table.add_row(f"{vi} / {en}", vn_number(report.counts[kind]))
    console.print(table)
    if not report.provinces.empty:
        provinces = _province_table(f"Tỉnh có thay đổi / provinces whose units changed ({len(report.provinces)})", (
            "Trong phạm vi trước / in scope before", "Trong phạm vi sau / in scope after",
            "Đơn vị thay đổi / units changed"))
        for p in report.provinces.itertuples():
            provinces.add_row(p.province_code, _shown(p.province_name), vn_number(p.in_scope_before),
                              vn_number(p.in_scope_after), vn_number(p.units_changed))
        console.print(provinces)
    if show and not report.details.empty:
        shown = report.details.head(show)
        details = Table(title=f"Đơn vị thay đổi / changed units ({len(shown)}/{len(report.details)})")
        for column in ("Thay đổi / change", "Tỉnh", "Mã cũ / old code", "Tên cũ / old name", "Mã mới / new code",
                       "Tên mới / new name", "Căn cứ / evidence"):
            details.add_column(column, overflow="fold")
        for d in shown.itertuples():
            vi, en = KINDS[d.kind]
            details.add_row(f"{vi} / {en}", d.province_code, *(_shown(v if isinstance(v, str) else "") for v in (
                d.from_code, d.from_name, d.to_code, d.to_name, d.evidence)))
        console.print(details)
    console.print(f"Báo cáo đầy đủ / full report: {_shown(str(report.path))}", soft_wrap=True)
    if report.next_list is not None:
        console.print(f"{report.next_list.label_vi.capitalize()} nay đối chiếu từ danh mục này / "
                      f"{report.next_list.label_en} now maps from this list", soft_wrap=True)
    refreshed = result.warehouse
    if refreshed is None:
        console.print("Chưa có kho dữ liệu / no warehouse yet: the list is used from the next load")
        return
    console.print(f"Kho dữ liệu đã cập nhật danh mục / warehouse reference refreshed: {refreshed.lists} danh mục / "
                  f"lists in ref.unit_list, {vn_number(refreshed.units)} đơn vị / units of {new.list_id}; "
                  f"đã xuất bản lại / published again: {_shown(str(refreshed.published))}", soft_wrap=True)
    if refreshed.resolved_earlier:
        console.print(f"[yellow]{refreshed.resolved_earlier} bài nộp có ngày từ {dmy(new.valid_from)} đã được đối "
                      f"chiếu với danh mục trước / submissions dated from {dmy(new.valid_from)} were resolved "
                      "against an earlier list and keep it[/yellow]", soft_wrap=True)


def main() -> None:
    """Console entry point: an internal failure is one clear line (exit 1), not a traceback.

    Set CAX_DEBUG=1 to see the traceback.
    """
    from etl.load.warehouse import WarehouseError

    code: object = 0
    try:
        app()  # usage errors exit 2 and typer.Exit its code, inside typer
    except SystemExit as done:  # how every command ends, through typer
        code = done.code
    except WarehouseError as failure:
        console.print(f"[red]Kho dữ liệu / warehouse:[/red] {escape(str(failure))}", soft_wrap=True)
        code = 1
    except SettingError as bad:  # a setting read where it is used, after the command's own check
        console.print(f"[red]Thiết lập không hợp lệ / bad setting:[/red] {escape(str(bad))}", soft_wrap=True)
        code = 2
    except Exception as failure:
        if debug():
            raise
        console.print(f"[red]Lỗi nội bộ / internal failure:[/red] {type(failure).__name__}: {escape(str(failure))}\n"
                      "Chạy lại với CAX_DEBUG=1 để xem chi tiết / run again with CAX_DEBUG=1 for the traceback.",
                      soft_wrap=True)
        code = 1
    _leave(code)


def _leave(code: object) -> NoReturn:
    """End the process with ``code`` without tearing the interpreter down.

    After a night the heap holds pandas, pyarrow, DuckDB and Great Expectations; freeing it object by
    object took about 1 s of a 10 s national night, for nothing the operating system does not do at
    once. Every command has closed its warehouse connections and written its files by now; the exit
    handlers still run (temporary folders removed, logs flushed), and so do the output streams.
    (No command leaves a thread running: a non-daemon thread would not be waited for.)
    """
    if code is None:
        code = 0
    elif not isinstance(code, int):  # sys.exit("message"): printed, exit 1, as Python does
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (cax ... | head): nothing more can be said
            pass
    os._exit(code)


if __name__ == "__main__":
    main()
