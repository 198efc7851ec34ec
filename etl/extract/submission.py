"""One workbook -> its submissions: find each known sheet, its province and period, its rows."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd

from etl.clock import now_vietnam
from etl.config import Limits
from etl.discover import DiscoveredFile, identify
from etl.extract.errors import (
    ChangedFile,
    ImplausiblePeriod,
    NoRecognisableSheet,
    RejectedFile,
    UnknownPeriod,
    UnknownProvince,
    file_problem,
)
from etl.extract.layout import Header, find_header, find_period, find_target, period_in_name, title_text
from etl.extract.sheets import SHEETS, SheetSpec
from etl.extract.table import TableRows, read_rows
from etl.extract.workbook import Sheet, read_sheets
from etl.names import header_key
from etl.reference import era_of, find_province
from etl.unit_lists import latest_of_era, list_for


def submission_id(sha256: str, sheet_code: str | None = None) -> str:
    """The one way a submission is named: the file's first 16 hex digits, and the sheet code of the
    template ('01' to '04'); a file rejected whole is the file's digits alone."""
    return f"{sha256[:16]}-{sheet_code}" if sheet_code else sha256[:16]


@dataclass(frozen=True)
class Continuation:
    """Another sheet whose rows join a submission: the table continued ("Biểu 01 (tiếp)", or a sheet
    of rows alone), or a second sheet of the same report whose rows are quarantined."""

    sheet: Sheet
    header: Header  # the columns its rows were read with (the first sheet's, for a sheet without header)
    position: int  # the sheet's place among the workbook's sheets
    has_header: bool = True


@dataclass
class SubmissionExtract:
    """One sheet of one file: one province, one sheet type, one period."""

    submission_id: str
    spec: SheetSpec
    sheet_name: str
    province_code: str
    admin_era: str
    period_start: date
    period_end: date
    as_of_date: date | None
    header_row: int
    table: TableRows
    unit_list: str = ""  # id of the unit list the rows were resolved against (in force on units_date)
    units_date: date | None = None  # the date that chose it: the as-of date, else the period's end
    before_oldest_list: bool = False  # the report is older than every list: the oldest was used
    target: tuple[int, date] | None = None  # sheet 03: (target, deadline) from the header cell
    header: Header | None = None
    sheet_position: int = 0  # the sheet's place among the workbook's sheets
    sheet: Sheet | None = None  # the cells as read, staged for the feedback workbook
    continuations: list[Continuation] = field(default_factory=list)  # later sheets whose rows joined
    total_sheet: str | None = None  # the sheet of the total row, when not the first sheet

    @property
    def sheet_code(self) -> str:
        return self.spec.code

    def reconciliation(self) -> list[tuple[str, float | None, float]]:
        """(column, total row's value, sum of data rows) for each figure that does not add up."""
        out: list[tuple[str, float | None, float]] = []
        # The total adds up the rows of its sheet and of the sheets before it, not the rows placed
        # below it or those of a sheet that is not the table's continuation.
        sheets = [self.sheet_name, *(c.sheet.name for c in self.continuations)]
        counted = sheets[:sheets.index(self.total_sheet) + 1] if self.total_sheet in sheets else sheets[:1]
        rows = self.table.rows
        if not rows.empty:
            rows = rows[rows.row_problem.isna() & rows.sheet.isin(counted)]
        for column in self.spec.figures:
            stated = self.table.total.get(column)
            if stated is None or rows.empty:
                continue
            summed = float(pd.to_numeric(rows[column], errors="coerce").fillna(0).sum())
            if abs(stated - summed) > 1e-6:
                out.append((column, stated, summed))
        return out


@dataclass(frozen=True)
class SheetRejection:
    """A recognised sheet that cannot be taken in (the file's other sheets still can)."""

    sheet_name: str
    sheet_code: str
    problem: RejectedFile
    province_code: str | None = None  # as the title block names it, when it does
    period: tuple[date, date] | None = None  # the title's month, when it names one


