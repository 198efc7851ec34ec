"""`cax units import`: a GSO export built by hand from the package's list of 1 July 2025 (read here
with sqlite3, not through etl), with a reform made up for the test, imported as of 1 September 2026.

The made-up reform, in Hải Phòng (31):
- Xã Hà Bắc (10816) and Xã Hà Tây (10846) merge into one unit named Xã Hà Tây that keeps 10816;
- Xã Nam Sách (10606) and Xã Thái Tân (10642) merge into Xã Nam Thái, which keeps 10606 (a new
  name: the lists cannot say where Thái Tân went);
- Xã Lai Khê (10756) is renamed Xã Khê Lai;
- Xã Tân Thành Hải (11999) is created.
So, against the list of 1 July 2025: 1 created, 1 merged (10846 -> 10816), 3 renamed (10816,
10606, 10756), 1 unmapped (10642), every other unit unchanged; Hải Phòng goes from its units to
one fewer.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest
import vietnamadminunits
from typer.testing import CliRunner

from etl import unit_lists
from etl.cli import app
from etl.reference import UnitResolver
from etl.units_import import ImportNotAllowed, ListRefused, clear_caches, import_units, read_gso_list
from tests.builders import arrive, make_settings, query, write_workbook

DB = Path(vietnamadminunits.__file__).parent / "data" / "dataset.db"
COMMITTED = Path(__file__).resolve().parents[2] / "reference" / "unit_lists"
AFTER_JULY = ["Tên Tỉnh/TP", "Mã TP", "Tên Phường/Xã", "Mã PX", "Cấp"]
BEFORE_JULY = ["Tỉnh Thành Phố", "Mã TP", "Quận Huyện", "Mã QH", "Phường Xã", "Mã PX", "Cấp"]
REFORM = date(2026, 9, 1)
RENAMED = {"10816": "Xã Hà Tây", "10606": "Xã Nam Thái", "10756": "Xã Khê Lai"}
GONE = {"10846", "10642"}
CREATED = ["Thành phố Hải Phòng", "31", "Xã Tân Thành Hải", "11999", "Xã"]


def _july_2025() -> list[list[str]]:
    """The list of 1 July 2025 as GSO rows (province, code, unit, code, level), from the package's sqlite."""
    with sqlite3.connect(DB) as con:
        return [list(r) for r in con.execute(
            "select province, provinceCode, ward, wardCode, wardType from admin_units order by wardCode")]


def _reformed() -> list[list[str]]:
    rows = [[p, pc, RENAMED.get(code, name), code, kind] for p, pc, name, code, kind in _july_2025()
            if code not in GONE]
    return [*rows, CREATED]


@pytest.fixture
def lists(tmp_path, monkeypatch):
    """Imported lists under tmp_path; every cached list forgotten before and after."""
    monkeypatch.setenv("CAX_UNIT_LISTS", str(tmp_path / "unit_lists"))
    monkeypatch.setenv("CAX_VAR", str(tmp_path / "var"))
    clear_caches()
    yield tmp_path / "unit_lists"
    clear_caches()


def _xlsx(path: Path, rows: list[list[object]], header=AFTER_JULY, title: bool = True) -> Path:
    top = [["DANH MỤC ĐƠN VỊ HÀNH CHÍNH"], []] if title else []
    return write_workbook(path, [*top, header, *rows])


