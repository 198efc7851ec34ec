"""The README's folder table is the tree: every path it lists exists, and every module of the
product and of the sample generator, every folder of SQL and every test folder is listed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[1]


def _listed() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"^## Folders\n.*?^```\n(.*?)^```", text, re.S | re.M)
    assert block, "README.md has no '## Folders' section with a code block"
    return [line.split()[0] for line in block.group(1).splitlines() if line and not line[0].isspace()]


def test_every_listed_path_exists():
    missing = [p for p in _listed() if not (REPO / p).exists()]
    assert not missing, f"README lists paths that do not exist: {missing}"


def test_every_module_and_folder_is_listed():
    listed = set(_listed())
    expected = {str(p.relative_to(REPO)) for package in ("etl", "samples") for p in (REPO / package).rglob("*.py")
                if p.name != "__init__.py"}
    expected |= {f"{p.relative_to(REPO)}/" for root in ("warehouse", "tests") for p in (REPO / root).iterdir()
                 if p.is_dir() and p.name != "__pycache__"}
    expected |= {str(p.relative_to(REPO)) for p in (REPO / "tests").glob("*.py") if p.name != "__init__.py"}
    expected |= {"dags/cax_nightly.py", "dags/README.md", "expectations/", "docs/", "bench/run.py",
                 "bench/fingerprint.py"}
    assert sorted(expected - listed) == [], "README's folder table misses these"
