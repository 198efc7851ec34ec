"""End to end: the 63 sample workbooks through extract, validate, load and the marts.

Expected values come from the generator's truth file and the reference list, never from the
warehouse itself.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from etl import reference
from etl.pipeline import run_night
from tests.conftest import make_settings


def _query(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _facts_checksum(warehouse: Path) -> str:
    rows = _query(warehouse, "select * exclude (admin_unit_key) from dw.fact_commune_staffing order by all")
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.fixture(scope="module")
def night(sample_landing, tmp_path_factory):
    landing, truth = sample_landing
    settings = make_settings(tmp_path_factory.mktemp("night"))
    result = run_night([landing], settings)
    return settings, truth, result


def test_every_file_loads_without_quarantine(night):
    settings, truth, result = night
    assert len(result.outcomes) == len(truth["workbooks"]) == 63
    assert {o.status for o in result.outcomes} == {"loaded"}
    assert result.exit_code == 0
    expected_rows = sum(len(w["rows"]) for w in truth["workbooks"])
    assert _query(settings.warehouse, "select count(*) from dw.fact_commune_staffing")[0][0] == expected_rows
    assert _query(settings.warehouse, "select count(*) from audit.quarantine")[0][0] == 0
    assert _query(settings.warehouse, "select files_seen, files_loaded, files_rejected, rows_loaded from audit.run"
                  ) == [(63, 63, 0, expected_rows)]


def test_facts_equal_truth_row_by_row(night):
    settings, truth, _ = night
    loaded = {(code, officers, chiefs, deputies) for code, officers, chiefs, deputies in _query(
        settings.warehouse, "select unit_code, officers, chiefs, deputies from dw.fact_commune_staffing")}
    expected = {(r["unit_code"], r["officers"], r["chiefs"], r["deputies"])
                for w in truth["workbooks"] for r in w["rows"]}
    assert loaded == expected


def test_staffing_by_province_equals_truth(night):
    settings, truth, _ = night
    mart = {r[0]: r[1:] for r in _query(settings.warehouse, """
        select province_code, as_of_date::varchar, admin_era, communes_in_scope, communes_staffed, officers,
               coverage_pct, officers_per_commune
        from mart.staffing_by_province""")}
    assert len(mart) == 63
    for w in truth["workbooks"]:
        in_scope = len(reference.communes("pre2025", w["province_code"], in_scope_only=True))
        staffed = sum(1 for r in w["rows"] if r["officers"] > 0)
        officers = sum(r["officers"] for r in w["rows"])
        as_of, era, scope, got_staffed, got_officers, coverage, per_commune = mart[w["province_code"]]
        assert (as_of, era, scope, got_staffed, got_officers) == (w["as_of_date"], "pre2025", in_scope, staffed,
                                                                  officers)
        assert coverage == pytest.approx(100 * staffed / in_scope)
        assert per_commune == pytest.approx(officers / staffed)


def test_national_line_equals_truth(night):
    settings, truth, _ = night
    (row,) = _query(settings.warehouse, """
        select as_of_date::varchar, admin_era, provinces_reporting, provinces_expected, communes_in_scope,
               communes_staffed, officers, coverage_pct, officers_per_commune
        from mart.national_staffing""")
    national = truth["national"]
    in_scope = len(reference.communes("pre2025", in_scope_only=True))
    assert row[:7] == ("2021-04-23", "pre2025", 63, 63, in_scope, national["communes"], national["officers"])
    assert national["officers"] >= 44_000
    assert row[7] == pytest.approx(100 * national["communes"] / in_scope)
    assert row[8] == pytest.approx(national["officers"] / national["communes"])


def test_hai_duong_has_five_in_each_commune(night):
    settings, _, _ = night
    assert _query(settings.warehouse, """
        select min(officers), max(officers), count(*) from dw.fact_commune_staffing where province_code = '30'
    """)[0] == (5, 5, len(reference.communes("pre2025", "30", in_scope_only=True)))


def test_second_ingest_changes_nothing(night, sample_landing):
    settings, _, _ = night
    before = _facts_checksum(settings.warehouse)
    again = run_night([sample_landing[0]], settings)
    assert again.outcomes == [] and again.skipped_duplicates == 63 and again.exit_code == 0
    assert _facts_checksum(settings.warehouse) == before


def test_changed_commune_changes_national_officers_by_that_amount(sample_landing, tmp_path):
    landing, truth = sample_landing
    settings = make_settings(tmp_path)
    run_night([landing], settings)
    (before,) = _query(settings.warehouse, "select officers from mart.national_staffing")[0]
    # A workbook whose figures are numbers (not text): openpyxl rewrites it with one cell changed.
    workbook = next(w for w in truth["workbooks"] if "numbers_as_text" not in w["departures"])
    row = workbook["rows"][3]
    corrected = tmp_path / "correction" / ("sua_" + workbook["file"])
    corrected.parent.mkdir()
    shutil.copy(landing / workbook["file"], corrected)
    book = load_workbook(corrected)
    sheet = book[workbook["sheet_name"]]
    cell = sheet.cell(row=row["row"] + 1, column=5)  # column E: Số CA chính quy đã bố trí
    assert cell.value == row["officers"]
    cell.value = row["officers"] + 3
    book.save(corrected)
    result = run_night([corrected], settings)
    assert [o.status for o in result.outcomes] == ["loaded"]
    assert _query(settings.warehouse, "select officers from mart.national_staffing")[0][0] == before + 3
    # The correction replaced the partition: one snapshot of that province, the earlier superseded.
    assert _query(settings.warehouse, f"""
        select count(distinct submission_id) from dw.fact_commune_staffing
        where province_code = '{workbook["province_code"]}'""")[0][0] == 1
    statuses = _query(settings.warehouse, f"""
        select status from dw.dim_submission where province_code = '{workbook["province_code"]}'
        order by loaded_at, status""")
    assert sorted(s for (s,) in statuses) == ["loaded", "superseded"]


def test_published_copy_is_readable(night):
    settings, truth, _ = night
    assert _query(settings.published, "select officers from mart.national_staffing")[0][0] == \
        truth["national"]["officers"]