@dataclass
class WorkbookExtract:
    """What one file gave: its identity, its submissions, or why it was rejected whole."""

    file: DiscoveredFile
    submissions: list[SubmissionExtract] = field(default_factory=list)
    rejection: RejectedFile | None = None
    sheet_rejections: list[SheetRejection] = field(default_factory=list)
    province_code: str | None = None  # when known, even for a file rejected whole
    period: tuple[date, date] | None = None  # the month a file rejected whole was meant for, when known

    @property
    def path(self) -> Path:
        return self.file.path

    @property
    def file_name(self) -> str:
        return self.file.name

    @property
    def sha256(self) -> str:
        return self.file.sha256

    @property
    def received_at(self) -> datetime:
        return self.file.received_at


def _province(lines: list[str], file_name: str, era: str) -> str | None:
    police_lines = [line for line in lines if "cong an" in header_key(line)]
    for text in (*police_lines, file_name, *lines):
        code = find_province(text, era)
        if code:
            return code
    return None


def group_sheets(sheets: list[Sheet]) -> dict[str, list[tuple[int, Sheet, Header | None]]]:
    """Each known report's sheets, the one that holds it first; hidden sheets are never taken.

    A sheet goes to the report whose columns it matches most; when two visible sheets hold the
    same report, the one named like the template comes first, then the first in the workbook; the
    others follow in workbook order, with every visible sheet without a header that comes after one
    of the report's sheets (rows continuing the table, header None). Each comes with its place
    among the workbook's sheets.
    """
    found: dict[str, list[tuple[int, int, Sheet, Header | None]]] = {}
    last_code: str | None = None
    for order, sheet in enumerate(sheets):
        if not sheet.visible:
            continue
        readings = [(spec, h) for spec in SHEETS.values() if (h := find_header(sheet, spec.code)) is not None]
        if not readings:
            if last_code is not None:
                found[last_code].append((1, order, sheet, None))
            continue
        spec, header = max(readings, key=lambda r: len(r[1].columns))
        named = bool(re.search(spec.name_pattern, header_key(sheet.name)))
        found.setdefault(spec.code, []).append((-int(named), order, sheet, header))
        last_code = spec.code
    groups = {}
    for code, options in found.items():
        first = min((o for o in options if o[3] is not None), key=lambda o: o[:2])
        groups[code] = [first[1:], *(o[1:] for o in sorted(options, key=lambda o: o[1]) if o is not first)]
    return groups


def classify_sheets(sheets: list[Sheet]) -> dict[str, tuple[int, Sheet, Header]]:
    """The sheet holding each known report (the first of ``group_sheets``), with its place."""
    return {code: (position, sheet, header) for code, ((position, sheet, header), *_) in group_sheets(sheets).items()
            if header is not None}


def _month(start: date | None) -> str:
    return f"{start:%m/%Y}" if start else "?"


def _title_period(sheet: Sheet, lines: list[str]) -> tuple[int, int, date | None] | None:
    """find_period of a sheet's title block; an as-of date or a month that cannot be read rejects the
    sheet, naming it as written (a month's end taken in its place would hide an implausible date)."""
    try:
        return find_period(lines)
    except ValueError as unreadable:
        raise UnknownPeriod(
            f"sheet {sheet.name!r}: '{unreadable}' in the title block is not a day/month/year date or a month "
            "that exists (write 'Tháng 4 năm 2021 (Số liệu tính đến ngày 23/4/2021)')",
            f"trang {sheet.name!r}: '{unreadable}' ở phần tiêu đề không phải ngày/tháng/năm hoặc tháng có thật "
            "(ví dụ 'Tháng 4 năm 2021 (Số liệu tính đến ngày 23/4/2021)')",
        ) from None


