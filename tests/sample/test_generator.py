"""Tests of the sample workbook generator (etl.sample): counts, shape of the figures, departures,
determinism, and that what the workbooks hold (read back with calamine) matches truth.json."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import zipfile
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from etl import reference
from etl.sample import DEPARTURES, generate_samples

EXPECTED_DEPARTURES = {
    "title_block", "two_row_header", "header_wording", "names_no_diacritics", "names_nfd",
    "names_prefix_abbrev", "names_no_prefix", "names_upper", "names_stray_spaces", "numbers_as_text",
    "district_subtotals", "sum_formulas", "sheet_name", "dates_as_text", "dates_as_serial", "extra_sheet",
}
NAME_DEPARTURES = {d for d in EXPECTED_DEPARTURES if d.startswith("names_")}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path], dict]:
    out = tmp_path_factory.mktemp("samples")
    paths = generate_samples(out, seed=2021)
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    return out, paths, truth


@pytest.fixture(scope="module")
def truth(generated: tuple[Path, list[Path], dict]) -> dict:
    return generated[2]


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _number(value: object) -> int:
    """A figure as read back: a float, or text with the Vietnamese thousands dot."""
    if isinstance(value, str):
        assert re.fullmatch(r"\d{1,3}(\.\d{3})*", value), value
        return int(value.replace(".", ""))
    assert isinstance(value, float | int) and not isinstance(value, bool), value
    return int(value)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch)).lower()


def _key(text: str) -> str:
    """Written text as a reader compares it: NFC, any case, spaces ignored, diacritics kept."""
    return "".join(ch for ch in unicodedata.normalize("NFC", text).lower() if ch.isalnum())


def _strip_type(name: str) -> str | None:
    """'Xã Hưng Đạo' -> 'Hưng Đạo'; None for a name without a type word ('Phường 5' filed as xã)."""
    match = re.match(r"(?i)(xã|thị trấn) (.+)$", name)
    return match.group(2) if match else None


def _in_scope() -> dict[str, set[str]]:
    communes = reference.communes("pre2025", in_scope_only=True)
    out: dict[str, set[str]] = {}
    for province, code in zip(communes.province_code, communes.unit_code, strict=True):
        out.setdefault(province, set()).add(code)
    return out


def test_63_workbooks_written(generated: tuple[Path, list[Path], dict]) -> None:
    out, paths, truth = generated
    assert len(paths) == 63 == len(set(paths))
    assert sorted(p.name for p in out.glob("*.xlsx")) == sorted(p.name for p in paths)
    assert [w["file"] for w in truth["workbooks"]] == [p.name for p in paths]
    assert {w["province_code"] for w in truth["workbooks"]} == set(reference.provinces("pre2025").unit_code)
    for path in paths:
        assert zipfile.is_zipfile(path)


def test_deterministic_for_a_seed(generated: tuple[Path, list[Path], dict], tmp_path: Path) -> None:
    again, other = tmp_path / "again", tmp_path / "other"
    generate_samples(again, seed=2021)
    generate_samples(other, seed=7)
    assert _digest(again) == _digest(generated[0])
    assert _digest(other) != _digest(generated[0])
    # Arrival times are deterministic too.
    for path in again.glob("*.xlsx"):
        assert path.stat().st_mtime == (generated[0] / path.name).stat().st_mtime


def test_national_totals(truth: dict) -> None:
    in_scope = reference.communes("pre2025", in_scope_only=True)
    rows = [r for w in truth["workbooks"] for r in w["rows"]]
    assert truth["national"]["communes"] == len(in_scope) == len(rows)
    assert truth["national"]["officers"] == sum(r["officers"] for r in rows)
    assert truth["national"]["officers"] >= 44_000
    assert 5.2 <= truth["national"]["officers"] / truth["national"]["communes"] <= 5.6
    assert truth["national"]["provinces"] == 63
    assert truth["as_of_date"] == "2021-04-23"


def test_every_in_scope_commune_once_in_its_workbook(truth: dict) -> None:
    expected = _in_scope()
    for workbook in truth["workbooks"]:
        codes = [r["unit_code"] for r in workbook["rows"]]
        assert len(codes) == len(set(codes)), workbook["file"]
        assert set(codes) == expected[workbook["province_code"]], workbook["file"]
        assert workbook["totals"]["communes"] == len(codes)


def test_figures_are_shaped_like_the_article(truth: dict) -> None:
    rows = [r for w in truth["workbooks"] for r in w["rows"]]
    assert all(r["officers"] >= 1 for r in rows)
    assert all(r["chiefs"] in (0, 1) for r in rows)
    assert sum(r["chiefs"] == 0 for r in rows) <= 10
    assert all(1 <= r["deputies"] <= 3 and r["deputies"] <= r["officers"] - 1 for r in rows)
    typical = sum(3 <= r["officers"] <= 9 for r in rows)
    assert typical / len(rows) > 0.98
    for r in rows:
        if r["staffed_date"] is not None:
            assert date(2020, 1, 1) <= date.fromisoformat(r["staffed_date"]) <= date(2021, 4, 23)
    assert any(r["staffed_date"] is None for r in rows)


def test_hai_duong_has_five_in_each_commune(truth: dict) -> None:
    (hai_duong,) = [w for w in truth["workbooks"] if w["province_code"] == "30"]
    assert len(hai_duong["rows"]) == len(reference.communes("pre2025", "30", in_scope_only=True))
    assert {r["officers"] for r in hai_duong["rows"]} == {5}
    assert hai_duong["departures"], "Hải Dương must carry at least one departure"
    assert all(r["staffed_date"] <= "2020-10-31" for r in hai_duong["rows"] if r["staffed_date"])


def test_departures_cover_the_list(truth: dict) -> None:
    assert set(DEPARTURES) == EXPECTED_DEPARTURES == set(truth["departure_names"])
    counts = Counter(d for w in truth["workbooks"] for d in w["departures"])
    assert set(counts) <= EXPECTED_DEPARTURES
    for departure in EXPECTED_DEPARTURES:
        assert counts[departure] >= 3, departure
    assert sum(bool(w["departures"]) for w in truth["workbooks"]) >= 21
    for w in truth["workbooks"]:
        deps = set(w["departures"])
        for pair in ({"names_no_diacritics", "names_nfd"}, {"names_prefix_abbrev", "names_no_prefix"},
                     {"numbers_as_text", "sum_formulas"}, {"dates_as_text", "dates_as_serial"}):
            assert not pair <= deps, (w["file"], pair)


def test_file_names_and_arrival_times(generated: tuple[Path, list[Path], dict]) -> None:
    out, _, truth = generated
    names = reference.provinces("pre2025").set_index("unit_code").short_name.to_dict()
    names["46"] = "Thừa Thiên Huế"  # its name in 2021
    # Sent the afternoon of the as-of day, so that the night of 24/4 (01:00) takes every file.
    low = datetime.fromisoformat("2021-04-23T13:30:00+07:00").timestamp()
    high = datetime.fromisoformat("2021-04-24T01:00:00+07:00").timestamp()
    for w in truth["workbooks"]:
        assert re.fullmatch(r"[A-Za-z0-9 ._()-]+\.xlsx", w["file"]), w["file"]
        assert _fold(names[w["province_code"]]) in _fold(w["file"]), w["file"]
        mtime = (out / w["file"]).stat().st_mtime
        assert low <= mtime <= high
        assert mtime == datetime.fromisoformat(w["modified"]).timestamp()


def _sheet(out: Path, w: dict) -> list[list]:
    book = CalamineWorkbook.from_path(str(out / w["file"]))
    assert book.sheet_names == w["sheet_names"]
    assert w["sheet_names"][-1] == w["sheet_name"]
    return book.get_sheet_by_name(w["sheet_name"]).to_python(skip_empty_area=False)


def test_workbooks_read_back_as_the_truth(generated: tuple[Path, list[Path], dict]) -> None:
    out, _, truth = generated
    for w in truth["workbooks"]:
        grid = _sheet(out, w)
        deps = set(w["departures"])
        title = " ".join(str(v) for row in grid[: w["header_row"]] for v in row if v)
        assert "Tháng 4 năm 2021" in title and "23/4/2021" in title, w["file"]
        assert f"CÔNG AN {w['province_name'].upper()}" in title, w["file"]
        assert grid[w["header_row"]][0] == "STT"
        assert w["header_rows"] == (2 if "two_row_header" in deps else 1)
        assert (w["header_row"] != 4) == ("title_block" in deps), w["file"]
        for r in w["rows"]:
            cells = grid[r["row"]]
            assert (cells[1], cells[2]) == (r["district"], r["name"]), w["file"]
            assert [_number(v) for v in cells[4:7]] == [r["officers"], r["chiefs"], r["deputies"]]
            assert isinstance(cells[4], str) == ("numbers_as_text" in deps)
            assert cells[3] == (r["unit_code"] if w["has_codes"] else ""), w["file"]
            _check_date(cells[7], r["staffed_date"], deps)


def _check_date(value: object, expected: str | None, deps: set[str]) -> None:
    if expected is None:
        assert value == ""
        return
    day = date.fromisoformat(expected)
    if "dates_as_text" in deps:
        assert value in (f"{day.day}/{day.month}/{day.year}", day.strftime("%d/%m/%Y"), day.strftime("%d-%m-%Y"))
    elif "dates_as_serial" in deps:
        assert value == float((day - date(1899, 12, 30)).days)
    else:
        assert value == day


def test_total_and_subtotal_rows_hold_the_sums(generated: tuple[Path, list[Path], dict]) -> None:
    out, _, truth = generated
    thousands = False
    for w in truth["workbooks"]:
        grid = _sheet(out, w)
        total = grid[w["total_row"]]
        assert _fold(total[1]) == "tongcong", w["file"]
        sums = [sum(r[k] for r in w["rows"]) for k in ("officers", "chiefs", "deputies")]
        assert [_number(v) for v in total[4:7]] == sums, w["file"]
        assert sums == [w["totals"][k] for k in ("officers", "chiefs", "deputies")]
        thousands |= isinstance(total[4], str) and "." in total[4]
        assert w["total_row"] == len(grid) - 1, "the total row is the last row"
        assert bool(w["subtotal_rows"]) == ("district_subtotals" in w["departures"])
        # Each subtotal adds up the commune rows between it and the previous subtotal.
        start = w["first_data_row"]
        for sub in w["subtotal_rows"]:
            group = [r for r in w["rows"] if start <= r["row"] < sub]
            assert group and _fold(grid[sub][1]).startswith("cong")
            assert [_number(v) for v in grid[sub][4:7]] == [
                sum(r[k] for r in group) for k in ("officers", "chiefs", "deputies")]
            start = sub + 1
    assert thousands, "some total must be written as text with a thousands dot"


def test_formulas_only_where_declared(generated: tuple[Path, list[Path], dict]) -> None:
    out, _, truth = generated
    for w in truth["workbooks"]:
        with zipfile.ZipFile(out / w["file"]) as z:
            sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
            xml = z.read(sorted(sheets)[-1]).decode()
            core = z.read("docProps/core.xml").decode()
        has = "<f>" in xml
        assert has == ("sum_formulas" in w["departures"]), w["file"]
        if has:
            assert "SUM(" in xml
        assert "<dcterms:created" in core and "2021-04-2" in core  # fixed, not the time of the run


def test_name_departures_are_visible(truth: dict) -> None:
    communes = reference.communes("pre2025", in_scope_only=True)
    official = dict(zip(communes.unit_code, communes.name, strict=True))
    for w in truth["workbooks"]:
        deps = set(w["departures"])
        names = [r["name"] for r in w["rows"]]
        if not deps & NAME_DEPARTURES:
            assert names == [official[r["unit_code"]] for r in w["rows"]], w["file"]
        if "names_no_diacritics" in deps:
            written = names + [r["district"] for r in w["rows"]]
            assert all(n.replace("\u00a0", " ").isascii() for n in written), w["file"]
        if "names_nfd" in deps:
            assert any(unicodedata.normalize("NFC", n) != n for n in names)
        if "names_upper" in deps:
            assert all(n == n.upper() for n in names)
        if "names_stray_spaces" in deps:
            assert any("  " in n or "\u00a0" in n or n != n.strip() for n in names)
        for name, row in zip(names, w["rows"], strict=True):
            base = _strip_type(official[row["unit_code"]])
            if base is None:
                continue
            if "names_prefix_abbrev" in deps:
                assert name.replace("\u00a0", " ").strip().upper().startswith(("X. ", "TT. ")), name
                assert _fold(name.split(".", 1)[1]) == _fold(base), name
            if "names_no_prefix" in deps:
                assert _fold(name) == _fold(base), name


def test_rows_stay_distinguishable(truth: dict) -> None:
    """Where lossy spellings make two rows of a district alike, the workbook carries unit codes."""
    for w in truth["workbooks"]:
        keys = [(_key(r["district"]), _key(r["name"])) for r in w["rows"]]
        if len(set(keys)) != len(keys):
            assert w["has_codes"], w["file"]
    assert any(w["has_codes"] for w in truth["workbooks"])
    assert not all(w["has_codes"] for w in truth["workbooks"])
