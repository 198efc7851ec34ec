"""Checks made on a file before any parser touches it: size, archive shape, declared extent.

python-calamine aborts the whole process on some malformed workbooks (a sheet claiming a cell at
XFD1048576), and a small zip bomb costs hundreds of megabytes in any reader. These checks read
the zip directory, then stream each sheet's XML through expat a chunk at a time (never a part
whole into memory), so that every spelling XML allows is seen: namespace prefixes, either quote,
any attribute order, lowercase or absolute references, rows and cells placed by their order.
A DTD is refused before expat can expand anything. The same pass records what the reader needs
and calamine does not say: the real extent of each sheet's values, and the formula cells whose
values were never calculated. The limits are settings (etl.config.Limits).
"""

from __future__ import annotations

import functools
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from etl.config import Limits
from etl.extract.errors import UnreadableWorkbook

# A1-style reference as Excel and calamine accept it: letters then digits, either may be "$"-anchored.
_REFERENCE = re.compile(r"\s*\$?([A-Za-z]+)\$?([0-9]+)\s*")
_CHUNK = 1 << 16
_WORKBOOK, _WORKBOOK_RELS = "xl/workbook.xml", "xl/_rels/workbook.xml.rels"


@dataclass
class SheetSurvey:
    """What the streaming pass learned about one worksheet part."""

    part: str
    last_row: int = 0  # 1-based row and column of the last cell holding a value or a formula; 0: none
    last_column: int = 0
    # (0-based row, column) -> formula text without "=", for formula cells whose value was never
    # calculated; "" for a follower of a shared formula (its text is written on the first cell only).
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)


@dataclass
class ArchiveSurvey:
    """The surveys of a workbook's sheets, by sheet name (as xl/workbook.xml names them)."""

    sheets: dict[str, SheetSurvey] = field(default_factory=dict)
    recalculate_on_open: bool = False  # calcPr fullCalcOnLoad: every cached value is suspect


class _Stop(Exception):
    """Raised by a handler once the part has told us enough."""