def _not_continued(sub: SubmissionExtract, sheet: Sheet, header: Header) -> str | None:
    """Why a second sheet of ``sub``'s report does not continue it (another month or province, in
    the words of both sheets), or None when it does."""
    lines = title_text(sheet, header)
    try:
        period = find_period(lines) if sub.spec.cadence == "monthly" else None
    except ValueError:  # its as-of date unreadable: its month alone says whether it continues
        period = None
    month = date(period[0], period[1], 1) if period else None
    province = _province(lines, "", sub.admin_era)
    if (month is None or month == sub.period_start) and province in (None, sub.province_code):
        return None
    return (f"'{sheet.name}' ({_month(month)}, {province or '?'}) ≠ "
            f"'{sub.sheet_name}' ({_month(sub.period_start)}, {sub.province_code})")


def _continues(spec: SheetSpec, rows: pd.DataFrame) -> bool:
    """Whether rows read from a sheet without a header continue a table: one of them names a unit
    of the province (or a level) and holds a number in a figure column."""
    if rows.empty:
        return False
    named = (rows.level if spec.code == "04" else rows.unit_code).notna()
    figures = pd.concat([rows[f].notna() & rows[f"{f}_raw"].fillna("").ne("") for f in spec.figures], axis=1)
    return bool((named & figures.any(axis=1)).any())


def join_sheets(sub: SubmissionExtract, others: list[tuple[int, Sheet, Header | None]]) -> None:
    """Add to ``sub`` the rows of its report's other sheets, each row with its own sheet and row.

    A sheet with the same header continues the table unless its title names another month or
    province: then its rows are kept with the problem 'other_sheet' (to be quarantined), never
    dropped. A sheet without a header continues the table when, read with the first sheet's
    columns, a row names a unit of the province (or a level); otherwise it is not part of the
    report (instructions, a chart's data) and is left alone.
    """
    assert sub.header is not None
    frames = [sub.table.rows] if not sub.table.rows.empty else []
    for position, sheet, header in others:
        has_header = header is not None
        header = header or Header(0, 0, sub.header.columns)
        table = read_rows(sheet, header, sub.spec, sub.unit_list, sub.province_code)
        rows = table.rows
        if not has_header and not _continues(sub.spec, rows):
            continue
        problem = _not_continued(sub, sheet, header) if has_header else None
        if problem and not rows.empty:
            rows = rows.assign(row_problem="other_sheet", problem_detail=problem)
        elif table.total_row_number is not None:
            sub.table.total_row_number, sub.table.total, sub.total_sheet = (table.total_row_number, table.total,
                                                                            sheet.name)
        frames += [rows] if not rows.empty else []
        sub.continuations.append(Continuation(sheet, header, position, has_header))
    if len(frames) > 1:
        sub.table.rows = pd.concat(frames, ignore_index=True)
    elif frames:
        sub.table.rows = frames[0]
    if sub.spec.cadence == "daily" and sub.continuations:
        rows = sub.table.rows
        days = [d for d in rows.loc[rows.row_problem.isna(), "report_date"] if isinstance(d, date)]
        if days:
            sub.period_start, sub.period_end = min(days), max(days)


# The programme's records start in 2018: a period before it is a typo (1900 is Excel's day 0).
EARLIEST_PERIOD = date(2018, 1, 1)
# A monthly report is a snapshot taken in its month or in the days after it, while it is compiled.
AS_OF_GRACE_DAYS = 15


def _dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _mm_yyyy(day: date) -> str:
    return day.strftime("%m/%Y")


def _quarantine_implausible_days(table: TableRows, cutoff: date) -> None:
    """Daily rows dated after the night's cut-off or before EARLIEST_PERIOD lose their date and are
    quarantined as an unreadable date (the row's other days still load; its raw date stays as sent)."""
    rows = table.rows
    if "report_date" not in rows:
        return
    implausible = rows.report_date.map(lambda d: isinstance(d, date) and not EARLIEST_PERIOD <= d <= cutoff)
    for index in rows.index[implausible.astype(bool)]:
        rows.at[index, "report_date"] = None
        problems = [p for p in str(rows.at[index, "parse_problems"] or "").split(",") if p]
        rows.at[index, "parse_problems"] = ",".join([*problems, "report_date"])


