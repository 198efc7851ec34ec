"""The commune_staffing suite, run through etl.validate on rows built here.

GX is slow to import and to run, so the module builds ONE frame holding a valid row and a row
made to break each rule, validates it once (module fixture) and checks the mapping of every
failure. The expected (row, rule) pairs are written out by hand.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from etl import reference
from etl.unit_lists import list_for
from etl.validate.derived import commune_codes
from etl.validate.suite import RuleFailure, SuiteError, load_suite, read_suite_spec, validate_rows

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
PRE_AS_OF, NEW_AS_OF = date(2024, 12, 31), date(2025, 9, 30)
# The unit lists in force on those dates (the GSO export of 2023-05-07; the 34 provinces of
# 2025-07-01), and on a date of early 2025 (the eve of the reform, from 2025-01-05).
PRE_LIST, NEW_LIST = list_for(PRE_AS_OF)[0].list_id, list_for(NEW_AS_OF)[0].list_id
EVE_AS_OF = date(2025, 3, 31)
EVE_LIST = list_for(EVE_AS_OF)[0].list_id
# Thị trấn Ninh Giang 11155 is in the lists of 2020-2023 and in none from January 2025
# (reference/unit_lists/*.csv.gz): a code of the same era that the list in force no longer holds.
GONE_BY_2025_CODE = "11155"

# Real codes. Hải Dương (30) in the list of its report's date; after it, 11948 (Đặc khu Bạch Long Vĩ) is a
# commune code that did not exist before 2025 (the island was a district with no commune), and
# some of Hải Dương's old communes vanished into merged ones.
PRE_CODES = reference.communes("pre2025", "30", on=PRE_LIST).unit_code.tolist()
NEW_CODES = set(reference.communes("2025", on=NEW_LIST).unit_code)
NEW_ONLY_CODE = "11948"
PRE_ONLY_CODE = next(c for c in PRE_CODES if c not in NEW_CODES)
NEW_31_CODES = [c for c in reference.communes("2025", "31", on=NEW_LIST).unit_code if c != NEW_ONLY_CODE]


def _number(raw: str) -> float:
    try:
        return float(raw.replace(",", "."))
    except ValueError:
        return np.nan


def _row(sub: str, code: str, officers: str = "12", chiefs: str = "1", deputies: str = "2",
         staffed: str = "01/03/2020", staffed_date: date | None = date(2020, 3, 1)) -> dict:
    """One extracted row; numbers are given as the clerk wrote them and parsed like the extractor."""
    era, as_of, unit_list = {"S31": ("2025", NEW_AS_OF, NEW_LIST),
                             "S30e": ("pre2025", EVE_AS_OF, EVE_LIST)}.get(sub, ("pre2025", PRE_AS_OF, PRE_LIST))
    return {
        "submission_id": sub, "file_name": f"{sub}.xlsx", "sheet": "Biên chế", "row_number": 0,
        "admin_era": era, "unit_list": unit_list, "province_code": "31" if sub == "S31" else "30", "as_of_date": as_of,
        "district_name": None, "commune_name": f"Xã {code}", "code_given": code, "unit_code": code,
        "officers": _number(officers), "chiefs": _number(chiefs), "deputies": _number(deputies),
        "officers_raw": officers, "chiefs_raw": chiefs, "deputies_raw": deputies,
        "staffed_date_raw": staffed, "staffed_date": staffed_date, "note": "",
    }


_pool = iter(c for c in PRE_CODES if c != PRE_ONLY_CODE)
DUP = next(_pool)
ROWS = [
    _row("S30", next(_pool)),                                           # 0 valid
    _row("S30", next(_pool), chiefs="", deputies="0"),                  # 1 valid: no chief yet
    _row("S30", next(_pool), staffed="", staffed_date=None),            # 2 valid: date blank
    _row("S30", next(_pool), officers=""),                              # 3 officers blank
    _row("S30", next(_pool), officers="51"),                            # 4 over 50
    _row("S30", next(_pool), officers="2.5", deputies="1"),             # 5 not whole
    _row("S30", next(_pool), officers="-1", chiefs="", deputies=""),    # 6 negative
    _row("S30", next(_pool), chiefs="2"),                               # 7 two chiefs
    _row("S30", next(_pool), officers="3", chiefs="0", deputies="4"),   # 8 deputies > officers
    _row("S30", next(_pool), officers="3", chiefs="1", deputies="3"),   # 9 chiefs + deputies > officers
    _row("S30", DUP),                                                   # 10 same unit twice...
    _row("S30", DUP, officers="10"),                                    # 11 ...in one submission
    _row("S30", next(_pool), staffed="31/02/2020", staffed_date=None),  # 12 date not understood
    _row("S30", next(_pool), staffed="01/03/2025", staffed_date=date(2025, 3, 1)),  # 13 after as-of
    _row("S30", NEW_ONLY_CODE),                                         # 14 2025 code, pre2025 report
    _row("S31", NEW_31_CODES[0]),                                       # 15 valid 2025 row
    _row("S31", NEW_31_CODES[1], staffed="30/09/2025", staffed_date=NEW_AS_OF),  # 16 valid: on as-of
    _row("S31", PRE_ONLY_CODE),                                         # 17 pre2025 code, 2025 report
    _row("S30b", DUP),                                                  # 18 valid: other submission
    _row("S30", next(_pool), deputies="1.5"),                           # 19 deputies not whole
    _row("S30", next(_pool), deputies="-1"),                            # 20 deputies negative
    _row("S30", next(_pool), chiefs="có"),                              # 21 chiefs not a number
    _row("S30", next(_pool), deputies="hai"),                           # 22 deputies not a number
    _row("S30", next(_pool), officers="mười"),                          # 23 officers not a number
    _row("S30", next(_pool), officers="50", chiefs="1", deputies="49"),  # 24 valid: at the limits
    _row("S30", next(_pool), officers="0", chiefs="0", deputies="0"),   # 25 valid: nobody yet
    _row("S30e", GONE_BY_2025_CODE),                                    # 26 code of an older list
]

EXPECTED = {
    (3, "officers_missing"),
    (4, "officers_out_of_range"),
    (5, "officers_not_whole"),
    (6, "officers_out_of_range"),
    (7, "chiefs_not_0_or_1"),
    (8, "deputies_exceed_officers"),
    (8, "leaders_exceed_officers"),  # 0 chiefs + 4 deputies > 3 officers: both rules hold
    (9, "leaders_exceed_officers"),
    (10, "duplicate_unit"),
    (11, "duplicate_unit"),
    (12, "staffed_date_not_understood"),
    (13, "staffed_date_after_report"),
    (14, "unit_unknown_for_era"),
    (17, "unit_unknown_for_era"),
    (19, "deputies_not_whole"),
    (20, "deputies_negative"),
    (21, "chiefs_not_a_number"),
    (22, "deputies_not_a_number"),
    (23, "officers_missing"),
    (26, "unit_unknown_for_era"),
}


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    df = pd.DataFrame(ROWS)
    df["row_number"] = range(5, 5 + len(df))
    return df


@pytest.fixture(scope="module")
def docs_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data_docs")


@pytest.fixture(scope="module")
def failures(frame: pd.DataFrame, docs_dir: Path) -> list[RuleFailure]:
    # The one GX validation of the module, with Data Docs as the nightly run builds them.
    return validate_rows("commune_staffing", frame, docs_dir=docs_dir)


def test_data_docs_built_again_from_shared_compiled_templates_are_the_same(failures, frame, docs_dir, tmp_path):
    # The first site compiled GX's templates; this one renders from the compiled code they left.
    again = tmp_path / "again"
    validate_rows("commune_staffing", frame, docs_dir=again)
    page = "expectations/commune_staffing.html"
    # Each page stamps the moment it was rendered into its links ("?d=20261206T162137.624217Z").
    first, second = (re.sub(r"\?d=\d{8}T[\d.]+Z", "", (d / page).read_text(encoding="utf-8"))
                     for d in (docs_dir, again))
    assert "officers" in second
    assert first == second


def test_every_rule_fails_exactly_on_its_rows(failures: list[RuleFailure]) -> None:
    assert {(f.row_index, f.rule) for f in failures} == EXPECTED
    assert len(failures) == len(EXPECTED)  # no rule reports a row twice


def test_failures_come_in_row_order(failures: list[RuleFailure]) -> None:
    assert [f.row_index for f in failures] == sorted(f.row_index for f in failures)


def test_only_the_future_date_is_a_warning(failures: list[RuleFailure]) -> None:
    warnings = [f for f in failures if f.severity == "warning"]
    errors = [f for f in failures if f.severity == "error"]
    assert [(w.row_index, w.rule) for w in warnings] == [(13, "staffed_date_after_report")]
    assert {e.row_index for e in errors} == {3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 17, 19, 20, 21, 22, 23, 26}
    assert len(errors) == len(EXPECTED) - 1 and len(errors) + len(warnings) == len(failures)


def test_values_are_the_cells_as_written(failures: list[RuleFailure]) -> None:
    by_key = {(f.row_index, f.rule): f for f in failures}
    assert by_key[3, "officers_missing"].value == ""
    assert by_key[23, "officers_missing"].value == "mười"
    assert by_key[4, "officers_out_of_range"].value == "51"
    assert by_key[5, "officers_not_whole"].value == "2.5"
    assert by_key[6, "officers_out_of_range"].value == "-1"
    assert by_key[7, "chiefs_not_0_or_1"].value == "2"
    assert by_key[8, "deputies_exceed_officers"].value == "4"
    assert by_key[9, "leaders_exceed_officers"].value == "3"
    assert by_key[10, "duplicate_unit"].value == DUP
    assert by_key[12, "staffed_date_not_understood"].value == "31/02/2020"
    assert by_key[13, "staffed_date_after_report"].value == "01/03/2025"
    assert by_key[14, "unit_unknown_for_era"].value == NEW_ONLY_CODE
    assert by_key[17, "unit_unknown_for_era"].value == PRE_ONLY_CODE
    assert by_key[26, "unit_unknown_for_era"].value == GONE_BY_2025_CODE
    assert by_key[21, "chiefs_not_a_number"].value == "có"
    assert by_key[14, "unit_unknown_for_era"].column_name == "unit_code"
    assert by_key[12, "staffed_date_not_understood"].column_name == "staffed_date"


def test_messages_carry_the_value(failures: list[RuleFailure]) -> None:
    for f in failures:
        assert "{value}" not in f.message_vi and "{value}" not in f.message_en
        assert f.value in f.message_vi and f.value in f.message_en
    out_of_range = next(f for f in failures if f.rule == "officers_out_of_range")
    assert out_of_range.message_vi == 'Số cán bộ công an xã phải từ 0 đến 50 người (ô đang ghi: "51").'


def test_caller_frame_is_left_alone(frame: pd.DataFrame, failures: list[RuleFailure]) -> None:
    assert list(frame.columns) == list(ROWS[0])
    assert frame.at[13, "staffed_date"] == date(2025, 3, 1)


def test_data_docs_are_built(failures: list[RuleFailure], docs_dir: Path) -> None:
    assert (docs_dir / "index.html").is_file()
    pages = list((docs_dir / "validations").rglob("*.html"))
    assert len(pages) == 1 and "officers_is_whole" in pages[0].read_text(encoding="utf-8")
    assert (docs_dir / "expectations" / "commune_staffing.html").is_file()


def test_suite_file_is_complete() -> None:
    spec = read_suite_spec("commune_staffing")
    rules = {e["meta"]["rule"]: e["meta"]["severity"] for e in spec["expectations"]}
    assert {rule for _, rule in EXPECTED} <= set(rules)
    assert {r for r, s in rules.items() if s == "warning"} == {"staffed_date_after_report",
                                                               "officers_outlier_vs_previous_period"}
    (known,) = [e["kwargs"] for e in spec["expectations"] if e["meta"]["rule"] == "unit_unknown_for_era"]
    # The ~13,000 codes are checked in Python (a derived column), not carried in the suite.
    assert known == {"column": "unit_known_for_era", "value_set": [True]}
    codes = commune_codes()
    assert f"{PRE_LIST}:{PRE_CODES[0]}" in codes and f"{NEW_LIST}:{NEW_ONLY_CODE}" in codes
    assert f"{PRE_LIST}:{NEW_ONLY_CODE}" not in codes
    assert f"{PRE_LIST}:{GONE_BY_2025_CODE}" in codes and f"{EVE_LIST}:{GONE_BY_2025_CODE}" not in codes


def _write_suite(folder: Path, name: str, expectations: list[dict]) -> None:
    (folder / f"{name}.json").write_text(json.dumps({"name": name, "expectations": expectations}))


def _meta(rule: str, severity: str = "error", column: str = "officers") -> dict:
    return {"rule": rule, "severity": severity, "column": column,
            "message_vi": "giá trị {value}", "message_en": "value {value}"}


def test_bad_suite_files_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAX_EXPECTATIONS", str(tmp_path))
    kwargs = {"column": "officers"}
    _write_suite(tmp_path, "sev", [{"type": "expect_column_values_to_not_be_null", "kwargs": kwargs,
                                    "meta": _meta("a", severity="fatal")}])
    _write_suite(tmp_path, "nomsg", [{"type": "expect_column_values_to_not_be_null", "kwargs": kwargs,
                                      "meta": {"rule": "a", "severity": "error", "column": "officers"}}])
    _write_suite(tmp_path, "typo", [{"type": "expect_column_values_to_be_nul", "kwargs": kwargs,
                                     "meta": _meta("a")}])
    for name, problem in (("sev", "severity"), ("nomsg", "message_vi"),
                          ("missing", "does not exist")):
        with pytest.raises(SuiteError, match=problem):
            read_suite_spec(name)
    with pytest.raises(SuiteError, match="rejected"):  # GX itself would only log and drop it
        load_suite("typo")


def test_plain_validation_and_broken_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without docs_dir (batch.validate); a small suite keeps these two runs cheap."""
    monkeypatch.setenv("CAX_EXPECTATIONS", str(tmp_path))
    _write_suite(tmp_path, "tiny", [{"type": "expect_column_values_to_not_be_null",
                                     "kwargs": {"column": "officers"}, "meta": _meta("officers_missing")}])
    _write_suite(tmp_path, "broken", [{"type": "expect_column_values_to_not_be_null",
                                       "kwargs": {"column": "officer"}, "meta": _meta("typo_in_column")}])
    rows = pd.DataFrame({"officers": [3.0, np.nan], "officers_raw": ["3", ""]}, index=[7, 9])
    assert validate_rows("tiny", rows) == [
        RuleFailure(9, "officers", "", "officers_missing", "error", "giá trị ", "value "),
    ]
    # A rule that cannot be evaluated must stop the run, not pass silently.
    with pytest.raises(SuiteError, match="typo_in_column"):
        validate_rows("broken", rows)
    with pytest.raises(ValueError, match="duplicate"):
        validate_rows("tiny", rows.set_axis([1, 1]))


def test_empty_frame_and_module_import_skip_gx() -> None:
    code = (
        "import sys, pandas as pd\n"
        "from etl.validate import validate_rows, validate_stage\n"
        "assert 'great_expectations' not in sys.modules, 'imported by the module'\n"
        "assert validate_rows('commune_staffing', pd.DataFrame()) == []\n"
        "assert 'great_expectations' not in sys.modules, 'imported for an empty frame'\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, timeout=120)


def test_failures_of_one_row_follow_the_suite_order(failures: list[RuleFailure]) -> None:
    row_8 = [f.rule for f in failures if f.row_index == 8]
    assert row_8 == ["deputies_exceed_officers", "leaders_exceed_officers"]


def test_one_bad_cell_gives_one_message() -> None:
    rows = pd.DataFrame([_row("S30", PRE_CODES[0], officers="-3", deputies="2"), _row("S30", PRE_CODES[1])])
    rules = {(f.row_index, f.rule) for f in validate_rows("commune_staffing", rows)}
    # Out of range only: not also "fewer officers than deputies" or "than chiefs and deputies".
    assert rules == {(0, "officers_out_of_range")}
