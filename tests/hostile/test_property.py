"""A property (issue 9, point 1): whatever is done to a sample workbook - bytes flipped, cut or
inserted; XML elements dropped, doubled or swapped; attributes, numbers and references changed;
sheets renamed; cell values replaced - the night finishes, publishes, writes every feedback
workbook needed and keeps rows_read = rows_loaded + rows_quarantined. A fixed seed, a bounded
number of examples and a budget keep it reproducible and under 90 seconds."""

from __future__ import annotations

import re
import shutil
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.hostile.kinds import assert_night_whole, ingest, warm

pytestmark = pytest.mark.e2e

BUDGET_S = 60  # examples that start later are skipped: the whole test stays under 90 s
ELEMENTS = {"row": rb"<row[ >].*?</row>", "cell": rb"<c[ >].*?</c>", "value": rb"<v>.*?</v>",
            "merge": rb"<mergeCell [^>]*/>", "string": rb"<si>.*?</si>", "sheet": rb"<sheet [^>]*/>"}
ODD_NUMBERS = [b"1e308", b"-1e308", b"NaN", b"INF", b"-inf", b"99999999999999999999999", b"-0", b"1_0", b"0x10",
               b"", b" 5 ", b"\xd9\xa1\xd9\xa2"]
ODD_REFS = [b"A0", b"XFD1048576", b"a1", b"$A$1", b"XFE1", b"A1048577", b"R1C1", b"", b"Z", b"A-1", b"D4:D5"]
NAMES = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _escape(text: str) -> bytes:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;").encode("utf-8", "replace")


@st.composite
def mutations(draw):
    """One change to a workbook, as a function of its bytes (for a non-zip .xls: bytes only)."""
    how = draw(st.sampled_from(["flip", "truncate", "insert", "drop", "duplicate", "swap", "attribute", "number",
                                "ref", "sheet_name", "text"]))
    where = draw(st.floats(0, 1))
    other = draw(st.floats(0, 1))
    number = draw(st.sampled_from(ODD_NUMBERS))
    ref = draw(st.sampled_from(ODD_REFS))
    name = draw(NAMES)
    pattern = draw(st.sampled_from(sorted(ELEMENTS)))
    part_choice = draw(st.floats(0, 1))

    def at(data: bytes, fraction: float) -> int:
        return min(int(fraction * len(data)), max(len(data) - 1, 0))

    def on_bytes(data: bytes) -> bytes:
        if how == "flip":
            i = at(data, where)
            return data[:i] + bytes([data[i] ^ (1 + int(other * 254))]) + data[i + 1:]
        if how == "truncate":
            return data[:at(data, where)]
        return data[:at(data, where)] + name.encode() + data[at(data, where):]

    def on_xml(data: bytes) -> bytes:
        found = list(re.finditer(ELEMENTS[pattern], data, re.S))
        if how == "sheet_name":
            return re.sub(rb'(<sheet [^>]*name=")[^"]*(")', lambda m: m[1] + _escape(name) + m[2], data, count=1)
        if how == "text":
            return re.sub(rb"<t([^>]*)>[^<]*</t>", lambda m: b"<t" + m[1] + b">" + _escape(name) + b"</t>", data,
                          count=1 + int(other * 5))
        if how == "number":
            return re.sub(rb"<v>[-0-9.E+]+</v>", b"<v>" + number + b"</v>", data, count=1 + int(other * 3))
        if how == "ref":
            return re.sub(rb' (r|ref)="[^"]*"', lambda m: b" " + m[1] + b'="' + ref + b'"', data,
                          count=1 + int(other * 3))
        if not found:
            return data
        one, two = found[at(found, where)], found[at(found, other)]
        if how == "drop":
            return data[:one.start()] + data[one.end():]
        if how == "duplicate":
            return data[:one.end()] + one[0] + data[one.end():]
        if how == "swap" and one.start() < two.start() and one.end() <= two.start():
            return data[:one.start()] + two[0] + data[one.end():two.start()] + one[0] + data[two.end():]
        if how == "attribute":
            changed = re.sub(rb' ([a-zA-Z:]+)="[^"]*"', lambda m: b" " + m[1] + b'="' + number + b'"', one[0], count=1)
            return data[:one.start()] + changed + data[one.end():]
        return data

    def mutate(path: Path) -> None:
        data = path.read_bytes()
        if how in ("flip", "truncate", "insert") or not zipfile.is_zipfile(path):
            path.write_bytes(on_bytes(data))
            return
        try:
            members = _members(path)
        except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, RuntimeError):  # broken before
            path.write_bytes(on_bytes(data))
            return
        xml = sorted(n for n in members if n.endswith(".xml"))
        wanted = "xl/workbook.xml" if how == "sheet_name" else (
            "xl/sharedStrings.xml" if how == "text" and "xl/sharedStrings.xml" in members else None)
        part = wanted or next((n for n in xml if n.startswith("xl/worksheets/")), xml[0])
        if how in ("drop", "duplicate", "swap", "attribute") and pattern in ("string", "sheet"):
            part = "xl/sharedStrings.xml" if pattern == "string" and part in members else "xl/workbook.xml"
        part = part if part in members else xml[at(xml, part_choice)]
        members[part] = on_xml(members[part])
        _zip(path, members)
    return Mutation(mutate, f"{how} {pattern} at {where:.2f}/{other:.2f} with {number!r} {ref!r} {name!r}")


class Mutation:
    """A change to a workbook file, shown by what it does when Hypothesis reports an example."""

    def __init__(self, change, text: str) -> None:
        self.change, self.text = change, text

    def __call__(self, path: Path) -> None:
        self.change(path)

    def __repr__(self) -> str:
        return self.text


@pytest.fixture(scope="module")
def sources(april_landing, tmp_path_factory) -> list[Path]:
    """Three April 2021 sample workbooks (an .xls among them when the samples hold one); one night in
    this process first, so that each forked night starts with everything imported."""
    landing, _ = april_landing
    files = sorted(landing.glob("*.xls*"))
    xls = [p for p in files if p.suffix.lower() == ".xls"][:1]
    warm(tmp_path_factory.mktemp("warm"))
    return (xls + [p for p in files if p.suffix.lower() == ".xlsx"])[:3]


@pytest.fixture(scope="module")
def started() -> list[float]:
    return []


@settings(max_examples=25, deadline=None, derandomize=True, database=None, phases=(Phase.explicit, Phase.generate),
          suppress_health_check=list(HealthCheck))
@given(which=st.integers(0, 2), changes=st.lists(mutations(), min_size=1, max_size=3))
def test_a_mutated_sample_workbook_never_stops_the_night(which, changes, sources, started, tmp_path_factory):
    if not started:
        started.append(time.monotonic())
    if time.monotonic() - started[0] > BUDGET_S:
        return  # the budget is spent: later examples are not run (no assertion depends on time)
    root = tmp_path_factory.mktemp("mutated")
    landing = root / "landing"
    landing.mkdir()
    source = sources[which % len(sources)]
    target = landing / ("mutated" + source.suffix)
    shutil.copyfile(source, target)
    for change in changes:
        change(target)
    night = ingest(root, [str(landing)])
    assert_night_whole(night)
    recorded = night.rows("select count(*) from audit.submission where file_name = ?", target.name)[0][0]
    assert recorded > 0, ("the mutated file is not in the audit", [c.__doc__ for c in changes])