def _period(spec: SheetSpec, sheet: Sheet, lines: list[str], table: TableRows, file_name: str,
            cutoff: date) -> tuple[date, date, date | None]:
    """The sheet's period and as-of date; an implausible one rejects the sheet (ImplausiblePeriod)."""
    if spec.cadence == "daily":
        _quarantine_implausible_days(table, cutoff)
        days = [d for d in table.rows.get("report_date", pd.Series(dtype=object)) if isinstance(d, date)]
        if days:
            return min(days), max(days), None
    period = _title_period(sheet, lines)
    if period is None:
        raise UnknownPeriod(
            f"sheet {sheet.name!r}: no period found in the title block (expected 'Tháng M năm YYYY')",
            f"trang {sheet.name!r}: không tìm thấy kỳ báo cáo ở phần tiêu đề (cần 'Tháng M năm YYYY')")
    start, end, as_of = _month_of(period)
    _check_month(sheet.name, start, end, as_of, file_name if spec.cadence == "monthly" else None, cutoff)
    return start, end, as_of or end


def _month_of(period: tuple[int, int, date | None]) -> tuple[date, date, date | None]:
    """(first day, last day, as-of date as written) of find_period's (year, month, as-of)."""
    year, month, as_of = period
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]), as_of


def _check_month(sheet_name: str, start: date, end: date, as_of: date | None, file_name: str | None,
                 cutoff: date) -> None:
    """Refuse a month the report cannot be for, naming both dates: as-of date outside the month (or
    more than AS_OF_GRACE_DAYS after it), another month in the file name, a month after the night's
    cut-off or before EARLIEST_PERIOD."""
    month = _mm_yyyy(start)
    latest = end + timedelta(days=AS_OF_GRACE_DAYS)
    named = period_in_name(file_name) if file_name else None
    if start > cutoff:
        en = f"the report's month {month} is after the night's cut-off {_dmy(cutoff)}"
        vi = f"kỳ báo cáo tháng {month} sau thời điểm nhận số liệu {_dmy(cutoff)}"
    elif start < EARLIEST_PERIOD:
        en = f"the report's month {month} is before {_dmy(EARLIEST_PERIOD)}, when the programme's records start"
        vi = f"kỳ báo cáo tháng {month} trước ngày {_dmy(EARLIEST_PERIOD)} (chưa có số liệu của chương trình)"
    elif as_of is not None and not start <= as_of <= latest:
        en = (f"the as-of date {_dmy(as_of)} is not in the title's month {month} nor at most {AS_OF_GRACE_DAYS} "
              f"days after it (by {_dmy(latest)})")
        vi = (f"ngày số liệu {_dmy(as_of)} không thuộc tháng {month} ghi ở tiêu đề, cũng không trong "
              f"{AS_OF_GRACE_DAYS} ngày sau tháng đó (đến {_dmy(latest)})")
    elif as_of is not None and as_of > cutoff:
        en = f"the as-of date {_dmy(as_of)} is after the night's cut-off {_dmy(cutoff)}"
        vi = f"ngày số liệu {_dmy(as_of)} sau thời điểm nhận số liệu {_dmy(cutoff)}"
    elif named is not None and named != (start.year, start.month):
        written = f"{named[1]:02d}/{named[0]}"
        en = f"the file name {file_name!r} says month {written} but the title says {month}"
        vi = f"tên tệp {file_name!r} ghi tháng {written} nhưng tiêu đề ghi tháng {month}"
    else:
        return
    raise ImplausiblePeriod(f"sheet {sheet_name!r}: {en}", f"trang {sheet_name!r}: {vi}")


