"""The Great Expectations (GX 1.x) suite runner: each dataset's suite checked on one batch a night.

The rules of each dataset live in ``expectations/<dataset>.json``, a GX 1.x expectation suite kept
as a reviewable file. Every expectation there is row-level and carries in its ``meta`` the rule id,
the severity ('error' quarantines the row, 'warning' loads it and records the warning), the source
column to report and the messages for the provincial clerk in Vietnamese and English.

One run validates each dataset once: a single DataFrame with the rows of every workbook of the
night is one GX batch. GX costs seconds to import and a fraction of a second per validation, so
validating file by file would cost minutes a night. Rules GX cannot express directly are checked
on helper columns (etl.validate.derived), so the rule, its severity and its messages stay in the
suite file.

We validate DataFrames rather than the DuckDB warehouse because GX's SQL datasource does not work
with DuckDB. GX is imported inside the functions that need it, so importing this module (the CLI,
the DAG parser) stays cheap, and an empty frame never pays for GX.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from etl.config import expectations_dir
from etl.extract.values import raw_text

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


def read_suite_spec(dataset: str) -> dict[str, Any]:
    """The suite file of ``dataset`` as a dict, checked.

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
# Running GX
# ---------------------------------------------------------------------------------------------


_TEMPLATES_SHARED = False


def _share_compiled_templates() -> None:
    """Let every GX Data Docs page reuse the templates compiled for the pages before it.

    GX renders each page of a Data Docs site through a view with a jinja2 Environment of its own, so
    every page parses and compiles its ~16 templates again: 200 compilations, 2 of the 3 s that
    building the four datasets' docs took. A bytecode cache shared by those environments (jinja2's
    own mechanism, keyed by each template's name and source checksum) compiles each template once
    per process; the pages are the same."""
    global _TEMPLATES_SHARED
    if _TEMPLATES_SHARED:
        return
    from great_expectations.render.view.view import DefaultJinjaView
    from jinja2 import BytecodeCache

    class Compiled(BytecodeCache):
        def __init__(self) -> None:
            self.codes: dict[str, bytes] = {}

        def load_bytecode(self, bucket: Any) -> None:
            if bucket.key in self.codes:
                bucket.bytecode_from_string(self.codes[bucket.key])

        def dump_bytecode(self, bucket: Any) -> None:
            self.codes[bucket.key] = bucket.bytecode_to_string()

    shared, built = Compiled(), DefaultJinjaView.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        built(self, *args, **kwargs)
        self.env.bytecode_cache = shared

    DefaultJinjaView.__init__ = init  # type: ignore[method-assign]
    _TEMPLATES_SHARED = True


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
        _share_compiled_templates()
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
    dataset: str, frame: pd.DataFrame, suite: ExpectationSuite, docs_dir: Path | None,
    docs_later: list[Callable[[], None]] | None = None,
) -> ExpectationSuiteValidationResult:
    """Validate ``frame`` against ``suite`` as one batch; with ``docs_dir`` also build Data Docs, now
    or, given ``docs_later``, by the callable appended to it."""
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

    def build_docs() -> None:
        Path(docs_dir).mkdir(parents=True, exist_ok=True)
        context.build_data_docs(site_names=["local_site"])

    if docs_later is None:
        build_docs()
    else:
        docs_later.append(build_docs)
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


def _shown(value: Any) -> str:
    """A cell value as the clerk reads it ('' where nothing was written)."""
    return "" if pd.api.types.is_scalar(value) and pd.isna(value) else raw_text(value)


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
            value = _shown(source.at[index])
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


def validate_rows(dataset: str, rows: pd.DataFrame, docs_dir: Path | None = None,
                  docs_later: list[Callable[[], None]] | None = None) -> list[RuleFailure]:
    """Check every row of ``rows`` against the suite of ``dataset`` in one GX validation.

    ``rows`` holds the extracted rows of every workbook of the run; row indices in the returned
    failures are labels of ``rows.index``. With ``docs_dir``, GX Data Docs (a static HTML site:
    ``index.html``, the suite and this validation result) are written into that folder; given
    ``docs_later``, not now but by the callable appended to that list.
    An empty frame returns ``[]`` at once, without importing GX or writing docs.
    """
    if rows.empty:
        return []
    if not rows.index.is_unique:
        # Failures are matched back to rows by index label; duplicates would blame the wrong row.
        raise ValueError(f"{dataset}: the rows' index has duplicate labels; reset it before validating")
    from etl.validate.derived import DERIVERS

    derive = DERIVERS.get(dataset)
    frame = derive(rows) if derive else rows
    suite = load_suite(dataset)
    started = time.perf_counter()
    result = _run_gx(dataset, frame, suite, Path(docs_dir) if docs_dir is not None else None, docs_later)
    rule_order = {str((e.meta or {}).get("rule")): i for i, e in enumerate(suite.expectations)}
    failures = _failures(result, rows, rule_order)
    log.info("%s: validated %d rows against %d rules in %.2f s: %d failures",
             dataset, len(rows), len(suite.expectations), time.perf_counter() - started, len(failures))
    return failures