def _csv(path: Path, rows: list[list[object]], header=AFTER_JULY, delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _refusal(path: Path, as_of: date = REFORM) -> ListRefused:
    with pytest.raises(ListRefused) as refused:
        read_gso_list(path, as_of)
    return refused.value


@pytest.mark.unit
def test_report_counts_the_reform_that_was_built(lists, tmp_path):
    july = _july_2025()
    source = _xlsx(tmp_path / "gso_2026.xlsx", _reformed())
    result = import_units(source, REFORM, make_settings(tmp_path))
    counts = result.report.counts
    assert (counts["created"], counts["merged_into"], counts["renamed"], counts["unmapped"]) == (1, 1, 3, 1)
    assert counts["same"] == len(july) - 2 - 3
    assert sum(counts.values()) - counts["created"] - counts["formed"] == len(july)
    assert {k for k, v in counts.items() if v} == {"created", "merged_into", "renamed", "unmapped", "same"}
    assert result.report.previous.list_id == "2025-07-01" and result.warehouse is None
    details = result.report.details
    by_kind = {kind: sorted(zip(rows.from_code.fillna(""), rows.to_code.fillna(""), strict=True))
               for kind, rows in details.groupby("kind")}
    assert by_kind == {"created": [("", "11999")], "merged_into": [("10846", "10816")],
                       "renamed": [("10606", "10606"), ("10756", "10756"), ("10816", "10816")],
                       "unmapped": [("10642", "")]}
    hai_phong = sum(r[1] == "31" for r in july)
    (province,) = result.report.provinces.itertuples()
    assert (province.province_code, province.in_scope_before, province.in_scope_after, province.units_changed) == (
        "31", hai_phong, hai_phong - 1, 6)
    # Stored as a dated list, with its source's hash, and the full report beside it.
    manifest = json.loads((lists / "imported.json").read_text(encoding="utf-8"))["lists"]
    assert [(e["as_of"], e["file"], e["units"]) for e in manifest] == [
        ("2026-09-01", "units_2026-09-01.csv.gz", len(july) - 1)]
    assert manifest[0]["source_sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    with gzip.open(lists / "units_2026-09-01.csv.gz", "rt", encoding="utf-8") as handle:
        stored = {r["unit_code"]: r for r in csv.DictReader(handle)}
    assert stored["10816"]["name"] == "Xã Hà Tây" and "10846" not in stored and stored["11999"]["type"] == "xã"
    assert stored["00004"]["province_code"] == "01" and stored["00004"]["district_code"] == ""
    with (lists / "units_2026-09-01.changes.csv").open(encoding="utf-8-sig") as handle:
        assert sorted(r["from_code"] or r["to_code"] for r in csv.DictReader(handle)) == [
            "10606", "10642", "10756", "10816", "10846", "11999"]


@pytest.mark.unit
def test_each_name_resolves_in_its_own_time(lists, tmp_path):
    import_units(_xlsx(tmp_path / "gso.xlsx", _reformed()), REFORM, make_settings(tmp_path))
    before, _ = unit_lists.list_for(date(2026, 8, 1))
    after, _ = unit_lists.list_for(date(2026, 10, 1))
    assert (before.list_id, after.list_id) == ("2025-07-01", "2026-09-01")
    assert before.valid_to == date(2026, 8, 31)
    assert UnitResolver(before.list_id, "31").resolve("Xã Hà Bắc").unit_code == "10816"
    gone = UnitResolver(after.list_id, "31").resolve("Xã Hà Bắc")
    assert (gone.unit_code, gone.problem) == (None, "gone_from_list")
    # Hà Bắc kept its code under the merged unit's name: it is now Xã Hà Tây ('nay là').
    assert gone.candidates == ("01/09/2026", "01/07/2025", "Xã Hà Tây (10816)", "renamed")
    assert UnitResolver(after.list_id, "31").resolve("Xã Hà Tây").unit_code == "10816"
    assert UnitResolver(after.list_id, "31").resolve("Xã Thái Tân").candidates == ("01/09/2026", "01/07/2025", "", "")
    early = UnitResolver(before.list_id, "31").resolve("Xã Tân Thành Hải")
    assert (early.problem, early.candidates[:2]) == ("not_yet_in_list", ("01/07/2025", "01/09/2026"))


@pytest.mark.unit
def test_a_csv_with_unpadded_codes_and_names_without_their_type(lists, tmp_path):
    july = _july_2025()
    # Codes as numbers without their zeros; the type only in Cấp for one unit; a semicolon CSV.
    rows = [[p, str(int(pc)), name.removeprefix("Phường ") if code == "00004" else name, str(int(code)), kind]
            for p, pc, name, code, kind in july]
    source = _csv(tmp_path / "gso.csv", rows, ["TEN TINH/TP", "mã tp", "Tên phường/xã", "MÃ PX", "cấp"], ";")
    units = read_gso_list(source, REFORM)
    assert sorted(units.unit_code) == sorted(r[3] for r in july)
    assert set(units.province_code) == {r[1] for r in july}
    ba_dinh = units[units.unit_code == "00004"].iloc[0]
    assert (ba_dinh["name"], ba_dinh["type"]) == ("Phường Ba Đình", "phường")
    result = import_units(source, REFORM, make_settings(tmp_path))
    assert result.report.counts["same"] == len(july)
    assert sum(result.report.counts.values()) == len(july)


@pytest.mark.unit
def test_a_list_with_districts_before_july_2025(lists, tmp_path):
    with gzip.open(COMMITTED / "units_2023-05-07.csv.gz", "rt", encoding="utf-8") as handle:
        committed = list(csv.DictReader(handle))
    renamed = committed[100]["unit_code"]
    rows = [[u["province_name"], u["province_code"], u["district_name"], u["district_code"],
             "Xã Tên Mới Đặt" if u["unit_code"] == renamed else u["name"], u["unit_code"], u["type"].capitalize()]
            for u in committed]
    source = _xlsx(tmp_path / "gso_2024.xlsx", rows, BEFORE_JULY)
    result = import_units(source, date(2024, 1, 1), make_settings(tmp_path))
    assert result.report.previous.list_id == "2023-05-07"
    assert result.report.next_list.list_id == "2025-01-04"
    assert result.report.counts["renamed"] == 1 and result.report.counts["same"] == len(committed) - 1
    assert list(result.report.details.from_code) == [renamed]
    stored = unit_lists.list_units("2024-01-01").set_index("unit_code")
    first = committed[0]
    assert (stored.loc[first["unit_code"]].district_code, stored.loc[first["unit_code"]].district_name) == (
        first["district_code"], first["district_name"])
    # Without its district columns, a list of that era is refused.
    without = _xlsx(tmp_path / "no_districts.xlsx", [[r[0], r[1], r[4], r[5], r[6]] for r in rows])
    assert "Quận Huyện" in _refusal(without, date(2024, 1, 1)).problems[0].message_en


@pytest.mark.unit
def test_a_row_without_its_code_is_refused_with_its_row_and_column(lists, tmp_path):
    rows = _reformed()
    rows[10][3] = ""
    # The title (2 rows) and the header come first: data row i is spreadsheet row i + 4.
    refused = _refusal(_xlsx(tmp_path / "missing.xlsx", rows))
    assert [(p.row, p.column) for p in refused.problems] == [(14, "Mã PX")]
    assert "missing.xlsx, dòng/row 14, cột/column 'Mã PX'" == refused.problems[0].where("missing.xlsx")


@pytest.mark.unit
def test_a_code_used_twice_is_refused_naming_both_rows(lists, tmp_path):
    rows = _reformed()
    rows[20][3] = rows[5][3]
    refused = _refusal(_csv(tmp_path / "twice.csv", rows))
    # A CSV's header is line 1: data row i is line i + 2.
    (problem,) = refused.problems
    assert (problem.row, problem.column) == (22, "Mã PX")
    assert f"'{rows[5][3]}' is used on rows 7, 22" in problem.message_en


@pytest.mark.unit
def test_provinces_must_be_those_of_the_date_s_era(lists, tmp_path):
    rows = _reformed()
    rows[3][1] = "30"  # Hải Dương: a province of the 63, not of the 34
    refused = _refusal(_csv(tmp_path / "hai_duong.csv", rows))
    assert [(p.row, p.column) for p in refused.problems] == [(5, "Mã TP")]
    assert "'30'" in refused.problems[0].message_en and "34 provinces" in refused.problems[0].message_en
    # The 63 provinces' list dated after the reform: refused, nothing stored.
    with sqlite3.connect(DB) as con:
        legacy = [list(r) for r in con.execute(
            "select province, provinceCode, district, districtCode, ward, wardCode, wardType"
            " from admin_units_legacy where wardCode is not null")]
    refused = _refusal(_xlsx(tmp_path / "old.xlsx", legacy, BEFORE_JULY), REFORM)
    assert any("no districts from 1 July 2025" in p.message_en for p in refused.problems)
    assert any("is not one of the 34 provinces" in p.message_en for p in refused.problems)
    # A list of one province alone is not a national list.
    alone = _refusal(_csv(tmp_path / "alone.csv", [r for r in rows if r[1] == "31"]))
    assert [p.message_en.split(" ")[0] for p in alone.problems] == ["33"]
    assert not (lists / "imported.json").exists()


@pytest.mark.unit
def test_a_list_of_record_is_shadowed_only_with_replace(lists, tmp_path):
    source = _csv(tmp_path / "gso.csv", _reformed())
    with pytest.raises(ImportNotAllowed):
        import_units(source, date(2025, 7, 1), make_settings(tmp_path))
    assert not (lists / "imported.json").exists()
    result = import_units(source, date(2025, 7, 1), make_settings(tmp_path), replace=True)
    assert result.stored.shadowed.origin == "package"
    assert unit_lists.list_by_id("2025-07-01").origin == "imported"
    assert len(unit_lists.list_units("2025-07-01")) == len(_july_2025()) - 1  # two gone, one created
    # An import on the day of an earlier import replaces it.
    first = import_units(_csv(tmp_path / "gso2.csv", _july_2025()), REFORM, make_settings(tmp_path))
    assert not first.stored.replaced_import
    again = import_units(_csv(tmp_path / "gso3.csv", _reformed()), REFORM, make_settings(tmp_path))
    assert again.stored.replaced_import
    manifest = json.loads((lists / "imported.json").read_text(encoding="utf-8"))["lists"]
    assert [(e["as_of"], e["source_file"]) for e in manifest] == [("2025-07-01", "gso.csv"),
                                                                    ("2026-09-01", "gso3.csv")]


@pytest.mark.unit
def test_cli_exit_codes(lists, tmp_path):
    runner = CliRunner()
    good = _xlsx(tmp_path / "gso.xlsx", _reformed())
    bad_rows = _reformed()
    bad_rows[0][2] = ""
    bad = _xlsx(tmp_path / "bad.xlsx", bad_rows)
    refused = runner.invoke(app, ["units", "import", str(bad), "--as-of", "2026-09-01"])
    assert refused.exit_code == 3, refused.output
    assert "bad.xlsx, dòng/row 4, cột/column 'Tên Phường/Xã'" in refused.output
    assert runner.invoke(app, ["units", "import", str(good), "--as-of", "1/9/2026"]).exit_code == 2
    assert runner.invoke(app, ["units", "import", str(tmp_path / "none.xlsx"), "--as-of", "2026-09-01"]).exit_code == 2
    shadow = runner.invoke(app, ["units", "import", str(good), "--as-of", "2025-07-01"])
    assert shadow.exit_code == 2 and "--replace" in shadow.output
    done = runner.invoke(app, ["units", "import", str(good), "--as-of", "2026-09-01", "--show", "3"])
    assert done.exit_code == 0, done.output
    assert "units_2026-09-01.changes.csv" in done.output and "changed units (3/6)" in done.output


def _hai_phong(folder: Path, name: str, heading: str, unit: str) -> Path:
    return write_workbook(folder / name, [["CÔNG AN THÀNH PHỐ HẢI PHÒNG"], [heading],
                                          ["STT", "Xã, phường, đặc khu", "Số CA chính quy"], [1, unit, 5]])


@pytest.mark.e2e
def test_the_warehouse_takes_the_new_list_and_quarantines_a_name_gone_from_it(lists, tmp_path):
    from etl.load.warehouse import writer
    from etl.pipeline import run_night

    settings = make_settings(tmp_path)
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    with writer(settings.warehouse):
        pass
    assert query(settings.warehouse, "select count(*) from ref.unit_list where list_id = '2026-09-01'") == [(0,)]
    result = import_units(_xlsx(tmp_path / "gso.xlsx", _reformed()), REFORM, settings)
    hai_phong = sum(r[1] == "31" for r in _july_2025())
    assert result.warehouse is not None and result.warehouse.units == len(_july_2025()) - 1
    assert query(settings.warehouse, "select units, valid_from from ref.unit_list where list_id = '2026-09-01'") == [
        (len(_july_2025()) - 1, REFORM)]
    assert query(settings.warehouse, """select communes_in_scope from ref.province_scope
                                        where list_id = '2026-09-01' and province_code = '31'""") == [(hai_phong - 1,)]
    assert query(settings.warehouse, """select name from dw.dim_admin_unit where unit_code = '10816'
                                        and level = 'commune' and valid_from = date '2026-09-01'""") == [("Xã Hà Tây",)]
    assert query(settings.warehouse, "select count(*) from ref.unit_list where list_id = '2026-09-01'") == [(1,)]
    assert settings.published.exists()
    landing = tmp_path / "landing"
    landing.mkdir()
    arrive(_hai_phong(landing, "hp_08.xlsx", "Tháng 8 năm 2026 (Số liệu tính đến ngày 20/8/2026)", "Xã Hà Bắc"),
           2026, 8, 25)
    arrive(_hai_phong(landing, "hp_10.xlsx", "Tháng 10 năm 2026 (Số liệu tính đến ngày 1/10/2026)", "Xã Hà Bắc"),
           2026, 10, 2)
    run_night([landing], settings, cutoff=datetime(2026, 10, 20, 1, 0))
    audit = dict(query(settings.warehouse, "select file_name, rows_quarantined from audit.submission"))
    assert audit == {"hp_08.xlsx": 0, "hp_10.xlsx": 1}
    (message,) = query(settings.warehouse, "select message_vi from audit.quarantine where file_name = 'hp_10.xlsx'")
    assert "không còn trong danh mục ngày 01/09/2026" in message[0]
    assert "có trong danh mục ngày 01/07/2025, nay là Xã Hà Tây (10816)" in message[0]
    staffed = query(settings.warehouse, """select f.unit_code, f.unit_list from dw.fact_commune_staffing f
                                           join dw.dim_submission s using (submission_id)
                                           where s.file_name = 'hp_08.xlsx'""")
    assert staffed == [("10816", "2025-07-01")]
