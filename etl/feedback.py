"""Feedback workbooks for the provinces: what was loaded, what was wrong, what must be resent.

For each file of a night with quarantined rows, warnings or a rejection, one workbook under
``var/feedback/<province_code>/``: a summary sheet first, then the province's own sheets with
the offending cells highlighted and a column "Lỗi" explaining each problem in Vietnamese.
Everything copied from the submission is written as a value (text stays text, even "=5 người"):
nothing a province sent can come back as a live formula. Every name and value a province chose goes
through etl.safe first (file and sheet names, NaN, text too long or holding control characters), so
no file name, sheet name or cell stops the night or gives a workbook Excel refuses. The sheets are
copied from what the extract stage staged (etl.extract.stage): feedback never opens a landing file.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from etl import safe
from etl.extract.stage import StagedFile, StagedSubmission, read_cells, read_stage
from etl.load.warehouse import frame, read

log = logging.getLogger(__name__)

STATUS_VI = {
    "loaded": "Đã nạp đủ", "loaded_with_errors": "Đã nạp, có dòng bị loại", "rejected": "Bị từ chối",
    "duplicate": "Trùng tệp đã gửi", "superseded": "Đã được thay bằng bản gửi sau",
}
SUMMARY_SHEET = "Tóm tắt"


def feedback_path(out_dir: Path, province_code: str | None, file_name: str, taken: set[str] | None = None) -> Path:
    """var/feedback/<province>/<file name>.xlsx, the name made safe for any file system (etl.safe.file_name);
    with ``taken``, the names already given in that folder this night, a name never given twice."""
    return out_dir / (province_code or "unknown") / safe.file_name(file_name, taken)


def write_feedback(validated_dir: Path, warehouse: Path, run_id: str, out_dir: Path) -> list[Path]:
    """Write the night's feedback workbooks; returns their paths."""
    stage_paths = json.loads((validated_dir / "files.json").read_text(encoding="utf-8"))
    # A file is its bytes and its name: a byte-identical copy sent the same night is another file.
    staged = {(s.sha256, s.file_name): s for s in (read_stage(Path(p)) for p in stage_paths)}

    def night(conn: sa.Connection) -> tuple[pd.DataFrame, pd.DataFrame]:
        submissions = frame(conn, "select * from audit.submission where run_id = $run", {"run": run_id})
        problems = frame(conn, """
            select submission_id, sheet, row_number, column_name, severity, message_vi from audit.quarantine
            where run_id = $run
            union all
            select submission_id, sheet, row_number, column_name, severity, message_vi from audit.warning
            where run_id = $run""", {"run": run_id})
        return submissions, problems

    submissions, problems = read(warehouse, night)
    written = []
    taken: dict[str | None, set[str]] = {}  # per province folder: two files may share a name once made safe
    for (sha, file_name), rows in submissions.groupby(["sha256", "file_name"], sort=False):
        source = staged.get((str(sha), str(file_name)))
        mine = problems[problems.submission_id.isin(rows.submission_id)]
        needs = (rows.status == "rejected").any() or not mine.empty
        if source is None or not needs:
            continue
        province = next((p for p in rows.province_code if isinstance(p, str) and p), None)
        path = feedback_path(out_dir, province, source.file_name, taken.setdefault(province, set()))
        try:
            _write_workbook(path, source, rows, mine)
        except Exception:  # noqa: BLE001 - one file's sheets must not cost the other files their feedback
            # What the copy of a sheet met is a defect to mend, loudly; the province still learns
            # what happened to its file from the summary, which holds no cell it sent.
            log.exception("feedback for %r: its sheets could not be copied; writing the summary alone",
                          source.file_name)
            _write_workbook(path, source, rows, mine, copy_sheets=False)
        written.append(path)
    return written