@functools.lru_cache(maxsize=1024)
def column_number(letters: str) -> int:
    """1-based column number of column letters, in either case ("A" -> 1, "xfd" -> 16384)."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


@functools.lru_cache(maxsize=1 << 17)
def _cell_position(reference: str) -> tuple[int, int] | None:
    """(1-based row, column) of a cell's reference, remembered: a night's workbooks share their
    layout, so the same references come back in every file (the guard's hottest call)."""
    match = _REFERENCE.fullmatch(reference)
    return (int(match.group(2)), column_number(match.group(1))) if match else None


def parse_reference(text: str) -> tuple[int, int] | None:
    """(1-based row, column) of an A1-style reference ("B3", "$b$3"), or None when it is not one."""
    match = _REFERENCE.fullmatch(text)
    return (int(match.group(2)), column_number(match.group(1))) if match else None


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _attribute(attributes: dict[str, str], name: str) -> str | None:
    """An attribute by its local name, with or without a namespace prefix."""
    if name in attributes:
        return attributes[name]
    return next((v for k, v in attributes.items() if _local(k) == name), None)


def _too_big(what_en: str, what_vi: str) -> UnreadableWorkbook:
    return UnreadableWorkbook(f"refused before reading: {what_en}", f"từ chối, không đọc: {what_vi}")


def _damaged(exc: BaseException) -> UnreadableWorkbook:
    return UnreadableWorkbook(f"the workbook is damaged or truncated ({exc})",
                              f"tệp bị hỏng hoặc không trọn vẹn ({exc}); đề nghị gửi lại")


def check_archive(path: Path, limits: Limits) -> ArchiveSurvey | None:
    """Refuse an .xlsx whose shape could crash or exhaust the reader, and survey its sheets; .xls
    files only get the size check (None: nothing surveyed)."""
    size = path.stat().st_size
    if size > limits.max_file_mb * 1_000_000:
        raise _too_big(f"the file is {size / 1e6:.0f} MB, over the {limits.max_file_mb} MB limit",
                       f"tệp {size / 1e6:.0f} MB, quá giới hạn {limits.max_file_mb} MB")
    if not zipfile.is_zipfile(path):
        with path.open("rb") as handle:
            if handle.read(4) == b"PK\x03\x04":  # a zip whose end (its directory) never arrived
                raise _damaged(zipfile.BadZipFile("the zip archive has no end directory"))
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            _check_members(members, size, limits)
            names = {m.filename for m in members}
            if "xl/workbook.bin" in names:
                raise UnreadableWorkbook("an Excel binary workbook (.xlsb), which is not read: save it as .xlsx",
                                         "tệp Excel dạng nhị phân (.xlsb) không đọc được; đề nghị lưu lại dạng .xlsx")
            if "[Content_Types].xml" not in names or _WORKBOOK not in names:
                raise UnreadableWorkbook("a zip archive, but not an Excel workbook (no xl/workbook.xml)",
                                         "tệp nén (zip) nhưng không phải bảng tính Excel")
            return _survey(archive, members, limits)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        # RuntimeError: a part encrypted with a zip password; NotImplementedError: an unknown compression.
        raise _damaged(exc) from exc


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


def _survey(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], limits: Limits) -> ArchiveSurvey:
    """Every XML part is checked for a DTD; the workbook and its relationships are read first, so
    that each worksheet part, wherever the workbook points, is streamed whole and named."""
    survey = ArchiveSurvey()
    names = {m.filename for m in members}
    sheet_ids: dict[str, str] = {}  # relationship id -> sheet name
    _stream(archive, _WORKBOOK, _workbook_handlers(survey, sheet_ids))
    targets: dict[str, str] = {}  # relationship id -> part
    if _WORKBOOK_RELS in names:
        _stream(archive, _WORKBOOK_RELS, _relationship_handlers(targets))
    sheet_parts = {targets[rid]: name for rid, name in sheet_ids.items() if targets.get(rid) in names}
    for name in sorted(names - {_WORKBOOK, _WORKBOOK_RELS}):
        if name in sheet_parts or name.startswith("xl/worksheets/") and name.endswith(".xml"):
            sheet = SheetSurvey(name)
            label = repr(sheet_parts[name]) if name in sheet_parts else name
            _stream(archive, name, _SheetReader(sheet, label, survey.recalculate_on_open, limits).handlers())
            if name in sheet_parts:
                survey.sheets[sheet_parts[name]] = sheet
        elif name.endswith((".xml", ".rels")):
            _stream(archive, name, {"StartElementHandler": _stop})  # the DTD check: up to the root element
    return survey


def _stop(*_: object) -> None:
    raise _Stop


def _refuse_dtd(part: str):
    def refuse(*_: object) -> None:
        raise _too_big(f"part {part} declares a DTD or entities, which Excel never writes",
                       f"thành phần {part} có khai báo DTD/ENTITY (Excel không bao giờ ghi)")
    return refuse


