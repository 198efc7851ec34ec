"""Row-level validation of extracted sheets with Great Expectations (GX 1.x).

The rules of each dataset live in ``expectations/<dataset>.json``, a GX 1.x expectation suite kept
as a reviewable file. Every expectation there is row-level and carries in its ``meta`` the rule id,
the severity ('error' quarantines the row, 'warning' loads it and records the warning), the source
column to report and the messages for the provincial clerk in Vietnamese and English.

One run validates each dataset once: the extractor hands over a single DataFrame with the rows of
every workbook of the run, and that frame is one GX batch. GX costs seconds to import and a
fraction of a second per validation, so validating file by file would cost minutes a night.

A few rules have no direct GX expectation ("a whole number", "a date that was written but not
understood"); for those we compute helper columns in Python (see ``_DERIVERS``) and the suite
checks the helper column, so the rule itself, its severity and its messages stay in the suite
file. Values too big to keep in the file (the ~13,000 commune codes of both eras) are written as
``{"$ref": "<name>"}`` and filled in at load time from ``etl.reference``.

We validate DataFrames rather than the DuckDB warehouse because GX's SQL datasource does not work
with DuckDB. GX is imported inside the functions that need it, so importing this module (the CLI,
the DAG parser) stays cheap, and an empty frame never pays for GX.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuite, ExpectationSuiteValidationResult

log = logging.getLogger(__name__)

SEVERITIES = ("error", "warning")
# What every expectation's meta must say; checked at load time so that a rule missing a message
# fails the run before any row is judged, rather than producing a failure nobody can explain.
META_KEYS = ("rule", "severity", "column", "message_vi", "message_en")


class SuiteError(RuntimeError):
    """The suite file, or the frame it is run on, is broken: no row can be trusted to be checked."""


@dataclass(frozen=True)
class RuleFailure:
    """One row breaking one rule, ready to be stored and shown to the province."""

    row_index: int
    column_name: str
    value: str
    rule: str
    severity: str
    message_vi: str
    message_en: str


# ---------------------------------------------------------------------------------------------
# Loading the suite
# ---------------------------------------------------------------------------------------------


def expectations_dir() -> Path:
    """Folder of the suite files: ``$CAX_EXPECTATIONS``, else ``expectations/`` at the repo root."""
    override = os.environ.get("CAX_EXPECTATIONS")
    return Path(override) if override else Path(__file__).resolve().parent.parent / "expectations"


@cache
def _commune_codes() -> tuple[str, ...]:
    """``'<era>:<code>'`` of every commune-level unit of both eras.

    Prefixed with the era because the 2025 communes mostly kept the code of one of the communes
    they absorbed: a bare code would say nothing about whether it is valid for the report's era.
    """
    from etl import reference  # imports vietnamadminunits; only needed when a suite is loaded

    units = reference.admin_units()
    communes = units[units.level == "commune"]
    return tuple(sorted(set(communes.admin_era + ":" + communes.unit_code)))


@cache
def _unit_codes_by_level() -> tuple[str, ...]:
    """``'<era>:<level>:<code>'`` of every district- and commune-level unit of both eras."""
    from etl import reference

    units = reference.admin_units()
    units = units[units.level.isin(["district", "commune"])]
    return tuple(sorted(set(units.admin_era + ":" + units.level + ":" + units.unit_code)))


# Names usable as {"$ref": name} in a suite file, and what fills them.
REFERENCE_SETS: dict[str, Callable[[], Iterable[Any]]] = {
    "commune_codes": _commune_codes,
    "unit_codes_by_level": _unit_codes_by_level,
}


def _resolve_refs(value: Any, where: str) -> Any:
    """``value`` with every ``{"$ref": name}`` replaced by the named reference set, as a list."""
    if isinstance(value, dict):
        if set(value) == {"$ref"}:
            name = value["$ref"]
            if name not in REFERENCE_SETS:
                raise SuiteError(f"{where}: unknown reference set {name!r}; known: {sorted(REFERENCE_SETS)}")
            return list(REFERENCE_SETS[name]())
        return {k: _resolve_refs(v, where) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_refs(v, where) for v in value]
    return value


def read_suite_spec(dataset: str) -> dict[str, Any]:
    """The suite file of ``dataset`` as a dict, checked and with its references filled in.

    Needs no GX, so a malformed file is reported the same way whether or not GX is installed.
    """
    path = expectations_dir() / f"{dataset}.json"
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SuiteError(f"no expectation suite for dataset {dataset!r}: {path} does not exist") from exc
    except json.JSONDecodeError as exc:
        raise SuiteError(f"{path} is not valid JSON: {exc}") from exc
    if spec.get("name") != dataset:
        raise SuiteError(f"{path}: suite name {spec.get('name')!r} does not match dataset {dataset!r}")
    seen_rules: set[str] = set()
    for i, exp in enumerate(spec.get("expectations") or []):
        where = f"{path.name} expectation #{i} ({exp.get('type')})"
        meta = exp.get("meta") or {}
        missing = [k for k in META_KEYS if not meta.get(k)]
        if missing:
            raise SuiteError(f"{where}: meta lacks {missing}")
        if meta["severity"] not in SEVERITIES:
            raise SuiteError(f"{where}: severity {meta['severity']!r} is not one of {SEVERITIES}")
        # Rule ids are what the warehouse stores and the province sees; two expectations sharing
        # one would make a failure ambiguous.
        if meta["rule"] in seen_rules:
            raise SuiteError(f"{where}: rule id {meta['rule']!r} is used twice")
        seen_rules.add(meta["rule"])
        exp["kwargs"] = _resolve_refs(exp.get("kwargs") or {}, where)
    if not seen_rules:
        raise SuiteError(f"{path}: the suite has no expectations")
    return spec


def load_suite(dataset: str) -> ExpectationSuite:
    """The GX ``ExpectationSuite`` of ``dataset``, read from ``expectations/<dataset>.json``."""
    from great_expectations.core import ExpectationSuite

    spec = read_suite_spec(dataset)
    suite = ExpectationSuite(name=spec["name"], expectations=spec["expectations"], meta=spec.get("meta"))
    # GX's constructor logs and *drops* an expectation whose configuration it rejects (unknown
    # type, bad kwargs). A dropped rule would silently let bad rows through, so refuse instead.
    if len(suite.expectations) != len(spec["expectations"]):
        kept = {(e.meta or {}).get("rule") for e in suite.expectations}
        dropped = [e["meta"]["rule"] for e in spec["expectations"] if e["meta"]["rule"] not in kept]
        raise SuiteError(f"GX rejected the expectations of rules {dropped} in {dataset}.json (see the log)")
    return suite


# ---------------------------------------------------------------------------------------------
# Helper columns
# ---------------------------------------------------------------------------------------------


def _blank(raw: pd.Series) -> pd.Series:
    """True where a cell was left empty (or held only spaces)."""
    return raw.fillna("").astype(str).str.strip() == ""


def _checked(numbers: pd.Series, low: float, high: float | None) -> pd.Series:
    """The numbers that are whole and in [low, high]; NaN elsewhere."""
    good = (numbers % 1 == 0) & (numbers >= low) & ((numbers <= high) if high is not None else True)
    return numbers.where(good)


def _is_whole(numbers: pd.Series) -> pd.Series:
    """True/False per number, None where there is no number, so GX skips it like a null."""
    return (numbers % 1 == 0).astype(object).where(numbers.notna(), None)


STAFFING_COLUMNS = (
    "submission_id", "admin_era", "unit_code", "as_of_date", "officers", "chiefs", "deputies",
    "officers_raw", "chiefs_raw", "deputies_raw", "staffed_date", "staffed_date_raw",
)


def _derive_commune_staffing(rows: pd.DataFrame) -> pd.DataFrame:
    """A copy of the staffing rows with the helper columns the suite checks.

    The caller's frame is left untouched: the helpers exist only for validation.
    """
    missing = [c for c in STAFFING_COLUMNS if c not in rows.columns]
    if missing:
        raise SuiteError(f"commune_staffing rows lack columns {missing}")
    frame = rows.copy()
    # Coerce so that a column that came through as object (all None, or ints and None) still
    # compares as numbers; NaN keeps meaning "blank or not a number".
    for col in ("officers", "chiefs", "deputies"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    # Dates as datetime64 so the date comparison works whatever mix of date/Timestamp/None the
    # extractor produced; None becomes NaT, which GX treats as missing.
    for col in ("as_of_date", "staffed_date"):
        frame[col] = pd.to_datetime(frame[col], errors="coerce")

    frame["era_unit"] = frame["admin_era"].astype(str) + ":" + frame["unit_code"].astype(str)
    frame["unit_known_for_era"] = frame["era_unit"].isin(set(_commune_codes()))
    frame["officers_is_whole"] = _is_whole(frame["officers"])
    frame["deputies_is_whole"] = _is_whole(frame["deputies"])
    frame["chiefs_unparsed"] = ~_blank(frame["chiefs_raw"]) & frame["chiefs"].isna()
    frame["deputies_unparsed"] = ~_blank(frame["deputies_raw"]) & frame["deputies"].isna()
    # A blank chiefs or deputies cell counts as 0 here; the sum is left null only when both are
    # blank, when there is nothing to compare.
    # Cross-field rules compare only cells that pass their own rules, so that one bad cell gives
    # one message: officers -3 is "out of range", not also "fewer than the deputies".
    frame["officers_checked"] = _checked(frame["officers"], 0, 50)
    frame["deputies_checked"] = _checked(frame["deputies"], 0, None)
    chiefs_checked = _checked(frame["chiefs"], 0, 1)
    frame["chiefs_plus_deputies"] = pd.concat([chiefs_checked, frame["deputies_checked"]], axis=1).sum(
        axis=1, min_count=1)
    frame["staffed_date_unparsed"] = ~_blank(frame["staffed_date_raw"]) & frame["staffed_date"].isna()
    _add_plausibility(frame, ("officers",))
    return frame


# Outliers against the same unit's previous period: a change is plausible unless it is further from
# the batch's typical change than OUTLIER_K robust standard deviations (1.4826 x the median
# absolute deviation), with a floor so that small figures moving a little are never flagged.
OUTLIER_K = 5.0
OUTLIER_FLOOR = {"officers": 3.0, "tips_received": 20.0, "crime_reports": 10.0}


def change_plausible(values: pd.Series, previous: pd.Series, floor: float) -> pd.Series:
    """True/False per row, None where there is no previous value (GX skips those)."""
    change = values - previous
    known = change.dropna()
    if known.empty:
        return pd.Series([None] * len(values), index=values.index, dtype=object)
    center = float(known.median())
    spread = 1.4826 * float((known - center).abs().median())
    allowed = pd.concat([pd.Series(floor, index=values.index), OUTLIER_K * pd.Series(spread, index=values.index),
                         0.5 * previous.abs()], axis=1).max(axis=1)
    plausible = (change - center).abs() <= allowed
    return plausible.astype(object).where(change.notna(), None)


def _add_plausibility(frame: pd.DataFrame, figures: tuple[str, ...]) -> None:
    """``<figure>_change_plausible`` for each figure; all null when no previous values were given."""
    for figure in figures:
        previous_column = f"previous_{figure}"
        previous = (pd.to_numeric(frame[previous_column], errors="coerce").astype(float)
                    if previous_column in frame.columns else pd.Series(float("nan"), index=frame.index))
        frame[f"{figure}_change_plausible"] = change_plausible(frame[figure], previous, OUTLIER_FLOOR[figure])


def _counts_frame(rows: pd.DataFrame, dataset: str, figures: tuple[str, ...]) -> pd.DataFrame:
    """A copy with the figures as floats and a ``<figure>_is_whole`` helper for each."""
    missing = [c for c in ("submission_id", "admin_era", *figures) if c not in rows.columns]
    if missing:
        raise SuiteError(f"{dataset} rows lack columns {missing}")
    frame = rows.copy()
    for col in figures:
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
        frame[f"{col}_is_whole"] = _is_whole(frame[col])
    return frame


def _derive_security_activity(rows: pd.DataFrame) -> pd.DataFrame:
    from etl.facts import SECURITY_FIGURES

    frame = _counts_frame(rows, "security_activity", SECURITY_FIGURES)
    frame["era_unit"] = frame["admin_era"].astype(str) + ":" + frame["unit_code"].astype(str)
    frame["unit_known_for_era"] = frame["era_unit"].isin(set(_commune_codes()))
    for figure in ("tips_received", "crime_reports", "cases_clarified"):
        frame[f"{figure}_checked"] = _checked(frame[figure], 0, None)
    _add_plausibility(frame, ("tips_received", "crime_reports"))
    return frame


def _derive_id_card_applications(rows: pd.DataFrame) -> pd.DataFrame:
    frame = _counts_frame(rows, "id_card_applications", ("applications",))
    frame["era_level_unit"] = (frame["admin_era"].astype(str) + ":" + frame["unit_level"].astype(str) + ":"
                               + frame["unit_code"].astype(str))
    frame["unit_known_for_era"] = frame["era_level_unit"].isin(set(_unit_codes_by_level()))
    frame["report_date"] = pd.to_datetime(frame["report_date"], errors="coerce")
    return frame


def _derive_commendation(rows: pd.DataFrame) -> pd.DataFrame:
    return _counts_frame(rows, "commendation", ("collectives", "individuals"))


# Per dataset, how to add its helper columns; a dataset without helpers is validated as it is.
_DERIVERS: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
    "commune_staffing": _derive_commune_staffing,
    "security_activity": _derive_security_activity,
    "id_card_applications": _derive_id_card_applications,
    "commendation": _derive_commendation,
}


# ---------------------------------------------------------------------------------------------
# Running GX
# ---------------------------------------------------------------------------------------------


def _gx_context(docs_dir: Path | None) -> Any:
    """A fresh in-memory GX context: no files, no progress bars, no usage statistics.

    With ``docs_dir``, the context has one local Data Docs site written into that folder (GX's
    default ephemeral context would put one in a temporary folder instead).
    """
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    sites = None
    if docs_dir is not None:
        sites = {
            "local_site": {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(Path(docs_dir).resolve()),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        }
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        data_docs_sites=sites,
        # The progress bars write to stderr on every validation and clutter the task logs.
        progress_bars=ProgressBarsConfig(globally=False),
        analytics_enabled=False,
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def _run_gx(
    dataset: str, frame: pd.DataFrame, suite: ExpectationSuite, docs_dir: Path | None
) -> ExpectationSuiteValidationResult:
    """Validate ``frame`` against ``suite`` as one batch; with ``docs_dir`` also build Data Docs."""
    import great_expectations as gx

    context = _gx_context(docs_dir)
    batch_definition = (
        context.data_sources.add_pandas(f"{dataset}_rows")
        .add_dataframe_asset(dataset)
        .add_batch_definition_whole_dataframe("run")
    )
    # COMPLETE is the result format that lists *every* failing row (unexpected_index_list);
    # the smaller formats stop at 20 examples.
    if docs_dir is None:
        batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
        return batch.validate(suite, result_format="COMPLETE")
    # Data Docs are rendered from the context's stores, which batch.validate() does not write to;
    # a ValidationDefinition run stores its result, so the docs can then be built from it.
    suite = context.suites.add(suite)
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{dataset}_run", data=batch_definition, suite=suite)
    )
    result = definition.run(batch_parameters={"dataframe": frame}, result_format="COMPLETE")
    Path(docs_dir).mkdir(parents=True, exist_ok=True)
    context.build_data_docs(site_names=["local_site"])
    return result


def _raised(exception_info: Any) -> str | None:
    """The message of an exception GX caught while evaluating an expectation, if any.

    GX reports it in one of two shapes: flat (``{"raised_exception": True, ...}``) or, when a
    metric could not be computed (e.g. a missing column), one such dict per metric id.
    """
    if not exception_info:
        return None
    if "raised_exception" in exception_info:
        return exception_info.get("exception_message") if exception_info["raised_exception"] else None
    for info in exception_info.values():
        if isinstance(info, dict) and info.get("raised_exception"):
            return str(info.get("exception_message"))
    return None


def _as_text(value: Any) -> str:
    """A cell value as the clerk would read it: '' for blank, 12 rather than 12.0, ISO dates."""
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):  # also pd.Timestamp
        midnight = value.hour == value.minute == value.second == value.microsecond == 0
        return value.date().isoformat() if midnight else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _failures(
    result: ExpectationSuiteValidationResult, rows: pd.DataFrame, rule_order: dict[str, int]
) -> list[RuleFailure]:
    """One RuleFailure per failing row of every failed expectation, in row then suite order."""
    found: list[tuple[int, int, RuleFailure]] = []
    # GX does not return results in suite order (expectations that raised come first), so the
    # order is taken from the suite; each result carries its expectation's config and meta.
    for outcome in result.results:
        meta = outcome.expectation_config.meta if outcome.expectation_config else None
        if not meta or meta.get("rule") not in rule_order:
            raise SuiteError("a validation result lost its expectation's meta; cannot say which rule failed")
        position = rule_order[meta["rule"]]
        # A rule that could not be evaluated has checked nothing: stop rather than load the rows.
        error = _raised(outcome.exception_info)
        if error:
            raise SuiteError(f"rule {meta.get('rule')!r} could not be evaluated: {error}")
        if outcome.success:
            continue
        indices = (outcome.result or {}).get("unexpected_index_list")
        if indices is None:
            raise SuiteError(f"rule {meta.get('rule')!r} failed without naming rows; only row-level "
                             "expectations belong in a suite")
        column = meta["column"]
        # Report the cell as the clerk wrote it where the extractor kept it, else the value.
        source = rows[f"{column}_raw"] if f"{column}_raw" in rows.columns else rows[column]
        for index in indices:
            value = _as_text(source.at[index])
            found.append((int(index), position, RuleFailure(
                row_index=int(index),
                column_name=column,
                value=value,
                rule=meta["rule"],
                severity=meta["severity"],
                # str.replace, not format(): a message may legitimately contain other braces.
                message_vi=meta["message_vi"].replace("{value}", value),
                message_en=meta["message_en"].replace("{value}", value),
            )))
    found.sort(key=lambda item: item[:2])
    return [failure for _, _, failure in found]


# ---------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------


def validate_rows(dataset: str, rows: pd.DataFrame, docs_dir: Path | None = None) -> list[RuleFailure]:
    """Check every row of ``rows`` against the suite of ``dataset`` in one GX validation.

    ``rows`` holds the extracted rows of every workbook of the run; row indices in the returned
    failures are labels of ``rows.index``. With ``docs_dir``, GX Data Docs (a static HTML site:
    ``index.html``, the suite and this validation result) are written into that folder.
    An empty frame returns ``[]`` at once, without importing GX or writing docs.
    """
    if rows.empty:
        return []
    if not rows.index.is_unique:
        # Failures are matched back to rows by index label; duplicates would blame the wrong row.
        raise ValueError(f"{dataset}: the rows' index has duplicate labels; reset it before validating")
    derive = _DERIVERS.get(dataset)
    frame = derive(rows) if derive else rows
    suite = load_suite(dataset)
    started = time.perf_counter()
    result = _run_gx(dataset, frame, suite, Path(docs_dir) if docs_dir is not None else None)
    rule_order = {str((e.meta or {}).get("rule")): i for i, e in enumerate(suite.expectations)}
    failures = _failures(result, rows, rule_order)
    log.info("%s: validated %d rows against %d rules in %.2f s: %d failures",
             dataset, len(rows), len(suite.expectations), time.perf_counter() - started, len(failures))
    return failures


def split_by_severity(
    failures: Iterable[RuleFailure],
) -> tuple[set[int], list[RuleFailure], list[RuleFailure]]:
    """(indices of rows with any error, the error failures, the warning failures).

    The first set is what the caller quarantines; warnings never keep a row out.
    """
    errors: list[RuleFailure] = []
    warnings: list[RuleFailure] = []
    for failure in failures:
        if failure.severity == "error":
            errors.append(failure)
        elif failure.severity == "warning":
            warnings.append(failure)
        else:  # load_suite refuses other severities, so this is a failure built by hand
            raise ValueError(f"unknown severity {failure.severity!r} for rule {failure.rule!r}")
    return {f.row_index for f in errors}, errors, warnings
