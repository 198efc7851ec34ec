"""One workbook -> its submissions: find each known sheet, its province and period, its rows."""

from __future__ import annotations

import calendar
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd

from etl.extract.errors import NoRecognisableSheet, RejectedFile, UnknownPeriod, UnknownProvince
from etl.extract.layout import Header, find_header, find_period, title_text
from etl.extract.staffing import FIGURES, TableRows, read_staffing_rows
from etl.extract.workbook import Sheet, read_sheets
from etl.names import header_key
from etl.reference import era_of, find_province

SHEET_TYPES = {"01": "Biểu 01 - Bố trí CA chính quy"}
VIETNAM_TIME = timedelta(hours=7)  # Asia/Ho_Chi_Minh has no daylight saving


@dataclass
class SubmissionExtract:
    """One sheet of one file: one province, one sheet type, one period."""

    submission_id: str
    sheet_code: str
    sheet_name: str
    province_code: str
    admin_era: str
    period_start: date
    period_end: date
    as_of_date: date
    header_row: int
    table: TableRows

    def reconciliation(self) -> list[tuple[str, float | None, float]]:
        """(column, total row's value, sum of data rows) for each figure that does not add up."""
        out: list[tuple[str, float | None, float]] = []
        for column in FIGURES:
            stated = self.table.total.get(column)
            if stated is None or self.table.rows.empty:
                continue
            summed = float(self.table.rows[column].fillna(0).sum())
            if abs(stated - summed) > 1e-9:
                out.append((column, stated, summed))
        return out


@dataclass
class WorkbookExtract:
    """What one file gave: its identity, its submissions, or why it was rejected whole."""

    path: Path
    file_name: str
    sha256: str
    size_bytes: int
    received_at: datetime
    submissions: list[SubmissionExtract] = field(default_factory=list)
    rejection: RejectedFile | None = None


def file_identity(path: Path) -> tuple[str, int, datetime]:
    """sha256, size and arrival time (modification time, Vietnam local time) of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    stat = path.stat()
    received = datetime.fromtimestamp(stat.st_mtime, UTC).replace(tzinfo=None) + VIETNAM_TIME
    return digest.hexdigest(), stat.st_size, received.replace(microsecond=0)


def _province(lines: list[str], file_name: str, era: str) -> str | None:
    police_lines = [line for line in lines if "cong an" in header_key(line)]
    for text in (*police_lines, file_name, *lines):
        code = find_province(text, era)
        if code:
            return code
    return None


def _extract_sheet(sheet: Sheet, header: Header, code: str, sha: str, file_name: str) -> SubmissionExtract:
    lines = title_text(sheet, header)
    period = find_period(lines)
    if period is None:
        raise UnknownPeriod(
            f"sheet {sheet.name!r}: no period found in the title block (expected 'Tháng M năm YYYY')",
            f"trang {sheet.name!r}: không tìm thấy kỳ báo cáo ở phần tiêu đề (cần 'Tháng M năm YYYY')")
    year, month, as_of = period
    start = date(year, month, 1)
    end = date(year, month, calendar.monthrange(year, month)[1])
    as_of = as_of or end
    era = era_of(as_of)
    province = _province(lines, file_name, era)
    if province is None:
        raise UnknownProvince(
            f"sheet {sheet.name!r}: the province is named neither in the title block nor in the file name",
            f"trang {sheet.name!r}: không xác định được tỉnh (tiêu đề và tên tệp đều không ghi)")
    table = read_staffing_rows(sheet, header, era, province)
    return SubmissionExtract(f"{sha[:16]}-{code}", code, sheet.name, province, era, start, end, as_of,
                             header.first_row + 1, table)


def extract_workbook(path: Path) -> WorkbookExtract:
    """Read a province's workbook; a file that cannot be taken in carries its ``rejection``."""
    sha, size, received = file_identity(path)
    result = WorkbookExtract(path, path.name, sha, size, received)
    try:
        sheets = read_sheets(path)
        for code in SHEET_TYPES:
            found = [(s, h) for s in sheets if s.visible and (h := find_header(s, code)) is not None]
            if found:
                result.submissions.append(_extract_sheet(*found[0], code, sha, path.name))
        if not result.submissions:
            raise NoRecognisableSheet(
                "no sheet has the columns of a known report (e.g. 'Xã, thị trấn' and 'Số CA chính quy')",
                "không có trang nào đúng mẫu biểu (cần các cột 'Xã, thị trấn' và 'Số CA chính quy')")
        if all(s.table.rows[list(FIGURES)].isna().all().all() for s in result.submissions):
            raise RejectedFile("the template has no figures filled in", "biểu mẫu chưa điền số liệu")
    except RejectedFile as rejection:
        result.submissions = []
        result.rejection = rejection
    return result


def rows_frame(extract: WorkbookExtract, submission: SubmissionExtract) -> pd.DataFrame:
    """The submission's data rows with the identifying columns every later stage needs."""
    rows = submission.table.rows.copy()
    rows.insert(0, "submission_id", submission.submission_id)
    rows.insert(1, "file_name", extract.file_name)
    rows.insert(2, "sheet", submission.sheet_name)
    rows["admin_era"] = submission.admin_era
    rows["province_code"] = submission.province_code
    rows["as_of_date"] = submission.as_of_date
    return rows
