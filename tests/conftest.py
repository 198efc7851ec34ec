"""Shared fixtures: one generated landing folder per test session (generation is deterministic)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl.config import Settings


def _generate(tmp_path_factory: pytest.TempPathFactory, kinds: tuple[str, ...]) -> tuple[Path, dict]:
    from samples import generate_samples

    out = tmp_path_factory.mktemp("landing")
    generate_samples(out, seed=2021, kinds=kinds)
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    return out, truth


@pytest.fixture(scope="session")
def sample_landing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """Every sample workbook (seed 2021): April 2021 monthly, daily ID cards, October 2026 monthly."""
    from samples import ALL_KINDS

    return _generate(tmp_path_factory, ALL_KINDS)


@pytest.fixture(scope="session")
def april_landing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The 63 April 2021 monthly workbooks alone (seed 2021), for tests that need a small night."""
    return _generate(tmp_path_factory, ("monthly_2021",))


def make_settings(root: Path) -> Settings:
    var = root / "var"
    return Settings(warehouse=var / "warehouse.duckdb", landing=root / "landing",
                    published=var / "published" / "warehouse.duckdb", var=var)


def query_frame(warehouse: Path, sql: str):
    """Rows of a query on a warehouse file, as Python objects (datetime.date, None), not pandas types."""
    import duckdb
    import pandas as pd

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        result = con.execute(sql)
        return pd.DataFrame(result.fetchall(), columns=[d[0] for d in result.description], dtype=object)
    finally:
        con.close()