def _stream(archive: zipfile.ZipFile, part: str, handlers: dict) -> None:
    """Feed one part to expat a chunk at a time; a DTD is refused as soon as it starts."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = _refuse_dtd(part)
    for event, handler in handlers.items():
        setattr(parser, event, handler)
    try:
        with archive.open(part) as stream:
            while chunk := stream.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _Stop:
        pass
    except expat.ExpatError as exc:
        reason = expat.ErrorString(exc.code)
        raise UnreadableWorkbook(
            f"part {part} is not well-formed XML (line {exc.lineno}, column {exc.offset}: {reason})",
            f"thành phần {part} của tệp bị hỏng (dòng {exc.lineno}, cột {exc.offset}: {reason}); "
            "đề nghị lưu lại bằng Excel và gửi lại") from exc


def _workbook_handlers(survey: ArchiveSurvey, sheet_ids: dict[str, str]) -> dict:
    def start(tag: str, attributes: dict[str, str]) -> None:
        local = _local(tag)
        if local == "sheet":
            rid, name = _attribute(attributes, "id"), _attribute(attributes, "name")
            if rid is not None and name is not None:
                sheet_ids[rid] = name
        elif local == "calcPr":
            survey.recalculate_on_open = (_attribute(attributes, "fullCalcOnLoad") or "").lower() in ("1", "true")
    return {"StartElementHandler": start}


def _relationship_handlers(targets: dict[str, str]) -> dict:
    def start(tag: str, attributes: dict[str, str]) -> None:
        rid, target = _attribute(attributes, "Id"), _attribute(attributes, "Target")
        if _local(tag) == "Relationship" and rid is not None and target is not None:
            # Relative to xl/, or absolute from the package root.
            targets[rid] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
    return {"StartElementHandler": start}


class _SheetReader:
    """The handlers that follow one worksheet's rows and cells, refusing any position past the limits.

    They run once per element of every sheet, so they are written for speed: a tag's prefix is cut
    only when it has one, and a reference's column letters are converted once per workbook.
    """

    def __init__(self, sheet: SheetSurvey, label: str, recalculate: bool, limits: Limits) -> None:
        self.sheet, self.label, self.recalculate = sheet, label, recalculate
        self.max_rows, self.max_columns = limits.max_rows, limits.max_columns
        self.row = self.column = 0  # current position, 1-based
        self.in_cell = False
        self.capture: str | None = None  # "v", "f" or "t": the element whose text is being read
        self.text: list[str] = []
        self.value: str | None = None
        self.formula: str | None = None

    def handlers(self) -> dict:
        return {"StartElementHandler": self.start, "EndElementHandler": self.end,
                "CharacterDataHandler": self.characters}

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        local = tag.rpartition(":")[2] if ":" in tag else tag
        if local == "c":
            reference = attributes.get("r") or _attribute(attributes, "r")
            if reference is None:
                self.column += 1  # a cell without a reference follows the one before it
            else:
                position = _cell_position(reference)
                if position is None:
                    raise self._not_a("cell reference", reference)
                self.row, self.column = position
            if self.row > self.max_rows or self.column > self.max_columns:
                self._check(self.row, self.column)
            self.in_cell, self.value, self.formula = True, None, None
        elif self.in_cell:
            if local in ("v", "f", "t"):
                self.capture, self.text = local, []
        elif local == "row":
            number = attributes.get("r") or _attribute(attributes, "r")
            if number is not None and not number.strip().isdigit():
                raise self._not_a("row number", number)
            self.row = self.row + 1 if number is None else int(number)  # a row without "r" follows the one before
            self.column = 0
            self._check(self.row, 1)
        elif local == "dimension":
            for corner in (_attribute(attributes, "ref") or "").split(":"):
                position = parse_reference(corner)
                if position:  # calamine does not size a sheet by its dimension; an odd one is ignored
                    self._check(*position)

    def _not_a(self, what: str, text: str) -> UnreadableWorkbook:
        return UnreadableWorkbook(f"sheet {self.label} has the {what} {text!r}, which is not one",
                                  f"trang {self.label} có {'địa chỉ ô' if what.startswith('cell') else 'số dòng'}"
                                  f" {text!r} không hợp lệ")

    def _check(self, row: int, column: int) -> None:
        if row > self.max_rows or column > self.max_columns:
            raise _too_big(
                f"sheet {self.label} reaches row {row:,}, column {column:,} (limits {self.max_rows:,} "
                f"rows, {self.max_columns} columns): a report is never that large",
                f"trang {self.label} kéo tới dòng {row:,}, cột {column:,}, vượt giới hạn của một báo cáo")

    def characters(self, data: str) -> None:
        if self.capture:
            self.text.append(data)

    def end(self, tag: str) -> None:
        if not self.in_cell:
            return
        local = tag.rpartition(":")[2] if ":" in tag else tag
        if local == self.capture:
            text = "".join(self.text)
            if local == "f":
                self.formula = text
            else:  # the "t" pieces of a rich inline string add up
                self.value = (self.value or "") + text
            self.capture = None
        elif local == "c":
            self.in_cell = False
            self._end_cell()

    def _end_cell(self) -> None:
        if self.formula is not None:
            # A follower of a shared formula (<f t="shared" si="0"/>) has no text of its own: recorded
            # as "", never given its first cell's text, whose references would point elsewhere.
            if self.recalculate or not (self.value or "").strip():
                self.sheet.formulas[(self.row - 1, self.column - 1)] = self.formula
        elif not (self.value or "").strip():
            return
        if self.row > self.sheet.last_row:
            self.sheet.last_row = self.row
        if self.column > self.sheet.last_column:
            self.sheet.last_column = self.column
