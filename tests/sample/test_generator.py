"""Tests of the sample workbook generator (package samples): counts per kind, shape of the figures,
departures, seeded faults (unknown commune, negative figure, total that does not add up, late
file, resubmitted correction), broken files, determinism, the CCCD campaign facts, that each
period's workbooks name the units of the list in force on its date (April 2021: the list of
3/2/2021, read here from the committed file with csv and gzip alone) and that CCCD figures stay
within a province's population, and that what every workbook holds (read back with calamine, .xls
included) matches truth.json."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
import unicodedata
import zipfile
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import msoffcrypto
import pytest
from python_calamine import CalamineWorkbook

from etl import reference
from samples import ALL_KINDS, BROKEN_FILES, BROKEN_PASSWORD, DEPARTURES, FAULTS, generate_samples
from samples.population import CENSUS_TOTAL_2019, POPULATION_2019_THOUSANDS

pytestmark = pytest.mark.unit

EXPECTED_DEPARTURES = {
    "title_block", "two_row_header", "header_wording", "names_no_diacritics", "names_nfd",
    "names_prefix_abbrev", "names_no_prefix", "names_upper", "names_stray_spaces", "numbers_as_text",
    "district_subtotals", "day_subtotals", "sum_formulas", "sheet_name", "sheet_order", "dates_as_text",
    "dates_as_serial", "merged_date_cells", "extra_sheet", "hidden_sheet", "xls_format", "separator_column",
    "values_with_notes", "total_tong", "total_cong", "total_tong_so", "formula_like_text",
    "column_order", "old_tone_marks", "phuong_rows", "chart_sheet",
}
NOT_FOR = {
    "monthly_2021": {"day_subtotals", "merged_date_cells"},
    "id_card_2021": {"district_subtotals", "sheet_order", "phuong_rows", "chart_sheet"},
    "monthly_2026": {"district_subtotals", "day_subtotals", "merged_date_cells", "phuong_rows"},
}
NAME_DEPARTURES = {d for d in EXPECTED_DEPARTURES if d.startswith("names_")} | {"old_tone_marks"}
EXCLUSIVE = ({"names_no_diacritics", "names_nfd"}, {"names_prefix_abbrev", "names_no_prefix"},
             {"numbers_as_text", "sum_formulas"}, {"values_with_notes", "sum_formulas"},
             {"xls_format", "sum_formulas"}, {"dates_as_text", "dates_as_serial"},
             {"total_tong", "total_cong", "total_tong_so"}, {"names_no_diacritics", "old_tone_marks"},
             {"xls_format", "chart_sheet"}, {"merged_date_cells", "column_order"})
EXPECTED_BROKEN = ("not_a_spreadsheet", "empty_file", "truncated", "password_protected", "blank_template")
PHUONG_CITIES = {"01", "48", "79"}  # Hà Nội, Đà Nẵng, Hồ Chí Minh
TOTAL_WORDS = {"total_tong": "Tổng", "total_cong": "Cộng", "total_tong_so": "TỔNG SỐ"}
ACTIVITY = ("tips_received", "crime_reports", "cases_clarified", "subjects", "admin_violation_cases", "fines_vnd",
            "education_dossiers", "rehab_dossiers", "reform_school_dossiers")
FIGURES = {"01": ("officers", "chiefs", "deputies"), "02": ACTIVITY, "03": ("applications",),
           "04": ("collectives", "individuals")}
LEVELS = {"monthly_2021": ["Bộ Công an", "UBND tỉnh", "Công an tỉnh", "Cấp huyện"],
          "monthly_2026": ["Bộ Công an", "UBND tỉnh", "Công an tỉnh", "Cấp xã"]}
COUNTS = {"monthly_2021": 64, "id_card_2021": 378, "monthly_2026": 34}  # 63 provinces and one resent file
# The template's column order per sheet (column_order departs from it).
TEMPLATE_ORDER = {
    "01": ("stt", "district", "name", "code", "officers", "chiefs", "deputies", "date", "note"),
    "02": ("stt", "district", "name", "code", *ACTIVITY, "note"),
    "03": ("date", "unit", "applications"),
    "04": ("level", "collectives", "individuals"),
}
# A final oa, oe or uy (not after q) with its tone mark on the second vowel: 'Hoà', 'Thuỵ', 'Khoá'.
SECOND_VOWEL_TONE = re.compile(r"(?<![qQ])(?:[oO][àáảãạÀÁẢÃẠèéẻẽẹÈÉẺẼẸ]|[uU][ỳýỷỹỵỲÝỶỸỴ])(?!\w)")
EXPECTED_FAULTS = ("unknown_unit", "negative", "total_mismatch", "late", "correction")
VN = "+07:00"
# The unit lists in force on 23/4/2021 (and all through the CCCD campaign) and on 20/10/2026.
LIST_2021, LIST_2026 = "2021-02-03", "2025-07-01"
LIST_2021_FILE = Path(__file__).resolve().parents[2] / "reference" / "unit_lists" / f"units_{LIST_2021}.csv.gz"
UNIT_LISTS = {"monthly_2021": LIST_2021, "id_card_2021": LIST_2021, "monthly_2026": LIST_2026}
# A province collects no more CCCD applications by the deadline than its residents aged 14 and over
# (about 77% in the 2019 census: 24% were under 15), and its target is below that too.
AGED_14_AND_OVER = 0.8
HALF_MONTHS = [("2021-04-01", "2021-04-15"), ("2021-04-16", "2021-04-30"), ("2021-05-01", "2021-05-15"),
               ("2021-05-16", "2021-05-31"), ("2021-06-01", "2021-06-15"), ("2021-06-16", "2021-06-30")]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path], dict]:
    out = tmp_path_factory.mktemp("samples")
    paths = generate_samples(out, seed=2021)
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    return out, paths, truth


@pytest.fixture(scope="module")
def list_2021() -> list[dict[str, str]]:
    """The committed list of 3/2/2021, read with csv and gzip alone (not through etl)."""
    with gzip.open(LIST_2021_FILE, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def truth(generated: tuple[Path, list[Path], dict]) -> dict:
    return generated[2]


@pytest.fixture(scope="module")
def books(generated: tuple[Path, list[Path], dict]) -> dict[str, CalamineWorkbook]:
    out, _, truth = generated
    return {w["file"]: CalamineWorkbook.from_path(str(out / w["file"])) for w in _readable(truth)}


def _readable(truth: dict) -> list[dict]:
    """Every workbook but the broken files."""
    return [w for w in truth["workbooks"] if "broken" not in w]


def _of(truth: dict, kind: str) -> list[dict]:
    return [w for w in _readable(truth) if w["kind"] == kind]


def _broken(truth: dict) -> dict[str, dict]:
    return {w["broken"]: w for w in truth["workbooks"] if "broken" in w}


def _in_scope(row: dict) -> bool:
    return row.get("in_scope", True)


def _digest(folder: Path, names: list[str] | None = None) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        if names is None or path.name in names:
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()


_NOTED = re.compile(r"(\d{1,3}(?:\.\d{3})*) \((.+)\)")


def _number(value: object, blank_is_zero: bool = False) -> int:
    """A figure as read back: a number, text with the Vietnamese thousands dot, or with a note."""
    if value == "" and blank_is_zero:
        return 0
    if isinstance(value, str):
        noted = _NOTED.fullmatch(value)
        text = noted.group(1) if noted else value
        assert re.fullmatch(r"-?\d{1,3}(\.\d{3})*", text), value
        return int(text.replace(".", ""))
    assert isinstance(value, float | int) and not isinstance(value, bool), value
    assert value == int(value), value
    return int(value)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch)).lower()


def _key(text: str) -> str:
    """Written text as a reader compares it: NFC, any case, spaces ignored, diacritics kept."""
    return "".join(ch for ch in unicodedata.normalize("NFC", text).lower() if ch.isalnum())


def _strip_type(name: str, unit_type: str) -> str | None:
    """'Xã Hưng Đạo' -> 'Hưng Đạo'; None for a name without its type word ('Phường 5' filed as xã)."""
    return name[len(unit_type) + 1:] if name.lower().startswith(unit_type + " ") else None


def _grid(book: CalamineWorkbook, sheet_name: str) -> list[list]:
    return book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)


def _loads(row: dict) -> bool:
    return "expect" not in row


def _final(truth: dict, kind: str) -> list[dict]:
    """A kind's workbooks that hold each province's final figures: a corrected file is replaced."""
    return [w for w in _of(truth, kind) if "corrected_by" not in w]


# --------------------------------------------------------------------------- counts and files


def test_files_per_kind(generated: tuple[Path, list[Path], dict]) -> None:
    out, paths, truth = generated
    assert truth["kinds"] == list(ALL_KINDS)
    assert Counter(w["kind"] for w in _readable(truth)) == COUNTS
    assert Counter(w["kind"] for w in truth["workbooks"] if "broken" in w) == {"monthly_2021": 5}
    assert len(paths) == 481 == len(set(paths))
    assert [w["file"] for w in truth["workbooks"]] == [p.name for p in paths]
    on_disk = sorted(p.name for p in out.iterdir() if p.name != "truth.json")
    assert on_disk == sorted(p.name for p in paths)
    legacy = set(reference.provinces("pre2025").unit_code)
    assert {w["province_code"] for w in _of(truth, "monthly_2021")} == legacy
    assert Counter(w["province_code"] for w in _of(truth, "id_card_2021")) == {code: 6 for code in legacy}
    assert {w["province_code"] for w in _of(truth, "monthly_2026")} == set(reference.provinces("2025").unit_code)
    for w in _readable(truth):
        head = (out / w["file"]).read_bytes()[:8]
        assert w["file"].endswith("." + w["format"])
        if w["format"] == "xlsx":
            assert zipfile.is_zipfile(out / w["file"])
        else:
            assert head == bytes.fromhex("D0CF11E0A1B11AE1"), w["file"]  # OLE2: Excel 97-2003
            assert "xls_format" in w["departures"]


def test_periods_and_eras(truth: dict) -> None:
    for w in _of(truth, "monthly_2021"):
        assert (w["era"], w["period"], w["as_of_date"], w["date_from"]) == ("pre2025", "2021-04", "2021-04-23", None)
    for w in _of(truth, "monthly_2026"):
        assert (w["era"], w["period"], w["as_of_date"], w["date_to"]) == ("2025", "2026-10", "2026-10-20", None)
    halves = defaultdict(list)
    for w in _of(truth, "id_card_2021"):
        assert (w["era"], w["period"], w["as_of_date"]) == ("pre2025", None, None)
        halves[w["province_code"]].append((w["date_from"], w["date_to"]))
    assert all(sorted(v) == HALF_MONTHS for v in halves.values())


def test_deterministic_for_a_seed(generated: tuple[Path, list[Path], dict], tmp_path: Path) -> None:
    again, other, alone = tmp_path / "again", tmp_path / "other", tmp_path / "alone"
    generate_samples(again, seed=2021)
    # The password-protected file too: the generator seeds msoffcrypto's salts and clock.
    assert not [w["file"] for w in generated[2]["workbooks"] if w.get("reproducible") is False]
    assert _digest(again) == _digest(generated[0])
    for path in again.iterdir():  # arrival times are deterministic too
        assert path.name == "truth.json" or path.stat().st_mtime == (generated[0] / path.name).stat().st_mtime
    # A kind's files do not depend on the other kinds being asked for; another seed changes them.
    files_2026 = [w["file"] for w in _of(generated[2], "monthly_2026")]
    generate_samples(alone, seed=2021, kinds=("monthly_2026",))
    assert sorted(p.name for p in alone.iterdir()) == sorted([*files_2026, "truth.json"])
    assert _digest(alone, files_2026) == _digest(generated[0], files_2026)
    alone_truth = json.loads((alone / "truth.json").read_text(encoding="utf-8"))
    assert alone_truth["workbooks"] == _of(generated[2], "monthly_2026")  # its faults too
    assert (alone_truth["national"], alone_truth["national_2026"]) == (
        generated[2]["national"], generated[2]["national_2026"])
    generate_samples(other, seed=7, kinds=("monthly_2026",))
    assert _digest(other) != _digest(alone)
    with pytest.raises(ValueError):
        generate_samples(tmp_path / "bad", kinds=("weekly",))


def test_file_names_and_arrival_times(generated: tuple[Path, list[Path], dict]) -> None:
    out, _, truth = generated
    names = {(era, on): reference.provinces(era, on=on).set_index("unit_code").short_name.to_dict()
             for era, on in (("pre2025", LIST_2021), ("2025", LIST_2026))}
    assert names[("pre2025", LIST_2021)]["46"] == "Thừa Thiên Huế"  # its name in 2021
    for w in truth["workbooks"]:
        assert re.fullmatch(r"[A-Za-z0-9 ._()-]+\.xlsx?", w["file"]), w["file"]
        assert _fold(names[(w["era"], w["unit_list"])][w["province_code"]]) in _fold(w["file"]), w["file"]
        mtime = (out / w["file"]).stat().st_mtime
        assert mtime == datetime.fromisoformat(w["modified"]).timestamp()
        if w.get("late") or "corrects" in w:
            continue  # test_late_file, test_resubmitted_correction
        if w["kind"] == "monthly_2021":
            day = date(2021, 4, 23)
        elif w["kind"] == "monthly_2026":
            day = date(2026, 10, 20)
        else:
            first, last = date.fromisoformat(w["date_from"]), date.fromisoformat(w["date_to"])
            day = last + timedelta(days=1)  # the afternoon after the half-month ends
            assert "03" in w["file"]
            for when in (first, last):
                assert any(when.strftime(f) in w["file"] for f in ("%d.%m", "%d-%m", "%Y%m%d", "%d%m%Y", "%Y-%m-%d"))
        low = datetime.fromisoformat(f"{day.isoformat()}T13:30:00+07:00").timestamp()
        assert low <= mtime <= low + 3.5 * 3600, w["file"]


# --------------------------------------------------------------------------- departures


def test_departures_cover_the_list(truth: dict) -> None:
    assert set(DEPARTURES) == EXPECTED_DEPARTURES == set(truth["departure_names"])
    counts = Counter(d for w in _readable(truth) for d in w["departures"])
    assert set(counts) == EXPECTED_DEPARTURES
    for departure in EXPECTED_DEPARTURES:
        assert counts[departure] >= 3, departure
    for kind in ALL_KINDS:  # each kind shows every departure it can, in three workbooks or more
        per_kind = Counter(d for w in _of(truth, kind) for d in w["departures"])
        for departure in EXPECTED_DEPARTURES - NOT_FOR[kind]:
            assert per_kind[departure] >= 3, (kind, departure)
        assert not set(per_kind) & NOT_FOR[kind], kind
    for w in _readable(truth):
        deps = set(w["departures"])
        for group in EXCLUSIVE:
            assert len(group & deps) <= 1, (w["file"], group)
    assert sum(not w["departures"] for w in _readable(truth)) >= 30, "plenty of workbooks follow the template"


def test_total_spellings(truth: dict) -> None:
    spelled = Counter()
    for w in _readable(truth):
        word = next((TOTAL_WORDS[d] for d in w["departures"] if d in TOTAL_WORDS), "Tổng cộng")
        spelled[word] += 1
        for sheet in w["sheets"].values():
            assert _fold(sheet["total_label"]) == _fold(word), (w["file"], sheet["total_label"])
    assert all(spelled[word] >= 3 for word in ("Tổng cộng", "Tổng", "Cộng", "TỔNG SỐ")), spelled


def test_sheet_lists_and_hidden_sheets(truth: dict, books: dict[str, CalamineWorkbook]) -> None:
    old_copies = 0
    for w in _readable(truth):
        book = books[w["file"]]
        assert book.sheet_names == w["sheet_names"], w["file"]
        visible = {m.name: str(m.visible).endswith(".Visible") for m in book.sheets_metadata}
        hidden = {h["name"] for h in w["hidden_sheets"]}
        assert bool(hidden) == ("hidden_sheet" in w["departures"])
        assert bool(w["extra_sheets"]) == ("extra_sheet" in w["departures"])
        assert bool(w["chart_sheets"]) == ("chart_sheet" in w["departures"])
        data_names = {s["sheet_name"] for s in w["sheets"].values()}
        assert set(w["sheet_names"]) == data_names | hidden | set(w["extra_sheets"]) | set(w["chart_sheets"])
        assert len(w["sheet_names"]) == len(set(w["sheet_names"]))
        for name in w["sheet_names"]:
            assert visible[name] == (name not in hidden), (w["file"], name)
        codes = ["03"] if w["kind"] == "id_card_2021" else ["01", "02", "04"]
        assert sorted(w["sheets"]) == codes
        order = [code for name in w["sheet_names"] for code in codes if w["sheets"][code]["sheet_name"] == name]
        assert (order != codes) == ("sheet_order" in w["departures"]), w["file"]
        for h in w["hidden_sheets"]:
            if h["content"] == "lookup":
                continue
            # An older copy of a data sheet, same layout, other figures: a trap for a careless reader.
            old_copies += 1
            sheet = w["sheets"][h["copy_of"]]
            grid, copy = _grid(book, sheet["sheet_name"]), _grid(book, h["name"])
            assert copy[sheet["header_row"]] == grid[sheet["header_row"]]
            cols = [sheet["columns"][k] for k in FIGURES[h["copy_of"]]]
            assert any(grid[r["row"]][c] != copy[r["row"]][c] for r in sheet["rows"] for c in cols), w["file"]
    assert old_copies >= 3


def test_formulas_only_where_declared(generated: tuple[Path, list[Path], dict]) -> None:
    out, _, truth = generated
    for w in _readable(truth):
        if w["format"] == "xls":
            assert "sum_formulas" not in w["departures"]
            continue
        with zipfile.ZipFile(out / w["file"]) as z:
            xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
            core = z.read("docProps/core.xml").decode()
        has = "<f>" in xml
        assert has == ("sum_formulas" in w["departures"]), w["file"]
        if has:
            assert "SUM(" in xml
        year = w["modified"][:4]
        assert "<dcterms:created" in core and f">{year}-" in core  # fixed, not the time of the run


def test_text_beginning_with_equals_or_plus_is_text(truth: dict, books: dict[str, CalamineWorkbook]) -> None:
    for w in _readable(truth):
        book = books[w["file"]]
        found = any(isinstance(v, str) and v[:1] in ("=", "+") for name in book.sheet_names
                    for row in _grid(book, name) for v in row)
        assert found == ("formula_like_text" in w["departures"]), w["file"]


# --------------------------------------------------------------------------- read back every sheet


def _check_title(grid: list[list], sheet: dict, w: dict) -> None:
    title = " ".join(str(v) for row in grid[: sheet["header_row"]] for v in row if v)
    assert "CÔNG AN " + w["province_name"].upper() in title, w["file"]
    if w["kind"] == "monthly_2021":
        assert "Tháng 4 năm 2021" in title and "(Số liệu tính đến ngày 23/4/2021)" in title
    elif w["kind"] == "monthly_2026":
        assert "Tháng 10 năm 2026" in title and "(Số liệu tính đến ngày 20/10/2026)" in title
    else:
        first, last = date.fromisoformat(w["date_from"]), date.fromisoformat(w["date_to"])
        assert "BÁO CÁO TIẾN ĐỘ THU NHẬN HỒ SƠ CCCD" in title
        assert f"Từ ngày {first.day:02d}/{first.month}/2021 đến ngày {last.day:02d}/{last.month}/2021" in title
    assert sheet["header_rows"] == (2 if "two_row_header" in w["departures"] else 1)
    base = 5 if w["kind"] == "id_card_2021" else 4
    assert (sheet["header_row"] != base) == ("title_block" in w["departures"]), w["file"]


def _check_date(value: object, expected: date, deps: set[str]) -> None:
    if "dates_as_text" in deps:
        assert value in (f"{expected.day}/{expected.month}/{expected.year}", expected.strftime("%d/%m/%Y"),
                         expected.strftime("%d-%m-%Y")), value
    elif "dates_as_serial" in deps:
        assert value == float((expected - date(1899, 12, 30)).days)
    else:
        assert value == expected


def _check_sums(grid: list[list], sheet: dict, code: str, w: dict) -> None:
    total = grid[sheet["total_row"]]
    assert sheet["total_row"] == len(grid) - 1, "the total row is the last row"
    assert total[sheet["label_col"]] == sheet["total_label"]
    mismatch = sheet.get("total_mismatch")
    for key in FIGURES[code]:
        col = sheet["columns"][key]
        summed = sum(r[key] for r in sheet["rows"])  # every row written, quarantined ones too: a clerk's sum
        if mismatch and mismatch["column"] == key:
            assert (_number(total[col]), summed) == (mismatch["stated"], mismatch["sum"]), (w["file"], code)
            assert mismatch["stated"] != mismatch["sum"] and mismatch["stated"] >= 0
        else:
            assert _number(total[col]) == summed, (w["file"], code, key)
    start = sheet["first_data_row"]
    for sub in sheet["subtotal_rows"]:
        group = [r for r in sheet["rows"] if start <= r["row"] < sub]
        assert group and any(isinstance(v, str) and _fold(v).startswith("cong") for v in grid[sub])
        for key in FIGURES[code]:
            assert _number(grid[sub][sheet["columns"][key]]) == sum(r[key] for r in group)
        start = sub + 1


def test_monthly_sheets_read_back_as_the_truth(truth: dict, books: dict[str, CalamineWorkbook]) -> None:
    noted = thousands = blanks = 0
    for w in [*_of(truth, "monthly_2021"), *_of(truth, "monthly_2026")]:
        deps = set(w["departures"])
        book = books[w["file"]]
        for code, sheet in w["sheets"].items():
            grid = _grid(book, sheet["sheet_name"])
            _check_title(grid, sheet, w)
            cols = sheet["columns"]
            first_header = grid[sheet["header_row"]][0]
            level_headers = ("Cấp khen thưởng", "Cấp khen", "Hình thức khen thưởng")
            assert first_header in (level_headers if code == "04" else ("STT", "Mã ĐVHC", "Ma DVHC"))
            if "separator_column" in deps:
                used = set(cols.values())
                assert any(c not in used for c in range(max(used))), (w["file"], code)
                gap = next(c for c in range(max(used)) if c not in used)
                assert all(row[gap] == "" for row in grid[sheet["header_row"]:]), (w["file"], code)
            else:
                assert sorted(cols.values()) == list(range(len(cols)))
            for r in sheet["rows"]:
                cells = grid[r["row"]]
                for key in FIGURES[code]:
                    value = cells[cols[key]]
                    assert _number(value, blank_is_zero=code != "01") == r[key], (w["file"], code, r, key)
                    noted += isinstance(value, str) and "(" in value
                    thousands += isinstance(value, str) and "." in value
                    blanks += value == ""
                    if isinstance(value, str) and value and "(" not in value:
                        assert "numbers_as_text" in deps
                if code == "04":
                    assert cells[cols["level"]] == r["label"]
                    continue
                assert cells[cols["name"]] == r["name"]
                assert cells[cols["code"]] == (r["unit_code"] or "" if sheet["has_codes"] else ""), w["file"]
                if "district" in cols:
                    assert cells[cols["district"]] == r["district"]
                if code == "01":
                    if r["staffed_date"] is None:
                        assert cells[cols["date"]] == ""
                    else:
                        _check_date(cells[cols["date"]], date.fromisoformat(r["staffed_date"]), deps)
            if code == "04":
                assert [r["level"] for r in sheet["rows"]] == LEVELS[w["kind"]]
            _check_sums(grid, sheet, code, w)
            assert bool(sheet["subtotal_rows"]) == ("district_subtotals" in deps and code != "04")
        assert any("(" in str(v) for s in w["sheets"].values() for row in _grid(book, s["sheet_name"]) for v in row
                   if isinstance(v, str) and re.match(r"\d", v)) == ("values_with_notes" in deps), w["file"]
    assert noted and thousands and blanks


def test_id_card_sheets_read_back_as_the_truth(truth: dict, books: dict[str, CalamineWorkbook]) -> None:
    districts = reference.in_force(LIST_2021, "district")
    by_province = districts.groupby("province_code").unit_code.apply(sorted).to_dict()
    merged = repeated = 0
    for w in _of(truth, "id_card_2021"):
        deps = set(w["departures"])
        sheet = w["sheets"]["03"]
        grid = _grid(books[w["file"]], sheet["sheet_name"])
        _check_title(grid, sheet, w)
        assert grid[sheet["header_row"]][sheet["columns"]["date"]] == "Ngày"
        target_row, target_col = sheet["target_cell"]
        target = f"{sheet['target']:,}".replace(",", ".")
        assert grid[target_row][target_col] == f"Chỉ tiêu được giao: {target} hồ sơ, thời hạn 30/6/2021"
        assert sheet["deadline"] == "2021-06-30" and sheet["target"] == truth["id_card"][w["province_code"]]["target"]
        assert sheet["date_cells"] == ("merged" if "merged_date_cells" in deps else "repeated")
        first, last = date.fromisoformat(w["date_from"]), date.fromisoformat(w["date_to"])
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        units = by_province[w["province_code"]]
        assert [(r["report_date"], r["unit_code"]) for r in sheet["rows"]] == [
            (d.isoformat(), u) for d in days for u in units]
        cols = sheet["columns"]
        for i, r in enumerate(sheet["rows"]):
            cells = grid[r["row"]]
            assert cells[cols["unit"]] == r["name"]
            assert _number(cells[cols["applications"]]) == r["applications"], (w["file"], r)
            day = date.fromisoformat(r["report_date"])
            if sheet["date_cells"] == "merged" and i % len(units):
                assert cells[cols["date"]] == ""
                merged += 1
            else:
                _check_date(cells[cols["date"]], day, deps)
                repeated += sheet["date_cells"] == "repeated"
        for day_rows in (sheet["rows"][k: k + len(units)] for k in range(0, len(sheet["rows"]), len(units))):
            keys = [_key(r["name"]) for r in day_rows]
            assert len(set(keys)) == len(keys), (w["file"], "districts must stay distinguishable without codes")
        _check_sums(grid, sheet, "03", w)
        assert len(sheet["subtotal_rows"]) == (len(days) if "day_subtotals" in deps else 0)
    assert merged and repeated


# --------------------------------------------------------------------------- the figures


def test_national_totals(truth: dict) -> None:
    """Recomputed from the rows that load: each province's final file (the correction's figures),
    without the quarantined rows."""
    for key, kind, provinces in (("national", "monthly_2021", 63), ("national_2026", "monthly_2026", 34)):
        finals = _final(truth, kind)
        assert len(finals) == provinces
        rows = [r for w in finals for r in w["sheets"]["01"]["rows"] if _loads(r) and _in_scope(r)]
        national = truth[key]
        assert national == {"provinces": provinces, "communes": len(rows),
                            **{f: sum(r[f] for r in rows) for f in ("officers", "chiefs", "deputies")}}, key
        written = [r for w in _of(truth, kind) for r in w["sheets"]["01"]["rows"] if _in_scope(r)]
        assert national["officers"] != sum(r["officers"] for r in written)  # the faults and correction count
    in_scope = reference.communes("pre2025", in_scope_only=True, on=LIST_2021)
    assert truth["national"]["communes"] == len(in_scope)  # no commune of 2021 lost its staffing row
    # "hơn 44.000" officers, 5.2 per commune (the article: 44,000 / 8,500 = 5.18, printed 5,2).
    assert truth["national"]["officers"] >= 44_000
    assert 5.1 <= truth["national"]["officers"] / truth["national"]["communes"] <= 5.3
    # A commune of 2026 whose row is quarantined (a negative figure) is not counted.
    assert truth["national_2026"]["communes"] == len(reference.communes("2025", in_scope_only=True,
                                                                         on=LIST_2026)) - 1


def test_every_unit_once_in_its_workbook(truth: dict) -> None:
    for kind, era in (("monthly_2021", "pre2025"), ("monthly_2026", "2025")):
        expected: dict[str, set[str]] = defaultdict(set)
        communes = reference.communes(era, in_scope_only=True, on=UNIT_LISTS[kind])
        for province, code in zip(communes.province_code, communes.unit_code, strict=True):
            expected[province].add(code)
        for w in _of(truth, kind):
            for code in ("01", "02"):
                codes = [r["unit_code"] for r in w["sheets"][code]["rows"] if r["unit_code"] is not None]
                assert len(codes) == len(set(codes)), w["file"]
                in_scope = {r["unit_code"] for r in w["sheets"][code]["rows"] if _in_scope(r)} - {None}
                assert in_scope == expected[w["province_code"]], (w["file"], code)


def test_monthly_2026_has_no_district_column(truth: dict, books: dict[str, CalamineWorkbook]) -> None:
    all_units = reference.communes("2025", on=LIST_2026)
    assert len(all_units) == len(reference.communes("2025", in_scope_only=True, on=LIST_2026))  # xã, phường, đặc khu
    for w in _of(truth, "monthly_2026"):
        for code in ("01", "02"):
            sheet = w["sheets"][code]
            assert "district" not in sheet["columns"]
            assert all(r["district"] is None for r in sheet["rows"])
            grid = _grid(books[w["file"]], sheet["sheet_name"])
            header = " ".join(str(v) for row in grid[sheet["header_row"]: sheet["first_data_row"]] for v in row)
            assert "huyen" not in _fold(header) and "xaphuongdackhu" in _fold(header)  # "So CA chinh quy": folded
            assert sheet["label_col"] == sheet["columns"]["name"]


def test_staffing_is_shaped_like_the_article(truth: dict) -> None:
    rows = [r for w in _of(truth, "monthly_2021") for r in w["sheets"]["01"]["rows"]]
    assert all(r["officers"] >= 1 for r in rows)
    assert all(r["chiefs"] in (0, 1) for r in rows)
    assert sum(r["chiefs"] == 0 for r in rows) <= 10
    assert all(1 <= r["deputies"] <= 3 and r["deputies"] <= r["officers"] - 1 for r in rows)
    assert sum(3 <= r["officers"] <= 9 for r in rows) / len(rows) > 0.98
    for r in rows:
        if r["staffed_date"] is not None:
            assert date(2020, 1, 1) <= date.fromisoformat(r["staffed_date"]) <= date(2021, 4, 23)
    assert any(r["staffed_date"] is None for r in rows)
    rows_2026 = [r for w in _of(truth, "monthly_2026") for r in w["sheets"]["01"]["rows"]]
    assert all(r["deputies"] <= r["officers"] - 1 for r in rows_2026)
    for r in rows_2026:
        if r["staffed_date"] is not None:
            assert date(2025, 7, 1) <= date.fromisoformat(r["staffed_date"]) <= date(2026, 10, 20)


def test_hai_duong_monthly_april_2021(truth: dict) -> None:
    (hai_duong,) = [w for w in _of(truth, "monthly_2021") if w["province_code"] == "30"]
    rows = hai_duong["sheets"]["01"]["rows"]
    assert len(rows) == 188 == len(reference.communes("pre2025", "30", in_scope_only=True, on=LIST_2021))
    assert {r["officers"] for r in rows} == {5}
    assert hai_duong["departures"], "Hải Dương must carry at least one departure"
    assert all(r["staffed_date"] <= "2020-10-31" for r in rows if r["staffed_date"])
    levels = hai_duong["sheets"]["04"]["rows"]
    assert sum(r["collectives"] for r in levels) == 108
    assert sum(r["individuals"] for r in levels) == 250


def test_2021_workbooks_name_the_units_of_the_2021_list(truth: dict, list_2021: list[dict[str, str]]) -> None:
    """Every April 2021 workbook lists, as its in-scope rows, exactly the xã and thị trấn of its
    province in the list of 3/2/2021 (the committed file, read with csv and gzip), under that list's
    districts; the CCCD files list that list's districts; the national line counts that list's
    communes. Units merged away by January 2025 are there, units created since are not."""
    assert truth["unit_lists"] == UNIT_LISTS
    in_scope: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
    districts: dict[str, set[str]] = defaultdict(set)
    for unit in list_2021:
        districts[unit["province_code"]].add(unit["district_code"])
        if unit["type"] in ("xã", "thị trấn"):
            in_scope[unit["province_code"]][unit["unit_code"]] = unit
    assert len(in_scope) == 63 and sum(map(len, in_scope.values())) == truth["national"]["communes"]
    district_names = {u["district_code"]: u["district_name"] for u in list_2021}
    for w in truth["workbooks"]:
        assert w["unit_list"] == UNIT_LISTS[w["kind"]], w["file"]
    plain = 0
    for w in _of(truth, "monthly_2021"):
        units = in_scope[w["province_code"]]
        for code in ("01", "02"):
            rows = [r for r in w["sheets"][code]["rows"] if _in_scope(r) and r["unit_code"] is not None]
            assert sorted(r["unit_code"] for r in rows) == sorted(units), (w["file"], code)
            if set(w["departures"]) & NAME_DEPARTURES:
                continue
            plain += 1
            for r in rows:  # written as the list of 2021 has them, district included
                assert (r["name"], r["district"]) == (units[r["unit_code"]]["name"],
                                                      district_names[units[r["unit_code"]]["district_code"]]), r
    assert plain >= 10
    for w in _of(truth, "id_card_2021"):
        written = {r["unit_code"] for r in w["sheets"]["03"]["rows"]}
        # The list's districts, and those without any commune-level unit (islands such as Bạch Long Vĩ).
        assert districts[w["province_code"]] <= written, w["file"]
        assert all(d not in district_names for d in written - districts[w["province_code"]]), w["file"]
    # Units of 2021 the mergers of 2019-2024 took away, found by hand: Thị trấn Ninh Giang (11155) of
    # Hải Dương, gone from the list of 4/1/2025, whose 'Thị trấn Ninh Giang' is another unit (11203).
    (hai_duong,) = [w for w in _of(truth, "monthly_2021") if w["province_code"] == "30"]
    codes = {r["unit_code"] for r in hai_duong["sheets"]["01"]["rows"]}
    assert "11155" in codes and "11203" in codes
    assert in_scope["30"]["11155"]["name"] == "Thị trấn Ninh Giang" and in_scope["30"]["11203"]["name"] != \
        "Thị trấn Ninh Giang"


def test_hai_duong_lists_its_188_communes_and_towns_of_2021(truth: dict, list_2021: list[dict[str, str]]) -> None:
    """The article: "188/188 xã, thị trấn", 5 officers in each (docs/sources.md)."""
    expected = {u["unit_code"] for u in list_2021 if u["province_code"] == "30" and u["type"] in ("xã", "thị trấn")}
    assert len(expected) == 188
    for w in [w for w in _of(truth, "monthly_2021") if w["province_code"] == "30"]:
        for code in ("01", "02"):
            rows = w["sheets"][code]["rows"]
            assert len(rows) == 188 and {r["unit_code"] for r in rows} == expected, (w["file"], code)
            assert all(_loads(r) and _in_scope(r) for r in rows)
        assert sum(r["officers"] for r in w["sheets"]["01"]["rows"]) == 940


def test_population_table() -> None:
    """The 2019 census by province (thousands): the 63 provinces of 2021, adding up to the published
    national total, and two figures checked by hand (Lạng Sơn 781,655; Hải Dương 1,892,254)."""
    assert len(POPULATION_2019_THOUSANDS) == 63
    assert set(POPULATION_2019_THOUSANDS) == set(reference.provinces("pre2025", on=LIST_2021).unit_code)
    assert abs(sum(POPULATION_2019_THOUSANDS.values()) * 1000 - CENSUS_TOTAL_2019) <= 63 * 500
    assert CENSUS_TOTAL_2019 == 96_208_984
    assert (POPULATION_2019_THOUSANDS["20"], POPULATION_2019_THOUSANDS["30"]) == (782, 1892)


def test_cccd_figures_fit_each_province_population(truth: dict) -> None:
    """No province collects more applications by the deadline than its residents aged 14 and over,
    and its target is in proportion to its people as Hải Dương's is (988,200 of 1.9 million): Lạng
    Sơn (0.8 million) gets nowhere near 2.5 million. Each day's count is a plausible pace too."""
    people = {code: thousands * 1000 for code, thousands in POPULATION_2019_THOUSANDS.items()}
    daily: dict[str, Counter[str]] = defaultdict(Counter)
    for w in _of(truth, "id_card_2021"):
        for r in w["sheets"]["03"]["rows"]:
            daily[w["province_code"]][r["report_date"]] += r["applications"]
    assert set(truth["id_card"]) == set(people)
    shares = []
    for code, summary in truth["id_card"].items():
        assert summary["total_by_deadline"] <= AGED_14_AND_OVER * people[code], code
        assert summary["target"] < AGED_14_AND_OVER * people[code], code
        assert max(daily[code].values()) <= 0.025 * people[code], code  # no day takes 2.5% of the province
        shares.append(summary["target"] / people[code])
    assert truth["id_card"]["30"]["target"] == 988_200
    assert 0.4 <= min(shares) and max(shares) <= 0.65, (min(shares), max(shares))
    lang_son, hai_duong = truth["id_card"]["20"], truth["id_card"]["30"]
    assert lang_son["target"] < hai_duong["target"] and lang_son["total_by_deadline"] < 700_000