def _extract_sheet(sheet: Sheet, header: Header, spec: SheetSpec, sha: str, file_name: str,
                   position: int, cutoff: date) -> SubmissionExtract:
    lines = title_text(sheet, header)
    # The era decides which unit list names are read against; a daily sheet's dates come
    # from its rows, which need the era first: read with the title's period when there is one.
    period = _title_period(sheet, lines)
    if period is not None and spec.cadence == "monthly":
        # Checked before the era is chosen from it: a month of 2099 is no reason to look for a 2025 province.
        _check_month(sheet.name, *_month_of(period), file_name, cutoff)
    provisional = (period[2] or date(period[0], period[1], 1)) if period else None
    era = era_of(provisional) if provisional else None
    province = None
    for candidate_era in ([era] if era else ["pre2025", "2025"]):
        province = _province(lines, file_name, candidate_era)
        if province:
            era = candidate_era
            break
    if province is None and era is not None:
        other = "2025" if era == "pre2025" else "pre2025"
        if _province(lines, file_name, other):
            when = "before" if era == "pre2025" else "from"
            raise UnknownProvince(
                f"sheet {sheet.name!r}: the province named is not one of the {era} list, which applies to reports "
                f"dated {when} 1 July 2025 (the 63 provinces were merged into 34 on that day)",
                f"trang {sheet.name!r}: tỉnh ghi trong báo cáo không thuộc danh mục áp dụng cho kỳ báo cáo "
                "(từ 01/7/2025 cả nước có 34 tỉnh, thành phố; trước đó là 63)")
    if province is None or era is None:
        raise UnknownProvince(
            f"sheet {sheet.name!r}: the province is named neither in the title block nor in the file name",
            f"trang {sheet.name!r}: không xác định được tỉnh (tiêu đề và tên tệp đều không ghi)")
    # The units are those of the list in force on the report's date: read with the title's date
    # first, then again when the period read from the rows falls under another list.
    unit_list = list_for(provisional)[0] if provisional else latest_of_era(era)
    table = read_rows(sheet, header, spec, unit_list.list_id, province)
    start, end, as_of = _period(spec, sheet, lines, table, file_name, cutoff)
    units_date = as_of or end
    final, before_oldest = list_for(units_date)
    if final.admin_era != era_of(start):
        # A June 2025 report dated in July keeps the 63 provinces of its month: their latest list.
        final, before_oldest = latest_of_era(era_of(start)), False
    if final != unit_list:
        if final.admin_era != era:
            era = final.admin_era
            province = _province(lines, file_name, era)
            if province is None:
                raise UnknownProvince(f"sheet {sheet.name!r}: no province of the {era} list is named",
                                      f"trang {sheet.name!r}: không có tỉnh nào của danh mục {era}")
        table = read_rows(sheet, header, spec, final.list_id, province)
        _period(spec, sheet, lines, table, file_name, cutoff)  # the same checks on the rows read again
    return SubmissionExtract(submission_id(sha, spec.code), spec, sheet.name, province, era, start, end, as_of,
                             header.first_row + 1, table, final.list_id, units_date, before_oldest,
                             find_target(lines) if spec.code == "03" else None, header, position, sheet)


def extract_workbook(file: DiscoveredFile | Path, limits: Limits | None = None,
                     cutoff: datetime | None = None) -> WorkbookExtract:
    """Read a province's workbook; a file that cannot be taken in carries its ``rejection``.

    ``file`` is the night's record of it (a bare path is identified here, for use outside a night);
    ``cutoff`` is the night's (now, in Vietnam time, when not given): nothing dated after it loads.
    """
    file = file if isinstance(file, DiscoveredFile) else identify(Path(file))
    last_day = (cutoff or now_vietnam()).date()
    sha = file.sha256
    result = WorkbookExtract(file)
    try:
        sheets = _read_as_discovered(file, limits)
        for code, ((position, sheet, header), *others) in sorted(group_sheets(sheets).items()):
            try:
                assert header is not None
                submission = _extract_sheet(sheet, header, SHEETS[code], sha, file.name, position, last_day)
                join_sheets(submission, others)
                result.submissions.append(submission)
            except RejectedFile as problem:
                result.sheet_rejections.append(SheetRejection(sheet.name, code, problem,
                                                              *_named_in_title(sheet, header, file.name,
                                                                               last_day)))
        if not result.submissions and result.sheet_rejections:
            raise result.sheet_rejections[0].problem
        if not result.submissions:
            raise NoRecognisableSheet(
                "no sheet has the columns of a report of the template (e.g. 'Xã, thị trấn' and 'Số CA chính quy')",
                "không có trang nào đúng mẫu biểu (ví dụ cần các cột 'Xã, thị trấn' và 'Số CA chính quy')")
        if all(_has_no_figures(s) for s in result.submissions):
            raise RejectedFile("the template has no figures filled in", "biểu mẫu chưa điền số liệu")
    except RejectedFile as rejection:
        # Whose file, for which month, as far as its sheets tell: its feedback and the completeness
        # of that province's month count it as rejected, not missing.
        known = {s.province_code for s in result.submissions} | {
            r.province_code for r in result.sheet_rejections if r.province_code}
        result.province_code = known.pop() if len(known) == 1 else _province([], file.name, "pre2025")
        months = {(s.period_start, s.period_end) for s in result.submissions if s.spec.cadence == "monthly"} | {
            r.period for r in result.sheet_rejections if r.period and SHEETS[r.sheet_code].cadence == "monthly"}
        named = period_in_name(file.name)
        if len(months) == 1:
            result.period = months.pop()
        elif named:
            year, month = named
            result.period = (date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))
        if result.period and era_of(result.period[0]) == "2025" and not known and not result.submissions:
            result.province_code = _province([], file.name, "2025")
        result.submissions, result.sheet_rejections = [], []
        result.rejection = rejection
    return result


