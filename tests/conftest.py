"""Shared fixtures: one generated landing folder per test session (generation is deterministic)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl.config import Settings


@pytest.fixture(scope="session")
def sample_landing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The 63 April 2021 workbooks (seed 2021) and their truth file."""
    from etl.sample import generate_samples

    out = tmp_path_factory.mktemp("landing")
    generate_samples(out, seed=2021)
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    return out, truth


def make_settings(root: Path) -> Settings:
    var = root / "var"
    return Settings(warehouse=var / "warehouse.duckdb", landing=root / "landing",
                    published=var / "published" / "warehouse.duckdb", var=var)
