"""End to end: every sample workbook of both eras through extract, validate, load and the marts.

Expected values come from the generator's truth file and the reference list, never from the
warehouse itself.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from etl import reference
from etl.pipeline import run_night
from etl.unit_lists import latest_of_era, list_for
from tests.builders import checksum as _checksum
from tests.builders import make_settings, truth_in_scope, truth_loading, truth_sheets
from tests.builders import query as _query

pytestmark = pytest.mark.e2e

SECURITY = ("tips_received", "crime_reports", "cases_clarified", "subjects", "admin_violation_cases", "fines_vnd",
            "education_dossiers", "rehab_dossiers", "reform_school_dossiers")


@pytest.fixture(scope="module")
def night(sample_night):
    return sample_night


def test_every_row_is_loaded_or_quarantined_and_the_seeded_faults_are_caught(night):
    settings, truth, result = night
    submissions = sum(len(w["sheets"]) for w in truth["workbooks"])
    broken = {w["file"] for w in truth["workbooks"] if w.get("broken")}
    assert len(broken) == 5 and len(result.outcomes) == submissions + len(broken) and result.exit_code == 3
    faulty = {w["file"] for w in truth["workbooks"] for s in w["sheets"].values()
              if any(r.get("expect") == "quarantine" for r in s["rows"])}
    assert {o.file_name for o in result.outcomes if o.status == "loaded_with_errors"} == faulty
    assert {o.file_name for o in result.outcomes if o.status == "rejected"} == broken
    assert {o.status for o in result.outcomes if o.file_name not in faulty | broken} == {"loaded"}
    for code, table in (("01", "fact_commune_staffing"), ("02", "fact_security_activity"),
                        ("03", "fact_id_card_applications"), ("04", "fact_commendation")):
        expected = sum(len(truth_loading(sheet)) for _, sheet in truth_sheets(truth, code))
        assert _query(settings.warehouse, f"select count(*) from dw.{table}")[0][0] == expected, table
    seeded = sorted((w["file"], r["row"] + 1) for w in truth["workbooks"] for s in w["sheets"].values()
                    for r in s["rows"] if r.get("expect") == "quarantine")
    assert sorted(_query(settings.warehouse, "select file_name, row_number from audit.quarantine")) == seeded
    assert _query(settings.warehouse, "select count(*) from audit.submission where rows_read <> rows_loaded"
                                      " + rows_quarantined")[0][0] == 0


def test_totals_that_do_not_add_up_are_warned(night):
    settings, truth, _ = night
    seeded = sorted((w["file"], s["total_row"] + 1, s["total_mismatch"]["column"]) for w in truth["workbooks"]
                    for s in w["sheets"].values() if s.get("total_mismatch"))
    assert seeded and sorted(_query(settings.warehouse, "select file_name, row_number, column_name from audit.warning"
                                                        " where rule = 'total_matches_rows'")) == seeded


def test_correction_supersedes_the_original_and_the_late_file_is_late(night):
    settings, truth, _ = night
    (original,) = [w for w in truth["workbooks"] if w.get("corrected_by")]
    statuses = _query(settings.warehouse, f"select distinct status from audit.submission where file_name = "
                                          f"'{original['file']}'")
    assert statuses == [("superseded",)]
    (late,) = [w for w in truth["workbooks"] if w.get("late")]
    completeness = dict(_query(settings.warehouse, """
        select province_code, status from mart.reporting_completeness
        where sheet = '01' and period_start = '2021-04-01'"""))
    assert completeness.pop(late["province_code"]) == "late"
    assert set(completeness.values()) == {"on_time"}  # the correction came after its on-time original


def test_feedback_workbooks_for_the_faulty_files(night):
    settings, truth, result = night
    faulty = {(w["province_code"], w["file"]) for w in truth["workbooks"]
              if any(r.get("expect") for s in w["sheets"].values() for r in s["rows"])
              or any(s.get("total_mismatch") for s in w["sheets"].values()) or w.get("broken")}
    assert {(p.parent.name, p.name) for p in result.feedback} == {(code, name if name.endswith(".xlsx") else
                                                                    name + ".xlsx") for code, name in faulty}


def test_staffing_by_province_equals_truth_in_both_eras(night):
    settings, truth, _ = night
    mart = {(r[0], r[1]): r[2:] for r in _query(settings.warehouse, """
        select admin_era, province_code, as_of_date::varchar, communes_in_scope, communes_staffed, officers,
               coverage_pct, officers_per_commune
        from mart.staffing_by_province""")}
    assert sum(1 for era, _ in mart if era == "pre2025") == 63
    assert sum(1 for era, _ in mart if era == "2025") == 34
    for w, sheet in truth_sheets(truth, "01"):
        # Counted on the unit list in force on the report's date (issue 10).
        on = date.fromisoformat(w["as_of_date"])
        in_scope = len(reference.communes(w["era"], w["province_code"], in_scope_only=True, on=on))
        staffed = sum(1 for r in truth_in_scope(sheet) if r["officers"] > 0)
        officers = sum(r["officers"] for r in truth_in_scope(sheet))
        as_of, scope, got_staffed, got_officers, coverage, per_commune = mart[(w["era"], w["province_code"])]
        assert (as_of, scope, got_staffed, got_officers) == (w["as_of_date"], in_scope, staffed, officers)
        assert coverage == pytest.approx(100 * staffed / in_scope)
        assert per_commune == pytest.approx(officers / staffed)


def test_national_lines_of_both_eras(night):
    settings, truth, _ = night
    rows = {r[1]: r for r in _query(settings.warehouse, """
        select as_of_date::varchar, admin_era, provinces_reporting, provinces_expected, communes_in_scope,
               communes_staffed, officers from mart.national_staffing""")}
    national = truth["national"]
    # Every province reports as of 23/4/2021: the line counts the units in scope of the list in
    # force that day (the list of 3/2/2021), not of the latest list of the era.
    in_scope_2021 = len(reference.communes("pre2025", in_scope_only=True, on=date(2021, 4, 23)))
    assert rows["pre2025"] == ("2021-04-23", "pre2025", 63, 63, in_scope_2021,
                               national["communes"], national["officers"])
    assert national["officers"] >= 44_000
    later = truth["national_2026"]
    assert rows["2025"] == ("2026-10-20", "2025", 34, 34, 3321, later["communes"], later["officers"])


def test_security_activity_equals_truth(night):
    settings, truth, _ = night
    expected: dict = defaultdict(lambda: [0] * len(SECURITY))
    for w, sheet in truth_sheets(truth, "02"):
        for r in truth_loading(sheet):
            for key in ((w["era"], w["province_code"]), (w["era"], None)):
                expected[key] = [a + r[f] for a, f in zip(expected[key], SECURITY, strict=True)]
    got = {(r[0], r[1]): list(r[2:]) for r in _query(settings.warehouse, f"""
        select admin_era, province_code, {', '.join(SECURITY)} from mart.security_activity
        union all
        select admin_era, null, {', '.join(SECURITY)} from mart.national_security_activity""")}
    assert got == dict(expected)


def test_commendations_equal_truth(night):
    settings, truth, _ = night
    expected: dict = defaultdict(lambda: [0, 0])
    for w, sheet in truth_sheets(truth, "04"):
        for r in truth_loading(sheet):
            for key in ((w["era"], w["province_code"], r["level"]), (w["era"], None, r["level"])):
                expected[key] = [expected[key][0] + r["collectives"], expected[key][1] + r["individuals"]]
    got = {(r[0], r[1], r[2]): [r[3], r[4]] for r in _query(settings.warehouse, """
        select admin_era, province_code, level, collectives, individuals from mart.commendations
        union all
        select admin_era, null, level, collectives, individuals from mart.national_commendations""")}
    assert got == dict(expected)
    assert got[("pre2025", "30", "Bộ Công an")] is not None
    hai_duong = [v for (era, code, _), v in got.items() if (era, code) == ("pre2025", "30")]
    assert [sum(v[0] for v in hai_duong), sum(v[1] for v in hai_duong)] == [108, 250]


def test_id_card_progress_equals_truth_and_hai_duong_is_47_days_ahead(night):
    settings, truth, _ = night
    daily: dict = defaultdict(int)
    for w, sheet in truth_sheets(truth, "03"):
        for r in truth_loading(sheet):
            daily[(w["province_code"], r["report_date"])] += r["applications"]
    got = {(r[0], r[1]): r[2:] for r in _query(settings.warehouse, """
        select province_code, report_date::varchar, applications, cumulative_applications, target,
               target_reached_date::varchar, days_ahead
        from mart.id_card_progress""")}
    assert {k: v[0] for k, v in got.items()} == dict(daily)
    for code, summary in truth["id_card"].items():
        days = sorted(d for c, d in daily if c == code)
        running = 0
        reached = None
        for day in days:
            running += daily[(code, day)]
            assert got[(code, day)][1] == running and got[(code, day)][2] == summary["target"]
            if reached is None and running >= summary["target"]:
                reached = day
        assert got[(code, days[-1])][3] == reached
        if reached:
            assert got[(code, days[-1])][4] == (date(2021, 6, 30) - date.fromisoformat(reached)).days
    assert got[("30", "2021-05-14")][1:] == (991_830, 988_200, "2021-05-14", 47)


def test_on_2025_boundaries_new_hai_phong_is_old_hai_duong_plus_old_hai_phong(night):
    settings, truth, _ = night
    april = {w["province_code"]: s for w, s in truth_sheets(truth, "01", "monthly_2021")}
    officers = sum(r["officers"] for code in ("30", "31") for r in truth_in_scope(april[code]))
    staffed = sum(1 for code in ("30", "31") for r in truth_in_scope(april[code]) if r["officers"] > 0)
    got = dict(_query(settings.warehouse, """
        select indicator_code, value from mart.indicators
        where boundary_basis = '2025' and province_code = '31' and grain = 'month' and period_start = '2021-04-01'
          and indicator_code in ('officers', 'communes_staffed', 'officers_per_commune')"""))
    assert got == {"officers": officers, "communes_staffed": staffed,
                   "officers_per_commune": pytest.approx(officers / staffed)}


def test_second_night_of_the_same_files_changes_nothing(night, sample_landing):
    settings, _, _ = night
    relations = ("dw.fact_commune_staffing", "dw.fact_security_activity", "dw.fact_id_card_applications",
                 "dw.fact_commendation", "mart.indicators", "mart.national_indicators")
    before = {r: _checksum(settings.warehouse, r) for r in relations}
    again = run_night([sample_landing[0]], settings)
    assert again.outcomes == [] and again.already_taken_in == len(sample_landing[1]["workbooks"])
    assert {r: _checksum(settings.warehouse, r) for r in relations} == before


def test_published_copy_is_readable(night):
    settings, truth, _ = night
    assert _query(settings.published, "select officers from mart.national_staffing where admin_era = 'pre2025'"
                  )[0][0] == truth["national"]["officers"]


def test_changed_commune_changes_national_officers_by_that_amount(april_landing, tmp_path):
    landing, truth = april_landing
    settings = make_settings(tmp_path)
    run_night([landing], settings)
    (before,) = _query(settings.warehouse, "select officers from mart.national_staffing")[0]
    # An .xlsx whose figures are numbers (not text): openpyxl rewrites it with one cell changed.
    workbook, sheet = next((w, s) for w, s in truth_sheets(truth, "01") if w["format"] == "xlsx" and not w["faults"]
                           and not w.get("corrected_by") and not {"numbers_as_text", "values_with_notes"}
                           & set(w["departures"]))
    row = sheet["rows"][3]
    corrected = tmp_path / "correction" / ("sua_" + workbook["file"])
    corrected.parent.mkdir()
    shutil.copy(landing / workbook["file"], corrected)
    book = load_workbook(corrected)
    cell = book[sheet["sheet_name"]].cell(row=row["row"] + 1, column=sheet["columns"]["officers"] + 1)
    assert cell.value == row["officers"]
    cell.value = row["officers"] + 3
    book.save(corrected)
    result = run_night([corrected], settings)
    assert {o.status for o in result.outcomes} == {"loaded"}
    assert _query(settings.warehouse, "select officers from mart.national_staffing")[0][0] == before + 3
    code = workbook["province_code"]
    assert _query(settings.warehouse, f"select count(distinct submission_id) from dw.fact_commune_staffing"
                                      f" where province_code = '{code}'")[0][0] == 1
    statuses = _query(settings.warehouse, f"select status from dw.dim_submission where province_code = '{code}'"
                                          " and template = '01'")
    assert sorted(s for (s,) in statuses) == ["loaded", "superseded"]


def test_indicators_equal_truth_per_province_as_reported_and_on_2025_boundaries(night):
    settings, truth, _ = night
    pairs = reference.province_crosswalk()
    old_to_new = dict(zip(pairs.old_province_code, pairs.new_province_code, strict=True))
    expected: dict = defaultdict(float)
    for w, sheet in truth_sheets(truth, "01", "monthly_2021"):
        for r in truth_in_scope(sheet):
            expected[("as_reported", w["province_code"], "officers")] += r["officers"]
            expected[("2025", old_to_new[w["province_code"]], "officers")] += r["officers"]
    for w, sheet in truth_sheets(truth, "02", "monthly_2021"):
        for r in truth_loading(sheet):
            expected[("as_reported", w["province_code"], "tips_received")] += r["tips_received"]
            expected[("2025", old_to_new[w["province_code"]], "tips_received")] += r["tips_received"]
    got = {(r[0], r[1], r[2]): r[3] for r in _query(settings.warehouse, """
        select boundary_basis, province_code, indicator_code, value from mart.indicators
        where grain = 'month' and period_start = '2021-04-01'
          and indicator_code in ('officers', 'tips_received')""")}
    assert got == dict(expected)
    assert {p for b, p, _ in got if b == "2025"} == set(reference.provinces("2025").unit_code)
    assert _query(settings.warehouse, """
        select distinct comparability from mart.indicators where period_start = '2021-04-01' and grain = 'month'
        union
        select distinct comparability from mart.national_indicators
        where period_start = '2021-04-01' and grain = 'month'""") == [("exact",)]


def test_staffing_by_commune_on_2025_communes_flags_divided_communes(night):
    import json
    import sqlite3

    import vietnamadminunits

    settings, truth, _ = night
    data = Path(vietnamadminunits.__file__).parent / "data"
    divided_keys = {key for wards in json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))[
        "DICT_PROVINCE_WARD_DIVIDED"].values() for key, options in wards.items() if len(options) > 1}
    with sqlite3.connect(data / "dataset.db") as con:
        divided = {code for key, code in con.execute(
            "select provinceKey || '_' || districtKey || '_' || wardKey, wardCode from admin_units_legacy")
            if key in divided_keys}
    loaded = {r["unit_code"]: r["officers"] for _, s in truth_sheets(truth, "01", "monthly_2021")
              for r in truth_loading(s)}
    rows = _query(settings.warehouse, """
        select boundary_basis, unit_code, officers, comparability from mart.staffing_by_commune
        where as_of_date = '2021-04-23'""")
    assert sum(r[2] for r in rows if r[0] == "2025") == sum(r[2] for r in rows if r[0] == "as_reported") == sum(
        loaded.values())
    # The reports of 23/4/2021 were resolved against the list in force then; each unit leads to the
    # eve-of-reform unit the crosswalks make it (or part of), which the package's converter may divide.
    unit_list = list_for(date(2021, 4, 23))[0].list_id
    eve = latest_of_era("pre2025").list_id
    chain = reference.chain_to_2025()
    chain = chain[chain.list_id == unit_list]
    new_of = dict(zip(chain.unit_code, chain.new_commune_code, strict=True))
    expected_approximate = {new_of[code] for code in loaded if reference.follow(unit_list, code, eve)[0] in divided}
    assert expected_approximate
    assert {r[1] for r in rows if r[0] == "2025" and r[3] == "approximate"} == expected_approximate


def test_every_mart_view_states_its_key_and_no_key_repeats(night):
    """Each view of schema mart says its grain and key in its comment ('... Key: a, b, c.'), every
    column has a comment, the key's columns exist, and no key repeats on the sample night. A province
    view holds province rows only: nationwide rows (no province) live in the national_* views."""
    import re

    settings, _, _ = night
    built = [line.strip() for line in (Path(__file__).resolve().parents[2] / "warehouse" / "mart" /
                                       "build_order.txt").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    views = dict(_query(settings.warehouse, "select view_name, comment from duckdb_views()"
                                            " where schema_name = 'mart' and not internal"))
    assert sorted(views) == sorted(built)
    for view, comment in views.items():
        match = re.search(r"Grain: [^.]+\. Key: ([a-z_0-9]+(?:, [a-z_0-9]+)*)\.$", comment or "")
        assert match, f"mart.{view} has no 'Grain: ... Key: ...' sentence: {comment!r}"
        key = match.group(1).split(", ")
        columns = dict(_query(settings.warehouse, f"select column_name, comment from duckdb_columns()"
                                                  f" where schema_name = 'mart' and table_name = '{view}'"))
        assert set(key) <= set(columns), f"mart.{view}: key {key} names columns it does not have"
        assert not [c for c, text in columns.items() if not text], f"mart.{view}: a column has no comment"
        assert _query(settings.warehouse, f"select count(*) from mart.{view}")[0][0] > 0, f"mart.{view} is empty"
        repeated = _query(settings.warehouse, f"select {', '.join(key)}, count(*) from mart.{view}"
                                              f" group by {', '.join(key)} having count(*) > 1 limit 5")
        assert repeated == [], f"mart.{view}: key ({', '.join(key)}) repeats: {repeated}"
        if view.startswith("national_"):
            assert not {"province_code", "province_name"} & set(columns), f"mart.{view} has province columns"
        elif "province_code" in columns:
            assert _query(settings.warehouse, f"select count(*) from mart.{view} where province_code is null"
                          )[0][0] == 0, f"mart.{view} holds rows of no province (nationwide rows belong elsewhere)"