def test_security_activity_is_plausible(truth: dict) -> None:
    rows = [r for w in _readable(truth) if w["kind"] != "id_card_2021" for r in w["sheets"]["02"]["rows"]
            if r.get("rule") != "negative"]
    for r in rows:
        assert all(r[k] >= 0 for k in ACTIVITY)
        assert r["crime_reports"] <= r["tips_received"], r
        assert r["cases_clarified"] <= r["crime_reports"], r
        assert r["fines_vnd"] % 50_000 == 0, r
        assert (r["fines_vnd"] > 0) == (r["admin_violation_cases"] > 0), r
        assert r["tips_received"] <= 60 and r["admin_violation_cases"] <= 30
    assert any(r["crime_reports"] for r in rows) and any(r["reform_school_dossiers"] for r in rows)
    assert sum(r["tips_received"] == 0 for r in rows) < len(rows) / 2


def test_hai_duong_reaches_its_cccd_target_on_14_may(truth: dict) -> None:
    files = [w for w in _of(truth, "id_card_2021") if w["province_code"] == "30"]
    assert {w["sheets"]["03"]["target"] for w in files} == {988_200}
    daily: Counter[str] = Counter()
    for w in files:
        for r in w["sheets"]["03"]["rows"]:
            daily[r["report_date"]] += r["applications"]
    cumulative, reached = 0, None
    for day in sorted(daily):
        cumulative += daily[day]
        if cumulative >= 988_200:
            reached = (day, cumulative)
            break
    assert reached == ("2021-05-14", 991_830)
    assert (date(2021, 6, 30) - date.fromisoformat(reached[0])).days == 47


