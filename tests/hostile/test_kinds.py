"""Every hostile kind of the catalogue (tests/hostile/kinds.py) through ``cax ingest``: alone beside a
good file, into a fresh warehouse; then all of them in one night with the sample workbooks. The
night always finishes, publishes, writes every feedback workbook needed, and loses no row."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest

from tests.hostile.kinds import (
    ACCOUNTED,
    COMPANION,
    EITHER,
    EXIT_CODES,
    GOES_ON,
    KINDS,
    LOADED,
    QUARANTINED,
    REJECTED,
    USAGE,
    Kind,
    Night,
    assert_night_whole,
    companion,
    finish,
    ingest,
    start,
    warm,
)

pytestmark = pytest.mark.e2e

RUN_ALONE = [kind for kind in KINDS if not kind.elsewhere]
PARALLEL_NIGHTS = 3


@pytest.fixture(scope="module", autouse=True)
def warmed(tmp_path_factory):
    """One night in this process first, so that each forked night starts with everything imported."""
    warm(tmp_path_factory.mktemp("warm"))


def _contains(text: str, wanted: tuple[str, ...]) -> list[str]:
    """The items of ``wanted`` (each "a|b" for either) that ``text`` lacks, case-insensitively."""
    low = text.lower()
    return [item for item in wanted if not any(alt.lower() in low for alt in item.split("|"))]


def recorded_name(subject: Path) -> str:
    """The name the audit records: a name that is not UTF-8 has U+FFFD for its undecodable bytes."""
    return os.fsencode(subject.name).decode("utf-8", "replace")


def assert_outcome(night: Night, kind: Kind, subject: Path) -> None:
    """The subject file came to what the kind expects."""
    expect = kind.expect
    name = recorded_name(subject)
    subs = night.rows("select status, coalesce(reason, ''), rows_read, rows_quarantined from audit.submission "
                      "where file_name = ? and status <> 'duplicate'", name)
    statuses = sorted({status for status, *_ in subs})
    messages = " ".join(r[0] for r in night.rows(
        "select concat_ws(' ', rule, message_en, message_vi, value) from audit.quarantine where file_name = ?",
        name))
    if expect.outcome != GOES_ON:
        assert subs, f"{subject.name} is not in audit.submission: lost"
    if expect.outcome == LOADED:
        assert statuses == ["loaded"], subs
    if expect.outcome in (QUARANTINED, ACCOUNTED):
        assert "rejected" not in statuses, subs
    if expect.outcome == QUARANTINED:
        assert sum(q for *_, q in subs) > 0, subs
        assert _contains(messages, expect.reason) == [], (expect.reason, messages)
    if expect.outcome == REJECTED:
        reasons = " ".join(reason for status, reason, *_ in subs if status == "rejected")
        assert "rejected" in statuses, subs
        assert _contains(reasons, expect.reason) == [], (expect.reason, reasons)
    if expect.outcome == EITHER:
        assert all(reason for status, reason, *_ in subs if status == "rejected"), subs
    if expect.rows is not None:
        assert sum(r for _, _, r, _ in subs) == expect.rows, subs
    for sql, value in expect.holds:
        assert night.rows(sql)[0][0] == value, sql


@pytest.fixture(scope="module")
def nights(request, tmp_path_factory) -> dict[str, tuple[Path, Night]]:
    """The night of each kind selected, alone beside a good file, three nights at a time: the subject and
    what the night left."""
    wanted = {item.callspec.params["kind"].name for item in request.session.items
              if getattr(item, "callspec", None) and item.originalname == "test_each_kind_alone_beside_a_good_file"}
    running: list[tuple[Kind, Path, tuple[Path, int]]] = []
    done: dict[str, tuple[Path, Night]] = {}
    for kind in (k for k in RUN_ALONE if k.name in wanted):
        root = tmp_path_factory.mktemp(kind.name)
        landing = root / "landing"
        landing.mkdir()
        companion(landing)
        assert kind.build is not None
        subject = kind.build(landing)
        running.append((kind, subject, start(root, kind.args(landing, subject) if kind.args else [str(landing)],
                                             kind.env, before=_bound(kind.patch, subject),
                                             fault=_bound(kind.fault, subject))))
        if len(running) == PARALLEL_NIGHTS:
            first, subject_of_first, started = running.pop(0)
            done[first.name] = (subject_of_first, finish(started))
    for kind, subject, started in running:
        done[kind.name] = (subject, finish(started))
    return done


def _bound(action, subject: Path):
    return (lambda: action(subject)) if action else None


@pytest.mark.parametrize("kind", RUN_ALONE, ids=lambda kind: kind.name)
def test_each_kind_alone_beside_a_good_file(kind: Kind, nights):
    subject, night = nights[kind.name]
    if kind.expect.outcome == USAGE:
        assert night.exit_code == 2, night.output
        assert _contains(night.output, kind.expect.reason) == [], night.output
        assert "Traceback" not in night.output and not night.warehouse.exists()
        return
    assert_night_whole(night)
    assert night.exit_code in EXIT_CODES[kind.expect.outcome], night.output[-3000:]
    assert night.rows("select status from audit.submission where file_name = ?", COMPANION) == [("loaded",)]
    assert_outcome(night, kind, subject)


@pytest.mark.parametrize("kind", [kind for kind in KINDS if kind.elsewhere], ids=lambda kind: kind.name)
def test_each_loader_fault_has_its_test(kind: Kind):
    """The loader's own faults need a night killed or a disk filled: their tests live in tests/faults."""
    assert kind.elsewhere is not None
    path, name = kind.elsewhere.split("::")
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    assert callable(getattr(module, name, None)), kind.elsewhere


def test_the_catalogue_lists_sixty_kinds_each_named_once():
    assert len(KINDS) >= 60
    assert len({kind.name for kind in KINDS}) == len(KINDS)
    assert all(kind.description and (kind.build or kind.elsewhere) for kind in KINDS)


def test_a_night_of_the_samples_and_every_hostile_kind(sample_landing, tmp_path: Path):
    """Done when (issue 9): the sample workbooks and every kind in one ``cax ingest``: exit 3, published,
    every feedback workbook written, the accounting holds, and every hostile file is in the audit."""
    samples, _ = sample_landing
    hostile = tmp_path / "hostile"
    mixed = [kind for kind in RUN_ALONE if kind.expect.outcome != USAGE and not kind.args]
    subjects = {}
    for kind in mixed:
        folder = hostile / kind.name
        folder.mkdir(parents=True)
        assert kind.build is not None
        subjects[kind.name] = kind.build(folder)

    def before() -> None:
        for kind in mixed:
            if kind.patch:
                kind.patch(subjects[kind.name])

    def fault() -> None:
        for kind in mixed:
            if kind.fault:
                kind.fault(subjects[kind.name])
    night = ingest(tmp_path, [str(samples), str(hostile)], {"CAX_WORKER_TIMEOUT_S": "30"}, before, fault)
    assert night.exit_code == 3, night.output[-3000:]
    assert_night_whole(night)
    recorded = {name for (name,) in night.rows("select distinct file_name from audit.submission")}
    lost = [kind.name for kind in mixed
            if kind.expect.outcome != GOES_ON and recorded_name(subjects[kind.name]) not in recorded]
    assert lost == []
