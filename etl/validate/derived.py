"""Helper columns for the rules GX cannot express on the extracted columns themselves.

"A whole number", "a date that was written but not understood", "a code of the list in force on the
report's date",
"the same unit moved implausibly since its previous period": for these we compute a column here
and the suite (``expectations/<dataset>.json``) checks that column, so each rule, its severity and
its messages stay in the suite file. The caller's frame is never modified: the helpers exist only
for validation.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from etl.extract.sheets import DATASETS
from etl.unit_lists import cached_on_lists
from etl.validate.suite import SuiteError


@cached_on_lists
def _list_codes(list_id: str, levels: tuple[str, ...], with_level: bool) -> frozenset[str]:
    """``'<list>:<code>'`` (or ``'<list>:<level>:<code>'``) of the units of ``levels`` of one list."""
    from etl import reference  # reads the unit lists; only needed when rows are validated

    units = reference.snapshot(list_id)
    units = units[units.level.isin(levels)]
    return frozenset(list_id + ":" + (units.level + ":" if with_level else "") + units.unit_code)


def commune_codes() -> frozenset[str]:
    """``'<list>:<code>'`` of every commune-level unit of every dated unit list.

    Prefixed with the list because codes are reused (the 2025 communes mostly kept the code of one
    of the communes they absorbed; a merged commune keeps one of its communes' codes): a bare code
    would say nothing about whether it is a unit of the list in force on the report's date.
    """
    from etl import reference

    return frozenset().union(*(_list_codes(u.list_id, ("commune",), False) for u in reference.unit_lists()))


def unit_codes_by_level() -> frozenset[str]:
    """``'<list>:<level>:<code>'`` of every district- and commune-level unit of every list."""
    from etl import reference

    return frozenset().union(*(_list_codes(u.list_id, ("district", "commune"), True)
                               for u in reference.unit_lists()))


def _known(keys: pd.Series, lists: pd.Series, levels: tuple[str, ...], with_level: bool) -> pd.Series:
    """Whether each key (as ``_list_codes`` writes them) is a unit of its row's list: only the lists
    the rows name are read (a night of one file reads one list, not all six)."""
    from etl import reference

    known = pd.Series(False, index=keys.index)
    named = lists.astype(str)
    for list_id in {u.list_id for u in reference.unit_lists()} & set(named.unique()):
        mine = named == list_id
        known[mine] = keys[mine].isin(_list_codes(list_id, levels, with_level))
    return known


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
    "submission_id", "unit_list", "unit_code", "as_of_date", "officers", "chiefs", "deputies",
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

    frame["era_unit"] = frame["unit_list"].astype(str) + ":" + frame["unit_code"].astype(str)
    frame["unit_known_for_era"] = _known(frame["era_unit"], frame["unit_list"], ("commune",), False)
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
    frame = _counts_frame(rows, "security_activity", DATASETS["security_activity"].figures)
    frame["era_unit"] = frame["unit_list"].astype(str) + ":" + frame["unit_code"].astype(str)
    frame["unit_known_for_era"] = _known(frame["era_unit"], frame["unit_list"], ("commune",), False)
    for figure in ("tips_received", "crime_reports", "cases_clarified"):
        frame[f"{figure}_checked"] = _checked(frame[figure], 0, None)
    _add_plausibility(frame, ("tips_received", "crime_reports"))
    return frame


def _derive_id_card_applications(rows: pd.DataFrame) -> pd.DataFrame:
    frame = _counts_frame(rows, "id_card_applications", ("applications",))
    frame["era_level_unit"] = (frame["unit_list"].astype(str) + ":" + frame["unit_level"].astype(str) + ":"
                               + frame["unit_code"].astype(str))
    frame["unit_known_for_era"] = _known(frame["era_level_unit"], frame["unit_list"], ("district", "commune"), True)
    frame["report_date"] = pd.to_datetime(frame["report_date"], errors="coerce")
    return frame


def _derive_commendation(rows: pd.DataFrame) -> pd.DataFrame:
    return _counts_frame(rows, "commendation", ("collectives", "individuals"))


# Per dataset, how to add its helper columns; a dataset without helpers is validated as it is.
DERIVERS: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
    "commune_staffing": _derive_commune_staffing,
    "security_activity": _derive_security_activity,
    "id_card_applications": _derive_id_card_applications,
    "commendation": _derive_commendation,
}