def test_id_card_summary_agrees_with_the_rows(truth: dict) -> None:
    daily: dict[str, Counter[str]] = defaultdict(Counter)
    for w in _of(truth, "id_card_2021"):
        for r in w["sheets"]["03"]["rows"]:
            daily[w["province_code"]][r["report_date"]] += r["applications"]
    assert set(truth["id_card"]) == set(daily)
    missed = 0
    for code, summary in truth["id_card"].items():
        assert summary["deadline"] == "2021-06-30"
        assert len(daily[code]) == 91
        cumulative, reached, at = 0, None, None
        for day in sorted(daily[code]):
            cumulative += daily[code][day]
            if reached is None and cumulative >= summary["target"]:
                reached, at = day, cumulative
        assert (summary["reached_date"], summary["cumulative_at_reached"]) == (reached, at), code
        assert summary["total_by_deadline"] == cumulative
        missed += reached is None
        assert summary["target"] % 100 == 0
    assert missed == 5


def test_name_departures_are_visible(truth: dict) -> None:
    official: dict[str, dict[str, str]] = {}
    types: dict[str, dict[str, str]] = {}
    for era, on in (("pre2025", LIST_2021), ("2025", LIST_2026)):  # codes are reused: one lookup per list
        communes = reference.communes(era, in_scope_only=True, on=on)
        official[on] = dict(zip(communes.unit_code, communes.name, strict=True))
        types[on] = dict(zip(communes.unit_code, communes.unit_type, strict=True))
    for w in [*_of(truth, "monthly_2021"), *_of(truth, "monthly_2026")]:
        deps = set(w["departures"])
        names_of = official[w["unit_list"]]
        assert [r["name"] for r in w["sheets"]["01"]["rows"]] == [r["name"] for r in w["sheets"]["02"]["rows"]]
        rows = [r for r in w["sheets"]["01"]["rows"]  # no official name otherwise; phường: test_phuong_rows
                if r["unit_code"] is not None and _in_scope(r)]
        names = [r["name"] for r in rows]
        if not deps & NAME_DEPARTURES:
            assert names == [names_of[r["unit_code"]] for r in rows], w["file"]
        if "names_no_diacritics" in deps:
            written = names + [r["district"] for r in rows if r["district"]]
            assert all(n.replace("\u00a0", " ").isascii() for n in written), w["file"]
        if "names_nfd" in deps:
            assert any(unicodedata.normalize("NFC", n) != n for n in names)
        if "names_upper" in deps:
            assert all(n == n.upper() for n in names)
        if "names_stray_spaces" in deps:
            assert any("  " in n or "\u00a0" in n or n != n.strip() for n in names)
        for name, row in zip(names, rows, strict=True):
            base = _strip_type(names_of[row["unit_code"]], types[w["unit_list"]][row["unit_code"]])
            if base is None:
                continue
            if "names_prefix_abbrev" in deps:
                assert name.replace("\u00a0", " ").strip().upper().startswith(("X. ", "TT. ", "P. ", "ĐK. ", "DK. "))
                assert _fold(name.split(".", 1)[1]) == _fold(base), name
            if "names_no_prefix" in deps:
                assert _fold(name) == _fold(base), name