def _write_workbook(path: Path, source: StagedFile, submissions: pd.DataFrame, problems: pd.DataFrame,
                    copy_sheets: bool = True) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    styles = {
        "title": book.add_format({"bold": True, "font_size": 13}),
        "bold": book.add_format({"bold": True}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
        "error": book.add_format({"bg_color": "#F4B6B6", "border": 1, "border_color": "#C00000"}),
        "warning": book.add_format({"bg_color": "#FFE699", "border": 1, "border_color": "#BF8F00"}),
        "note": book.add_format({"text_wrap": True, "font_color": "#C00000", "valign": "top"}),
    }
    # Every sheet a submission was read from, a table continued on a second sheet included.
    ordered = sorted((s for sub in source.submissions for s in sub.sheets()), key=lambda s: s.sheet_position)
    # The province's sheet names as a workbook can hold them: the summary shows both where they differ.
    names = safe.sheet_names([s.sheet for s in ordered], [SUMMARY_SHEET])
    _write_summary(book, styles, source, submissions, problems, dict(zip([s.sheet for s in ordered], names,
                                                                         strict=True)))
    # A file rejected whole has no sheets to show: the summary says why.
    for sheet, name in zip(ordered if copy_sheets else [], names if copy_sheets else [], strict=True):
        _copy_sheet(book, styles, sheet, name, problems[problems.sheet == sheet.sheet])
    book.close()


def _put(page, row: int, col: int, value: object, style=None) -> safe.Cell:
    """Write one value as etl.safe.safe_cell makes it (a number, text, or blank); returns that cell,
    whose note says what had to change, for the caller to show."""
    cell = safe.safe_cell(value)
    if isinstance(cell.value, str):
        page.write_string(row, col, cell.value, style)  # never a formula, whatever it begins with
    elif cell.value is not None:
        page.write_number(row, col, cell.value, style)
    elif style is not None:
        page.write_blank(row, col, None, style)
    return cell


def _write_summary(book, styles, source: StagedFile, submissions: pd.DataFrame, problems: pd.DataFrame,
                   names: dict[str, str]) -> None:
    page = book.add_worksheet(SUMMARY_SHEET)
    page.set_column(0, 0, 34)
    page.set_column(1, 1, 90)
    lines: list[tuple[str, object]] = [
        ("Tệp", source.file_name), ("Nhận lúc", source.received_at.strftime("%d/%m/%Y %H:%M")),
    ]
    page.write_string(0, 0, "KẾT QUẢ TIẾP NHẬN BÁO CÁO", styles["title"])
    row = 2
    for label, value in lines:
        page.write_string(row, 0, label, styles["bold"])
        _put(page, row, 1, str(value))
        row += 1
    if source.rejection_code:
        page.write_string(row + 1, 0, "Kết quả", styles["bold"])
        page.write_string(row + 1, 1, "Cả tệp bị từ chối, không có số liệu nào được nạp.", styles["note"])
        page.write_string(row + 2, 0, "Lý do", styles["bold"])
        _put(page, row + 2, 1, source.reason_vi or "", styles["wrap"])
        page.write_string(row + 3, 0, "Cần làm", styles["bold"])
        page.write_string(row + 3, 1, "Sửa tệp theo lý do trên và gửi lại toàn bộ tệp.", styles["wrap"])
        return
    row += 1
    headers = ["Trang (biểu)", "Kỳ báo cáo", "Kết quả", "Số dòng đọc", "Đã nạp", "Bị loại", "Cảnh báo",
               "Cần gửi lại"]
    for col, text in enumerate(headers):
        page.write_string(row, col if col < 2 else col, text, styles["bold"])
    page.set_column(2, 7, 16)
    for sub in submissions.itertuples():
        row += 1
        errors = problems[(problems.submission_id == sub.submission_id) & (problems.severity == "error")]
        resend = ", ".join(str(r) for r in sorted(set(errors.row_number.dropna().astype(int))))
        if sub.status == "rejected":
            resend = "cả trang / the whole sheet"
        period = (f"{sub.period_start:%d/%m/%Y} - {sub.period_end:%d/%m/%Y}"
                  if not pd.isna(sub.period_start) else "")
        sheet = sub.sheet if isinstance(sub.sheet, str) else ""
        if names.get(sheet, sheet) != sheet:
            sheet += f" (trang '{names[sheet]}' trong tệp này)"
        values = [sheet, period, STATUS_VI.get(sub.status, sub.status), sub.rows_read, sub.rows_loaded,
                  sub.rows_quarantined, sub.warnings, f"dòng {resend}" if resend and sub.status != "rejected"
                  else resend]
        for col, value in enumerate(values):
            if not isinstance(value, str) and pd.isna(value):
                value = None  # a null count from the warehouse: blank, nothing wrong
            cell = _put(page, row, col, value)
            if cell.value is None and cell.note:  # the summary has no column "Lỗi": the note stands in
                page.write_string(row, col, cell.note, styles["note"])
        if isinstance(sub.reason, str) and sub.reason:
            row += 1
            _put(page, row, 1, f"Lý do: {sub.reason}", styles["note"])
    row += 2
    page.write_string(row, 0, "Ghi chú", styles["bold"])
    page.write_string(row, 1, "Các ô tô đỏ bị loại (phải sửa và gửi lại); các ô tô vàng là cảnh báo (đã nạp, "
                              "đề nghị kiểm tra). Lý do ghi ở cột \"Lỗi\" cuối mỗi trang.", styles["wrap"])


def _copy_sheet(book, styles, submission: StagedSubmission, name: str, problems: pd.DataFrame) -> None:
    page = book.add_worksheet(name)
    cells = read_cells(submission) if submission.cells_path else []
    width = max((len(r) for r in cells), default=0)
    messages: dict[int, list[str]] = {}
    for r, values in enumerate(cells):
        for c, value in enumerate(values):
            if note := _put(page, r, c, value).note:
                messages.setdefault(r, []).append(f"Cột {xl_col_to_name(c)}: {note}")
    page.write_string(submission.header_row - 1, width, "Lỗi", styles["bold"])
    page.set_column(width, width, 70)
    columns = submission.columns
    for p in problems.itertuples():
        if pd.isna(p.row_number):
            continue
        r = int(p.row_number) - 1
        col = _column_of(str(p.column_name), columns)
        if col is not None:
            value = cells[r][col] if r < len(cells) and col < len(cells[r]) else None
            _put(page, r, col, value, styles["error" if p.severity == "error" else "warning"])
        prefix = "" if p.severity == "error" else "(Cảnh báo) "
        messages.setdefault(r, []).append(prefix + str(p.message_vi))
    for r, texts in messages.items():
        _put(page, r, width, "; ".join(dict.fromkeys(texts)), styles["note"])


def _column_of(column_name: str, columns: dict[str, int]) -> int | None:
    """The sheet column a rule's column refers to (the unit code falls back to the name)."""
    if column_name in columns:
        return columns[column_name]
    fallbacks = {"unit_code": ("commune_name", "unit_name", "code_given"), "level": ("level_written",)}
    for candidate in fallbacks.get(column_name, ()):
        if candidate in columns:
            return columns[candidate]
    return None
