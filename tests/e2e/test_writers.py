"""A night of files whose names, sheet names and cells a writer cannot take as they are: every file
still gets its feedback workbook, each one opens, and its summary names the sheets as they were sent."""

from __future__ import annotations

import unicodedata
import zipfile
from pathlib import Path

import duckdb
import pytest
import xlsxwriter
from openpyxl import load_workbook

from etl.feedback import SUMMARY_SHEET
from etl.pipeline import run_night
from tests.builders import arrive, make_settings

pytestmark = pytest.mark.e2e

TITLE = [["CÔNG AN TỈNH HẢI DƯƠNG"], ["Tháng 4 năm 2021 (Số liệu tính đến ngày 23/4/2021)"]]
NAN, INF = 777_001, 777_002  # written as numbers, then spelled NaN and INF in the sheet's XML


def _staffing(officers: int, nan: bool = False) -> list[list[object]]:
    """Sheet 01 with one unknown commune (so the file gets feedback); with ``nan``, two figures that
    are NaN and an infinity."""
    return [*TITLE, ["STT", "Huyện", "Xã, thị trấn", "Số CA chính quy", "Ghi chú"],
            [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", NAN if nan else officers, "x"],
            [2, "Huyện Tứ Kỳ", "Xã Không Có", officers, "y"],
            [3, "Huyện Gia Lộc", "Thị trấn Gia Lộc", INF if nan else officers + 1, "z"]]


COMMENDATION = [*TITLE, ["STT", "Cấp khen", "Tập thể", "Cá nhân"], [1, "Bộ Công an", 1, 2], [2, "Cấp lạ", 3, 4]]


def _book(path: Path, sheets: list[tuple[str, list[list[object]]]]) -> Path:
    """A workbook with ``sheets`` (name, rows) under names no Excel would save: written under
    placeholder names, then renamed in xl/workbook.xml (XML-escaped as a hostile tool would write
    them), with NaN and INF spelled in the sheet XML where the placeholders stand."""
    source = path.with_suffix(".src")
    book = xlsxwriter.Workbook(str(source))
    for number, (_, rows) in enumerate(sheets):
        page = book.add_worksheet(f"S{number}")
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                page.write(r, c, value)
    book.close()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w") as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "xl/workbook.xml":
                for number, (name, _) in enumerate(sheets):
                    escaped = "".join(f"&#{ord(c)};" if ord(c) < 32 else c for c in
                                      name.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;"))
                    data = data.replace(f'name="S{number}"'.encode(), f'name="{escaped}"'.encode())
            if item.filename.startswith("xl/worksheets/"):
                data = data.replace(b"<v>%d</v>" % NAN, b"<v>NaN</v>").replace(b"<v>%d</v>" % INF, b"<v>INF</v>")
            new.writestr(item.filename, data)
    source.unlink()
    return path


LONG = "Báo cáo bố trí Công an chính quy về xã tháng 4 năm 2021 " * 4  # far over 200 bytes
SHEET_PAIRS = {  # file name -> the names of its two sheets (staffing, commendation)
    "summary.xlsx": (SUMMARY_SHEET, SUMMARY_SHEET.upper()),
    "truncated.xlsx": ("Biểu 01 - Bố trí CA chính quy tháng 4 (a)", "Biểu 01 - Bố trí CA chính quy tháng 4 (b)"),
    # A direction override: legal in XML, refused in a sheet name. (A control character cannot be in a
    # well-formed workbook.xml: the guard refuses such a file, tests/hostile/kinds.py sheet_name_control.)
    "control.xlsx": ("Biểu\u202e01", "History"),
    "emoji.xlsx": ("😀" * 31, "'[Biểu]: 04*?/\\'"),
}
ODD_NAMES = [
    (LONG.encode()[:250].decode("utf-8", "ignore").rstrip() + ".xlsx"),  # about 255 bytes
    LONG.encode()[:230].decode("utf-8", "ignore") + " một.xlsx", LONG.encode()[:230].decode("utf-8", "ignore")
    + " hai.xlsx",  # equal in their first 200 bytes
    "a:b.xlsx", "a?b.xlsx", "A_b.xlsx",  # equal once made safe (and without regard to case)
    "CON.xlsx", "-rf.xlsx", "dòng\nmới.xlsx", "điều\x01khiển.xlsx", "[red]x.xlsx",
]


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("writers")
    landing = root / "landing"
    landing.mkdir()
    for officers, (name, (first, second)) in enumerate(SHEET_PAIRS.items(), start=5):
        _book(landing / name, [(first, _staffing(officers, nan=name == "control.xlsx")), (second, COMMENDATION)])
    for officers, name in enumerate(ODD_NAMES, start=20):  # different figures: different files
        _book(landing / name, [("Biểu 01", _staffing(officers))])
    settings = make_settings(root)
    return settings, run_night([landing], settings)


def test_every_file_gets_its_own_feedback_workbook_and_the_night_publishes(night):
    settings, result = night
    sent = set(SHEET_PAIRS) | set(ODD_NAMES)
    assert {o.file_name for o in result.outcomes} == sent
    assert len(result.feedback) == len(set(result.feedback)) == len(sent)
    names = [p.name for p in result.feedback]
    assert len({unicodedata.normalize("NFC", n).casefold() for n in names}) == len(names)
    for path in result.feedback:
        assert path.parent == settings.feedback / "30" and path.exists()
        assert len(path.name.encode("utf-8")) <= 200 and path.suffix == ".xlsx"
        assert not path.name.startswith(("-", " ", ".")) and "\n" not in path.name and "\x01" not in path.name
        assert path.name.split(".")[0].upper() not in ("CON", "NUL", "PRN", "AUX")
    assert settings.published.exists()


def _is_legal_sheet_name(name: str) -> bool:
    return (0 < len(name.encode("utf-16-le")) // 2 <= 31 and not any(c in name for c in "[]:*?/\\")
            and not name.startswith("'") and not name.endswith("'") and name.casefold() != "history"
            and all(unicodedata.category(c) != "Cc" for c in name))


def test_every_feedback_workbook_opens_with_legal_distinct_sheet_names(night):
    _, result = night
    for path in result.feedback:
        book = load_workbook(path)
        assert book.sheetnames[0] == SUMMARY_SHEET
        assert all(_is_legal_sheet_name(n) for n in book.sheetnames), (path.name, book.sheetnames)
        folded = {unicodedata.normalize("NFC", n).casefold() for n in book.sheetnames}
        assert len(folded) == len(book.sheetnames), book.sheetnames


def _feedback_of(result, file_name: str):
    """The feedback workbook whose summary names ``file_name`` as the file it answers."""
    for path in result.feedback:
        book = load_workbook(path)
        if book[SUMMARY_SHEET]["B3"].value == file_name.replace("\x01", "\ufffd"):
            return book
    raise AssertionError(f"no feedback names {file_name!r}")


@pytest.mark.parametrize("file_name", sorted(SHEET_PAIRS))
def test_the_summary_names_each_sheet_as_the_province_sent_it(night, file_name):
    _, result = night
    book = _feedback_of(result, file_name)
    summary = [str(c.value) for row in book[SUMMARY_SHEET].iter_rows() for c in row if c.value is not None]
    for sent in SHEET_PAIRS[file_name]:
        shown = sent.replace("\x01", "\ufffd")  # a control character no workbook can hold, made visible
        assert any(shown in text for text in summary), (shown, summary)
    assert len(book.sheetnames) == 3  # the summary and both sheets, copied


def test_nan_and_infinity_are_written_blank_with_a_note(night):
    _, result = night
    book = _feedback_of(result, "control.xlsx")
    (staffing,) = [book[n] for n in book.sheetnames[1:] if book[n]["C4"].value == "Xã Hưng Đạo"]
    notes = next(c.column for c in staffing[3] if c.value == "Lỗi")
    assert staffing["D4"].value is None and "giá trị không hợp lệ: NaN" in staffing.cell(4, notes).value
    assert staffing["D6"].value is None and "giá trị không hợp lệ: vô cực" in staffing.cell(6, notes).value
    assert staffing["D5"].value == 5 + list(SHEET_PAIRS).index("control.xlsx")  # a finite figure stays a number


def test_the_console_prints_names_as_sent_never_as_markup(tmp_path, monkeypatch):
    """rich reads "[red]" as a style and "[/b]" as a closing tag: a file or sheet so named was shown
    without its brackets, or made `cax ingest` fail (exit 1) after the night had loaded."""
    from typer.testing import CliRunner

    from etl.cli import app

    monkeypatch.setenv("CAX_VAR", str(tmp_path / "var"))
    path = _book(tmp_path / "[red]x.xlsx", [("[/b]Biểu 01", _staffing(5))])
    result = CliRunner().invoke(app, ["ingest", str(path)])
    assert result.exit_code == 3, result.output  # a row quarantined, nothing failed
    assert "[red]x.xlsx" in result.output and "[/b]Biểu 01" in result.output
    missing = CliRunner().invoke(app, ["ingest", str(tmp_path / "[/]không có.xlsx")])
    assert missing.exit_code == 2 and "[/]không có.xlsx" in missing.output


def _two_files(landing: Path) -> tuple[Path, Path]:
    landing.mkdir(parents=True)
    return (_book(landing / "a.xlsx", [("Biểu 01", _staffing(5))]),
            _book(landing / "b.xlsx", [("Biểu 01", _staffing(6))]))


def test_a_sheet_that_cannot_be_copied_costs_its_file_the_copy_only(tmp_path, monkeypatch):
    """A defect met while copying one file's sheets: that file still gets its summary, the other file
    its whole feedback workbook, and the night publishes."""
    from etl import feedback

    copy = feedback._copy_sheet

    calls = []

    def copy_or_fail(book, styles, sheet, name, problems):
        calls.append(name)
        if len(calls) == 1:  # the first file's sheet
            raise RuntimeError("a defect in the copy")
        return copy(book, styles, sheet, name, problems)

    monkeypatch.setattr(feedback, "_copy_sheet", copy_or_fail)
    settings = make_settings(tmp_path)
    _two_files(settings.landing)
    result = run_night([settings.landing], settings)
    sheets = sorted(load_workbook(path, read_only=True).sheetnames for path in result.feedback)
    assert sheets == [[SUMMARY_SHEET], [SUMMARY_SHEET, "Biểu 01"]]
    assert settings.published.exists()


def test_the_analysts_copy_is_published_when_feedback_fails(tmp_path, monkeypatch):
    from etl import pipeline

    def fail(*args, **kwargs):
        raise OSError("the feedback folder's disk is full")

    monkeypatch.setattr(pipeline, "write_feedback", fail)
    settings = make_settings(tmp_path)
    _two_files(settings.landing)
    with pytest.raises(OSError, match="disk is full"):
        run_night([settings.landing], settings)
    published = duckdb.connect(str(settings.published), read_only=True)
    try:
        assert published.execute("select count(*) from audit.submission").fetchone() == (2,)
    finally:
        published.close()


def test_a_copy_sent_the_same_night_never_takes_the_original_s_feedback(tmp_path):
    """Two byte-identical files in one night: the first is taken in (one row quarantined), the copy is a
    duplicate. The feedback workbook is the first file's, and tells what happened to its rows."""
    settings = make_settings(tmp_path)
    first, _ = _two_files(settings.landing)
    copy = settings.landing / "a (1).xlsx"
    copy.write_bytes(first.read_bytes())
    arrive(first, 2021, 4, 24, 8, 0)
    arrive(copy, 2021, 4, 24, 9, 0)
    result = run_night([settings.landing], settings)
    summaries = {load_workbook(p)[SUMMARY_SHEET]["B3"].value: load_workbook(p) for p in result.feedback}
    assert sorted(summaries) == ["a.xlsx", "b.xlsx"]
    texts = [str(c.value) for row in summaries["a.xlsx"][SUMMARY_SHEET].iter_rows() for c in row if c.value]
    assert "dòng 5" in texts, " | ".join(texts)  # the row to resend, not the whole file
    assert not any("Cả tệp bị từ chối" in t for t in texts)