def test_rows_stay_distinguishable(truth: dict) -> None:
    """Where lossy spellings make two rows alike, the workbook carries unit codes."""
    for w in [*_of(truth, "monthly_2021"), *_of(truth, "monthly_2026")]:
        sheet = w["sheets"]["01"]
        keys = [(_key(r["district"] or ""), _key(r["name"])) for r in sheet["rows"]]
        if len(set(keys)) != len(keys):
            assert sheet["has_codes"], w["file"]
    flags = [w["sheets"]["01"]["has_codes"] for w in _of(truth, "monthly_2021")]
    assert any(flags) and not all(flags)


# --------------------------------------------------------------------------- seeded faults


def _figures_ok(row: dict, code: str) -> bool:
    """The template's error rules over one row: nothing negative, chief at most 1, deputies no
    more than officers, crime reports no more than tips."""
    if any(row[k] < 0 for k in FIGURES[code]):
        return False
    if code == "01":
        return row["chiefs"] <= 1 and row["deputies"] <= row["officers"]
    return code != "02" or row["crime_reports"] <= row["tips_received"]


def test_each_fault_is_seeded_and_marked(truth: dict) -> None:
    assert FAULTS == EXPECTED_FAULTS and truth["fault_names"] == list(EXPECTED_FAULTS)
    where: dict[tuple[str, str], list[str]] = defaultdict(list)
    for w in truth["workbooks"]:
        assert w["faults"] == [f for f in EXPECTED_FAULTS if f in w["faults"]], w["file"]
        for fault in w["faults"]:
            where[(w["kind"], fault)].append(w["province_code"])
        if w["era"] == "pre2025" and w["province_code"] == "30":
            assert not w["faults"] and "corrected_by" not in w, "Hải Dương's figures stay exact"
        rows = {code: sheet["rows"] for code, sheet in w["sheets"].items()}
        flagged = [(code, r) for code, sheet_rows in rows.items() for r in sheet_rows if not _loads(r)]
        for code, sheet_rows in rows.items():
            for r in sheet_rows:
                if _loads(r):  # rows that load: a unit of the province, figures within the rules
                    assert r.get("unit_code") is not None or code == "04", (w["file"], r)
                    assert _figures_ok(r, code), (w["file"], code, r)
                else:
                    assert r["expect"] == "quarantine" and r["rule"] in ("unknown_unit", "negative"), r
        unknown = [(code, r) for code, r in flagged if r["rule"] == "unknown_unit"]
        negative = [(code, r) for code, r in flagged if r["rule"] == "negative"]
        mismatches = [code for code, sheet in w["sheets"].items() if "total_mismatch" in sheet]
        # The list of faults says exactly what the workbook holds.
        assert ("unknown_unit" in w["faults"]) == bool(unknown), w["file"]
        assert ("negative" in w["faults"]) == bool(negative), w["file"]
        assert ("total_mismatch" in w["faults"]) == bool(mismatches), w["file"]
        assert ("late" in w["faults"]) == bool(w.get("late")), w["file"]
        assert ("correction" in w["faults"]) == ("corrects" in w), w["file"]
        if unknown:  # one extra row in each of sheets 01 and 02, at the same place
            assert sorted(code for code, _ in unknown) == ["01", "02"]
            assert all(r["unit_code"] is None for _, r in unknown)
            assert [r["name"] for r in rows["01"]].index(unknown[0][1]["name"]) == \
                [r["name"] for r in rows["02"]].index(unknown[1][1]["name"])
        for code, r in negative:  # a real commune; the negative figure is the one rule it breaks
            assert r["unit_code"] is not None and r[r["column"]] < 0, r
            assert _figures_ok({**r, r["column"]: 0}, code), r
    for kind in ("monthly_2021", "monthly_2026"):
        for fault in ("unknown_unit", "negative", "total_mismatch"):
            assert len(where[(kind, fault)]) == 1, (kind, fault)
    assert len(where[("monthly_2021", "late")]) == len(where[("monthly_2021", "correction")]) == 1
    assert {kind for kind, _ in where} == {"monthly_2021", "monthly_2026"}
    legacy = [code for (kind, _), codes in where.items() if kind == "monthly_2021" for code in codes]
    assert len(legacy) == len(set(legacy)) == 5, "one fault per province in April 2021"
    # Faulty rows spread over both sheets and both kinds.
    negatives = {(w["kind"], code) for w in truth["workbooks"] for code, s in w["sheets"].items()
                 for r in s["rows"] if r.get("rule") == "negative"}
    assert {kind for kind, _ in negatives} == {"monthly_2021", "monthly_2026"}
    assert {code for _, code in negatives} == {"01", "02"}