def _named_in_title(sheet: Sheet, header: Header | None, file_name: str, last_day: date
                    ) -> tuple[str | None, tuple[date, date] | None]:
    """The province and month a rejected sheet's title block names, as far as it can be read; a month
    no report can be for (before 2018, after the night) is left out, as its facts would be."""
    lines = title_text(sheet, header)
    try:
        period = find_period(lines)
        month = _month_of(period)[:2] if period else None
    except ValueError:  # an as-of date or a year (0000) no calendar holds
        month = None
    if month and not EARLIEST_PERIOD <= month[0] <= last_day:
        month = None
    eras = [era_of(month[0])] if month else ["pre2025", "2025"]
    province = next((p for era in eras if (p := _province(lines, file_name, era))), None)
    return province, month


def _read_as_discovered(file: DiscoveredFile, limits: Limits | None) -> list[Sheet]:
    """The file's sheets, when it still holds the bytes discovered, before and after reading (read
    otherwise, its bytes would be recorded under the sha256 of other bytes); a file gone or that
    cannot be opened any more is rejected with the reason, not an error of the reader."""
    changed = ChangedFile("the file changed after the night found it (it was being written or replaced); "
                          "its new content is taken in on the next night",
                          "tệp thay đổi trong lúc đang nhận (đang được ghi hoặc thay thế); "
                          "nội dung mới sẽ được nhận vào đêm sau")
    try:
        if not file.is_unchanged():
            raise changed
        sheets = read_sheets(file.path, limits)
        if not file.is_unchanged():
            raise changed
    except OSError as error:
        raise file_problem(error) from error
    return sheets


def _has_no_figures(submission: SubmissionExtract) -> bool:
    rows = submission.table.rows
    raws = [f"{f}_raw" for f in submission.spec.figures]
    return rows.empty or bool((rows[raws].fillna("") == "").all().all())


def rows_frame(extract: WorkbookExtract, submission: SubmissionExtract) -> pd.DataFrame:
    """The submission's data rows with the identifying columns every later stage needs."""
    rows = submission.table.rows.copy()
    rows.insert(0, "submission_id", submission.submission_id)
    rows.insert(1, "file_name", extract.file_name)
    # Each row keeps the sheet it was read from (a table continued on another sheet).
    rows.insert(2, "sheet", rows.pop("sheet").fillna(submission.sheet_name) if "sheet" in rows
                else submission.sheet_name)
    rows["admin_era"] = submission.admin_era
    rows["unit_list"] = rows["unit_list"].fillna(submission.unit_list) if "unit_list" in rows else submission.unit_list
    rows["province_code"] = submission.province_code
    rows["period_start"] = submission.period_start
    rows["period_end"] = submission.period_end
    rows["as_of_date"] = submission.as_of_date
    return rows
