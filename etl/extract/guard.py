"""Checks made on a file before any parser touches it: size, archive shape, declared extent.

python-calamine aborts the whole process on some malformed workbooks (a sheet claiming a cell at
XFD1048576), and a small zip bomb costs hundreds of megabytes in any reader. These checks read
only the zip directory and the start of each sheet's XML, never the whole file into memory, and
refuse with a reason a person can act on. The limits are settings (etl.config.Limits).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from etl.config import Limits
from etl.extract.errors import UnreadableWorkbook

_DIMENSION = re.compile(rb'<dimension[^>]*ref="(?:[A-Z]+\d+:)?([A-Z]+)(\d+)"')
_ROW = re.compile(rb'<row[^>]*\br="(\d+)"')
_CELL = re.compile(rb'<c[^>]*\br="([A-Z]+)(\d+)"')
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _too_big(what_en: str, what_vi: str) -> UnreadableWorkbook:
    return UnreadableWorkbook(f"refused before reading: {what_en}", f"từ chối, không đọc: {what_vi}")


def check_archive(path: Path, limits: Limits) -> None:
    """Refuse an .xlsx whose shape could crash or exhaust the reader; .xls files only get the size check."""
    size = path.stat().st_size
    if size > limits.max_file_mb * 1_000_000:
        raise _too_big(f"the file is {size / 1e6:.0f} MB, over the {limits.max_file_mb} MB limit",
                       f"tệp {size / 1e6:.0f} MB, quá giới hạn {limits.max_file_mb} MB")
    if not zipfile.is_zipfile(path):
        return
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            _check_members(members, size, limits)
            names = {m.filename for m in members}
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                raise UnreadableWorkbook("a zip archive, but not an Excel workbook (no xl/workbook.xml)",
                                         "tệp nén (zip) nhưng không phải bảng tính Excel")
            for member in members:
                if member.filename.endswith(".xml") or member.filename.endswith(".rels"):
                    _check_xml(archive, member, limits)
    except zipfile.BadZipFile as exc:
        raise UnreadableWorkbook(f"the workbook is damaged or truncated ({exc})",
                                 f"tệp bị hỏng hoặc không trọn vẹn ({exc}); đề nghị gửi lại") from exc


def _check_members(members: list[zipfile.ZipInfo], size: int, limits: Limits) -> None:
    if len(members) > limits.max_members:
        raise _too_big(f"the archive holds {len(members)} parts, over the limit of {limits.max_members}",
                       f"tệp có {len(members)} thành phần, quá giới hạn {limits.max_members}")
    unpacked = sum(m.file_size for m in members)
    if unpacked > limits.max_uncompressed_mb * 1_000_000:
        raise _too_big(f"it unpacks to {unpacked / 1e6:.0f} MB, over the {limits.max_uncompressed_mb} MB limit"
                       " (a zip bomb?)", f"giải nén ra {unpacked / 1e6:.0f} MB, quá giới hạn")
    for m in members:
        if m.compress_size and m.file_size / m.compress_size > limits.max_ratio and m.file_size > 1_000_000:
            raise _too_big(f"part {m.filename} is compressed {m.file_size // m.compress_size}:1, over the "
                           f"{limits.max_ratio}:1 limit (a zip bomb?)",
                           f"thành phần {m.filename} nén bất thường ({m.file_size // m.compress_size}:1)")


def _check_xml(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limits: Limits) -> None:
    """No DTD (Excel never writes one; entities could expand or reach out), and a sane extent."""
    is_sheet = member.filename.startswith("xl/worksheets/")
    with archive.open(member) as stream:
        head = stream.read(4096)
        if _DTD.search(head):
            raise _too_big(f"part {member.filename} declares a DTD or entities, which Excel never writes",
                           f"thành phần {member.filename} có khai báo DTD/ENTITY (Excel không bao giờ ghi)")
        if not is_sheet:
            return
        declared = _DIMENSION.search(head)
        if declared:
            _check_extent(member.filename, _column_number(declared.group(1)), int(declared.group(2)), limits)
        # The cells themselves may claim more than the dimension: scan the rest, a chunk at a time.
        tail = head[-64:]
        while chunk := stream.read(1 << 20):
            window = tail + chunk
            rows = [int(r) for r in _ROW.findall(window)]
            cells = [(_column_number(c), int(r)) for c, r in _CELL.findall(window)]
            if rows:
                _check_extent(member.filename, 1, max(rows), limits)
            if cells:
                _check_extent(member.filename, max(c for c, _ in cells), max(r for _, r in cells), limits)
            tail = chunk[-64:]
        rows = [int(r) for r in _ROW.findall(head)]
        if rows:
            _check_extent(member.filename, 1, max(rows), limits)


def _check_extent(name: str, columns: int, rows: int, limits: Limits) -> None:
    if rows > limits.max_rows or columns > limits.max_columns:
        raise _too_big(f"sheet {name} reaches row {rows:,}, column {columns:,} (limits {limits.max_rows:,} rows,"
                       f" {limits.max_columns} columns): a report is never that large",
                       f"trang {name} kéo tới dòng {rows:,}, cột {columns:,}, vượt giới hạn của một báo cáo")