def test_unknown_communes_name_no_unit_of_their_province(truth: dict, books: dict[str, CalamineWorkbook]) -> None:
    units = reference.admin_units()
    units = units[units.level == "commune"]
    for w in [*_of(truth, "monthly_2021"), *_of(truth, "monthly_2026")]:
        if "unknown_unit" not in w["faults"]:
            continue
        mine = units[(units.admin_era == w["era"]) & (units.province_code == w["province_code"])]
        taken = {_fold(n) for n in mine.name} | {_fold(re.sub(r"\s*\([^)]*\)$", "", n)) for n in mine.short_name}
        for code in ("01", "02"):
            sheet = w["sheets"][code]
            (row,) = [r for r in sheet["rows"] if r.get("rule") == "unknown_unit"]
            cells = _grid(books[w["file"]], sheet["sheet_name"])[row["row"]]
            assert cells[sheet["columns"]["name"]] == row["name"] and cells[sheet["columns"]["code"]] == ""
            written = _fold(row["name"])
            bare = [written[len(prefix):] for prefix in ("xa", "x") if written.startswith(prefix)]
            assert written not in taken and not set(bare) & taken, (w["file"], row["name"])
            assert _figures_ok(row, code) and row[FIGURES[code][0]] > 0  # plausible figures
            if "district" in sheet["columns"]:  # under one of the province's districts
                assert cells[sheet["columns"]["district"]] == row["district"] and row["district"]


