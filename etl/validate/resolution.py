"""The rules found while a row is read, before the suites run, and their messages.

The extractor marks a row whose name did not become a unit code (``resolve_problem``) and the
cells it could not read (``parse_problems``), and notes a total row that does not add up. Here
those marks become rule failures, with the rule ids, severities and messages of
``expectations/resolution.json``, beside the suites.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pandas as pd

from etl.config import expectations_dir
from etl.extract.sheets import SheetSpec
from etl.extract.stage import StagedFile, StagedSubmission
from etl.unit_lists import unit_lists
from etl.validate.suite import SEVERITIES, SuiteError

RULE_KEYS = ("rule", "severity", "message_vi", "message_en")


@cache
def _rules() -> dict[str, dict[str, str]]:
    path = expectations_dir() / "resolution.json"
    try:
        rules = json.loads(path.read_text(encoding="utf-8"))["rules"]
    except (OSError, ValueError, KeyError) as error:
        raise SuiteError(f"{path}: cannot read the resolution rules ({error})") from error
    for problem, rule in rules.items():
        missing = [k for k in RULE_KEYS if not rule.get(k)]
        if missing or rule["severity"] not in SEVERITIES:
            raise SuiteError(f"{path}: rule {problem!r} lacks {missing} or has a severity other than {SEVERITIES}")
    return rules


def rule_for(problem: str) -> dict[str, str]:
    """The rule of a problem the extractor records (e.g. 'unknown', 'unreadable', 'total_mismatch')."""
    rules = _rules()
    if problem not in rules:
        raise SuiteError(f"expectations/resolution.json has no rule for the problem {problem!r}")
    return rules[problem]


def _failure(problem: str, row_index: Any, column: str, value: str, **words: str) -> dict[str, Any]:
    rule = rule_for(problem)
    return {"row_index": row_index, "column_name": column, "value": value, "rule": rule["rule"],
            "severity": rule["severity"], "message_vi": rule["message_vi"].format(value=value, **words),
            "message_en": rule["message_en"].format(value=value, **words)}


def _absorbed(unit: str, how: str) -> dict[str, str]:
    """The words that name the unit an old one is now: merged into it ('đã nhập vào Thị trấn Ninh
    Giang (11203)'), or the same unit under another name or type ('nay là Xã Thất Khê (06040)')."""
    if not unit:
        return {"absorbed_vi": "", "absorbed_en": ""}
    if how == "renamed":
        return {"absorbed_vi": f", nay là {unit}", "absorbed_en": f", now {unit}"}
    return {"absorbed_vi": f", đã nhập vào {unit}", "absorbed_en": f", and became part of {unit}"}


def _marked(rows: pd.DataFrame, column: str) -> pd.Series:
    if column not in rows:
        return pd.Series(False, index=rows.index)
    return rows[column].fillna("").astype(str).ne("")


def resolution_failures(rows: pd.DataFrame, spec: SheetSpec) -> list[dict[str, Any]]:
    """One failure per unresolved name, per unreadable or uncalculated cell and per misplaced row
    (below the total, on a sheet that is not the table's continuation), by the rows' index."""
    failures: list[dict[str, Any]] = []
    marks = ("resolve_problem", "parse_problems", "formula_problems", "row_problem")
    flagged = pd.concat([_marked(rows, m) for m in marks], axis=1).any(axis=1)
    for index, row in rows[flagged].iterrows():
        problem, detail = row["resolve_problem"], str(row.get("problem_detail") or "")
        if isinstance(problem, str) and problem:
            value, candidates = row[spec.name_column], str(row["resolve_candidates"])
            first, second, absorbed, how = (candidates.split(",") + ["", "", "", ""])[:4]
            failures.append(_failure(problem, index, spec.name_column, value, candidates=candidates,
                                     first=first, second=second, detail=detail, **_absorbed(absorbed, how)))
        for column in filter(None, str(row["parse_problems"] or "").split(",")):
            failures.append(_failure("unreadable", index, column, row.get(f"{column}_raw", "")))
        for mark in filter(None, str(row.get("formula_problems") or "").split(",")):
            column, _, cell = mark.partition(":")
            failures.append(_failure("formula_uncalculated", index, column, row.get(f"{column}_raw", ""), cell=cell))
        if isinstance(row.get("row_problem"), str) and row["row_problem"]:
            failures.append(_failure(row["row_problem"], index, spec.name_column, row[spec.name_column] or "",
                                     detail=detail, sheet=str(row.get("sheet") or "")))
    return failures


def total_warnings(staged: StagedFile, sub: StagedSubmission) -> list[dict[str, Any]]:
    """A failure per figure whose total row does not equal the sum of the submission's rows, and one
    when the report is older than every unit list (its units were read against the oldest)."""
    entries = []
    if sub.before_oldest_list and sub.units_date is not None:
        oldest = unit_lists()[0]
        # The date is the report's (its title's as-of date, else its period): recorded at its header row.
        entry = _failure("before_oldest_list", None, "as_of_date" if sub.as_of_date else "period",
                         f"{sub.units_date:%d/%m/%Y}", first=f"{oldest.data_date:%d/%m/%Y}")
        del entry["row_index"]
        entries.append({"submission_id": sub.submission_id, "file_name": staged.file_name, "sheet": sub.sheet,
                        "row_number": sub.header_row or 1, **entry})
    for column, stated, summed in sub.reconciliation:
        entry = _failure("total_mismatch", None, column, f"{stated:g}", stated=f"{stated:g}", summed=f"{summed:g}")
        del entry["row_index"]
        entries.append({"submission_id": sub.submission_id, "file_name": staged.file_name,
                        "sheet": sub.total_sheet or sub.sheet,
                        "row_number": sub.total_row_number, **entry})
    return entries