def test_negative_figures_and_stated_totals_read_back(truth: dict, books: dict[str, CalamineWorkbook]) -> None:
    seen = Counter()
    for w in [*_of(truth, "monthly_2021"), *_of(truth, "monthly_2026")]:
        for code, sheet in w["sheets"].items():
            grid = _grid(books[w["file"]], sheet["sheet_name"])
            for r in sheet["rows"]:
                if r.get("rule") == "negative":
                    value = grid[r["row"]][sheet["columns"][r["column"]]]
                    assert _number(value) == r[r["column"]] < 0, (w["file"], value)
                    seen["negative"] += 1
            if "total_mismatch" in sheet:
                mismatch = sheet["total_mismatch"]
                assert mismatch["column"] in FIGURES[code]
                assert mismatch["sum"] == sum(r[mismatch["column"]] for r in sheet["rows"])
                value = grid[sheet["total_row"]][sheet["columns"][mismatch["column"]]]
                assert _number(value) == mismatch["stated"] != mismatch["sum"]
                seen["total_mismatch"] += 1
    assert seen == {"negative": 2, "total_mismatch": 2}


def test_late_file(generated: tuple[Path, list[Path], dict]) -> None:
    out, _, truth = generated
    (late,) = [w for w in truth["workbooks"] if w.get("late")]
    assert late["kind"] == "monthly_2021" and late["province_code"] != "30" and "corrected_by" not in late
    assert late["late"] is True and late["period"] == "2021-04"
    due = datetime.fromisoformat(f"2021-05-12T14:00:00{VN}")
    assert late["modified"] == due.isoformat()
    assert (out / late["file"]).stat().st_mtime == due.timestamp()
    assert all("late" not in w for w in truth["workbooks"] if w is not late)


def test_resubmitted_correction(generated: tuple[Path, list[Path], dict], books: dict[str, CalamineWorkbook]) -> None:
    out, _, truth = generated
    (fixed,) = [w for w in truth["workbooks"] if "corrects" in w]
    (original,) = [w for w in truth["workbooks"] if "corrected_by" in w]
    assert (fixed["corrects"], original["corrected_by"]) == (original["file"], fixed["file"])
    assert fixed["file"] != original["file"] and Path(fixed["file"]).stem.startswith(Path(original["file"]).stem)
    assert fixed["kind"] == original["kind"] == "monthly_2021"
    assert fixed["province_code"] == original["province_code"] != "30"
    assert not original["faults"] and fixed["faults"] == ["correction"] and not original.get("late")
    resent = datetime.fromisoformat(f"2021-04-28T10:00:00{VN}")
    assert fixed["modified"] == resent.isoformat() and (out / fixed["file"]).stat().st_mtime == resent.timestamp()
    assert datetime.fromisoformat(original["modified"]) < resent
    assert truth["workbooks"].index(fixed) > truth["workbooks"].index(original)
    # The same workbook in all but the corrected figures.
    same = ("kind", "era", "province_code", "period", "as_of_date", "departures", "format", "sheet_names",
            "hidden_sheets", "extra_sheets")
    assert {k: fixed[k] for k in same} == {k: original[k] for k in same}
    changed = {(code, c["row"], c["col"]): c
               for code, s in fixed["sheets"].items() for c in s.get("corrected_cells", ())}
    assert sum(code == "01" for code, _, _ in changed) in (2, 3) and sum(code == "02" for code, _, _ in changed) == 1
    assert {c["column"] for c in changed.values()} == {"officers", "tips_received"}
    book_a, book_b = books[original["file"]], books[fixed["file"]]
    assert book_a.sheet_names == book_b.sheet_names
    for name in book_a.sheet_names:
        code = next((c for c, s in fixed["sheets"].items() if s["sheet_name"] == name), None)
        grid_a, grid_b = _grid(book_a, name), _grid(book_b, name)
        assert len(grid_a) == len(grid_b)
        differ = {(r, c) for r, (row_a, row_b) in enumerate(zip(grid_a, grid_b, strict=True))
                  for c, (a, b) in enumerate(zip(row_a, row_b, strict=True)) if a != b}
        cells = {(r, c) for k, r, c in changed if k == code}
        sheet = fixed["sheets"].get(code or "")
        # The corrected cells, and the subtotals and total that add them up (the clerk's formulas).
        sums = {(r, c) for _, c in cells for r in [*sheet["subtotal_rows"], sheet["total_row"]]} if sheet else set()
        assert cells <= differ <= cells | sums, name
        for r, c in cells:
            cell = changed[(code, r, c)]
            assert _number(grid_a[r][c], True) == cell["was"] != cell["now"] == _number(grid_b[r][c], True)
            assert grid_b[r][sheet["columns"][cell["column"]]] == grid_b[r][c]
    # The truth rows differ in those figures alone.
    for code in ("01", "02", "04"):
        rows_a, rows_b = original["sheets"][code]["rows"], fixed["sheets"][code]["rows"]
        assert len(rows_a) == len(rows_b)
        for a, b in zip(rows_a, rows_b, strict=True):
            diff = {k for k in a if a[k] != b[k]}
            fixes = {c["column"] for c in fixed["sheets"][code].get("corrected_cells", ()) if c["unit_code"] ==
                     a.get("unit_code")}
            assert diff == fixes, (code, a.get("unit_code"), diff)
    # A corrected officers count stays within the sheet's rules.
    fixed_rows = {r["unit_code"]: r for r in fixed["sheets"]["01"]["rows"]}
    for c in fixed["sheets"]["01"]["corrected_cells"]:
        assert _figures_ok(fixed_rows[c["unit_code"]], "01") and 3 <= c["now"] <= 9


# --------------------------------------------------------------------------- later departures


def _header_text(grid: list[list], sheet: dict, col: int) -> str:
    """The header of a column: its cell in the header row, or below a merged group label."""
    cells = [grid[r][col] for r in range(sheet["header_row"], sheet["first_data_row"])]
    return str(cells[-1] if len(cells) > 1 and cells[-1] != "" else cells[0])


def test_column_order(truth: dict, books: dict[str, CalamineWorkbook]) -> None:
    """Sheets 01 and 02 (and 03) of a column_order workbook have their columns in another order
    than the template, and the truth's column positions say where each one is."""
    headers = {"stt": ("STT",), "code": ("Mã ĐVHC", "Ma DVHC"), "note": ("Ghi chú", "Ghi chu"),
               "district": ("Huyện, thị xã, thành phố", "Huyen, thi xa, thanh pho"),
               "name": ("Xã, thị trấn", "Xa, thi tran", "Xã, phường, đặc khu", "Xa, phuong, dac khu"),
               "date": ("Ngày", "Ngày hoàn thành bố trí", "Ngay hoan thanh bo tri"),
               "unit": ("Huyện, thị xã, thành phố",)}
    seen: Counter[str] = Counter()
    for w in _readable(truth):
        book = books[w["file"]]
        for code, sheet in w["sheets"].items():
            order = [k for k, _ in sorted(sheet["columns"].items(), key=lambda kc: kc[1])]
            template = [k for k in TEMPLATE_ORDER[code] if k in sheet["columns"]]
            assert sorted(order) == sorted(template), (w["file"], code)
            departs = order != template
            assert departs == ("column_order" in w["departures"] and code != "04"), (w["file"], code, order)
            seen[code] += departs
            grid = _grid(book, sheet["sheet_name"])
            for key, col in sheet["columns"].items():
                if key in headers:
                    assert _header_text(grid, sheet, col) in headers[key], (w["file"], code, key)
            if code == "01" and departs:  # each moves a column a reader would look for elsewhere
                at = sheet["columns"]
                moved = {"code_first": at["code"] < at["name"], "district_after": at.get("district", -1) > at["name"],
                         "chiefs_first": at["chiefs"] < at["officers"], "note_first": at["note"] < at["officers"],
                         "date_first": at["date"] < at["officers"], "note_before_date": at["note"] < at["date"]}
                assert any(moved.values()), (w["file"], order)
                seen.update(k for k, v in moved.items() if v)
        if "column_order" in w["departures"] and w["kind"] != "id_card_2021":  # one habit for the unit columns
            idents = [[k for k in order_of(w["sheets"][c]) if k in ("stt", "district", "name", "code")]
                      for c in ("01", "02")]
            assert idents[0] == idents[1], w["file"]
    assert seen["01"] >= 6 and seen["02"] >= 6 and seen["03"] >= 18, seen


def order_of(sheet: dict) -> list[str]:
    return [k for k, _ in sorted(sheet["columns"].items(), key=lambda kc: kc[1])]


def _tones_back(text: str) -> str:
    """A name with every tone mark of a final oa, oe or uy on the first vowel ('Hoà' -> 'Hòa')."""
    return unicodedata.normalize("NFC", re.sub(
        r"(?<![qQ])([oO](?=[aAeE])|[uU](?=[yY]))(.)([\u0300\u0301\u0303\u0309\u0323])(?![\w\u0300-\u036f])",
        r"\1\3\2", unicodedata.normalize("NFD", text)))


def _second_vowel_tones(text: str) -> int:
    return len(SECOND_VOWEL_TONE.findall(unicodedata.normalize("NFC", text)))


def test_old_tone_marks(truth: dict) -> None:
    """'Hoà', 'Thuỵ', 'Khoá' where the unit list writes 'Hòa', 'Thụy', 'Khóa': in the names (and
    district names) of the workbooks with the departure, and nowhere else. The GSO lists of 2020 to
    January 2025 write some names the old way themselves ('Xã Đức Hoà'); those are written as the
    list has them, with or without the departure."""
    official: dict[str, dict[tuple[str, str], str]] = {}
    district_of: dict[str, dict[str, str]] = {}
    for on in (LIST_2021, LIST_2026):
        units = reference.snapshot(on)
        official[on] = {(level, code): name for level, code, name in zip(units.level, units.unit_code, units.name,
                                                                          strict=True)}
        communes = units[units.level == "commune"]
        district_of[on] = dict(zip(communes.unit_code, communes.district_code, strict=True))
    assert any(SECOND_VOWEL_TONE.search(n) for n in official[LIST_2021].values()), "the 2021 list has some"
    retoned = Counter()
    for w in _readable(truth):
        names = official[w["unit_list"]]
        pairs = []  # (written, official) for every name of a known unit, and its district
        for sheet in w["sheets"].values():
            for r in sheet["rows"]:
                if r.get("unit_code") is None:
                    continue
                if w["kind"] == "id_card_2021":
                    pairs.append((r["name"], names[("district", r["unit_code"])]))
                    continue
                pairs.append((r["name"], names[("commune", r["unit_code"])]))
                if r["district"]:
                    pairs.append((r["district"], names[("district", district_of[w["unit_list"]][r["unit_code"]])]))
        found = [written for written, name in pairs if _second_vowel_tones(written) > _second_vowel_tones(name)]
        assert bool(found) == ("old_tone_marks" in w["departures"]), (w["file"], found[:3])
        retoned[w["kind"]] += bool(found)
        if not found or set(w["departures"]) & (NAME_DEPARTURES - {"old_tone_marks"}):
            continue
        for written, name in pairs:  # moving the tone marks back gives the list's spelling (its own old ones too)
            if w["kind"] != "id_card_2021":
                assert _tones_back(written) == _tones_back(name), (w["file"], written, name)
    assert all(retoned[kind] >= 3 for kind in ALL_KINDS), retoned


def test_phuong_rows(truth: dict, books: dict[str, CalamineWorkbook]) -> None:
    """Three April 2021 cities list some phường in sheets 01 and 02: real units of the province,
    out of the staffing scope, recorded with in_scope false at the same place in both sheets,
    'Phường 05' for the official 'Phường 5'; they count in the sheets' sums, never in national."""
    units = reference.communes("pre2025", on=LIST_2021)
    phuong = units[units.unit_type == "phường"]
    official = dict(zip(phuong.unit_code, phuong.name, strict=True))
    province_of = dict(zip(phuong.unit_code, phuong.province_code, strict=True))
    district_of = dict(zip(phuong.unit_code, phuong.district_code, strict=True))
    with_rows = {}
    zero_padded = 0
    for w in _readable(truth):
        out = {code: [r for r in s["rows"] if not _in_scope(r)] for code, s in w["sheets"].items()}
        assert bool(out.get("01")) == ("phuong_rows" in w["departures"]), w["file"]
        assert not out.get("03") and not out.get("04")
        if not out.get("01"):
            continue
        with_rows[w["province_code"]] = w
        assert w["kind"] == "monthly_2021"
        assert [(r["row"], r["unit_code"], r["name"]) for r in out["01"]] == [
            (r["row"], r["unit_code"], r["name"]) for r in out["02"]]
        assert 3 <= len(out["01"]) <= 6
        assert len({district_of[r["unit_code"]] for r in out["01"]}) == 1
        for code in ("01", "02"):
            sheet = w["sheets"][code]
            grid = _grid(books[w["file"]], sheet["sheet_name"])
            rows = [r["row"] for r in sheet["rows"]]
            assert rows == sorted(rows)
            for r in out[code]:
                assert r["in_scope"] is False and _loads(r) and province_of[r["unit_code"]] == w["province_code"]
                assert grid[r["row"]][sheet["columns"]["name"]] == r["name"]
                name = official[r["unit_code"]]
                number = re.fullmatch(r"Phường (\d+)", name)
                if number:  # in the workbook's case and Unicode form, padded the other way from the list
                    padded = f"Phường {int(number.group(1)):02d}"
                    other = padded if padded != name else f"Phường {int(number.group(1))}"
                    assert _fold(r["name"]) == _fold(other) != _fold(name), r
                    zero_padded += code == "01"
                else:
                    assert _fold(r["name"]).endswith(_fold(name.removeprefix("Phường "))), r
            stt = [grid[r["row"]][sheet["columns"]["stt"]] for r in sheet["rows"]]
            assert stt == list(range(1, len(stt) + 1)), "numbered again with the phường"
        assert all(r["officers"] > r["deputies"] >= 1 and r["chiefs"] == 1 for r in out["01"])
    assert set(with_rows) == PHUONG_CITIES and zero_padded >= 3
    national = truth["national"]
    everything = sum(r["officers"] for w in _final(truth, "monthly_2021") for r in w["sheets"]["01"]["rows"]
                     if _loads(r))
    phuong_officers = sum(r["officers"] for w in with_rows.values() for r in w["sheets"]["01"]["rows"]
                          if not _in_scope(r))
    assert everything - phuong_officers == national["officers"] and phuong_officers > 0


def test_chart_sheets(generated: tuple[Path, list[Path], dict], books: dict[str, CalamineWorkbook]) -> None:
    """A chart sheet (a column chart of sheet 01's officers) in a few .xlsx monthly workbooks; it
    reads as an empty sheet."""
    out, _, truth = generated
    counts = Counter()
    for w in _readable(truth):
        if not w["chart_sheets"]:
            continue
        counts[w["kind"]] += 1
        assert w["format"] == "xlsx" and w["kind"] != "id_card_2021"
        book = books[w["file"]]
        kinds = {m.name: str(m.typ) for m in book.sheets_metadata}
        for name in w["chart_sheets"]:
            assert kinds[name].endswith("ChartSheet") and _grid(book, name) == []
        assert all(kinds[s["sheet_name"]].endswith("WorkSheet") for s in w["sheets"].values())
        sheet = w["sheets"]["01"]
        with zipfile.ZipFile(out / w["file"]) as z:
            assert any(n.startswith("xl/chartsheets/sheet") for n in z.namelist())
            (chart,) = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
        column = chr(ord("A") + sheet["columns"]["officers"])
        first, last = sheet["first_data_row"] + 1, sheet["total_row"]
        assert f"${column}${first}:${column}${last}</c:f>" in chart and "<c:barDir val=\"col\"/>" in chart
    assert counts["monthly_2021"] >= 3 and counts["monthly_2026"] >= 3, counts


# --------------------------------------------------------------------------- broken files


def test_broken_files(generated: tuple[Path, list[Path], dict]) -> None:
    """Each broken file once, beside its province's good report, recorded as rejected; none opens
    with calamine but the blank template, which holds no figures."""
    out, _, truth = generated
    broken = _broken(truth)
    assert BROKEN_FILES == EXPECTED_BROKEN and truth["broken_names"] == list(EXPECTED_BROKEN)
    assert list(broken) == list(EXPECTED_BROKEN)
    good = {w["province_code"]: w for w in _final(truth, "monthly_2021")}
    for name, w in broken.items():
        assert (w["kind"], w["era"], w["period"], w["expect"], w["sheets"]) == (
            "monthly_2021", "pre2025", "2021-04", "rejected", {})
        assert w["province_code"] in good and w["province_code"] != "30" and not w["departures"] and not w["faults"]
        assert w["file"] not in {g["file"] for g in _readable(truth)}
        data = (out / w["file"]).read_bytes()
        if name != "blank_template":
            with pytest.raises(Exception):  # noqa: B017 - calamine raises its own error types
                CalamineWorkbook.from_path(str(out / w["file"]))
        if name == "not_a_spreadsheet":
            assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
        elif name == "empty_file":
            assert data == b""
        elif name == "truncated":
            source = (out / w["copy_of"]).read_bytes()
            assert w["copy_of"] == good[w["province_code"]]["file"] and data == source[: len(source) // 2]
        elif name == "password_protected":
            assert w["copy_of"] == good[w["province_code"]]["file"]
            office = msoffcrypto.OfficeFile(io.BytesIO(data))
            assert office.is_encrypted()
            office.load_key(password=BROKEN_PASSWORD)
            plain = io.BytesIO()
            office.decrypt(plain)
            assert plain.getvalue() == (out / w["copy_of"]).read_bytes()
        else:
            book = CalamineWorkbook.from_path(str(out / w["file"]))
            assert book.sheet_names == w["sheet_names"] and len(w["sheet_names"]) == 3
            title = " ".join(str(v) for v in _grid(book, w["sheet_names"][0])[3])
            assert "Tháng 4 năm 2021" in title
            communes = set(reference.communes("pre2025", w["province_code"], in_scope_only=True, on=LIST_2021).name)
            for sheet_name in w["sheet_names"]:
                grid = _grid(book, sheet_name)
                numbers = [(c, v) for row in grid for c, v in enumerate(row) if isinstance(v, float | int)]
                figures = [v for row in grid for v in row if isinstance(v, str) and re.fullmatch(r"[\d.,]+", v)
                           and not re.fullmatch(r"\d{5}", v)]  # unit codes are text
                assert not figures and all(c == 0 for c, _ in numbers), sheet_name  # STT alone
                assert [v for _, v in numbers] == list(range(1, len(numbers) + 1))
                named = {v for row in grid for v in row if v in communes}
                assert named == (communes if numbers else set()), sheet_name  # the units are listed
