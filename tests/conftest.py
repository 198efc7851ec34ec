"""Shared fixtures (the generated landing folders), and the rule that every test has one tier."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

TIERS = ("unit", "sql", "e2e", "airflow")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Refuse a test without exactly one tier marker: `make test-fast` would skip it silently."""
    wrong = [f"{item.nodeid}: {tiers or 'none'}" for item in items
             if len(tiers := [t for t in TIERS if item.get_closest_marker(t)]) != 1]
    if wrong:
        raise pytest.UsageError("every test needs exactly one tier marker (" + ", ".join(TIERS) + "); "
                                "give its module a pytestmark:\n  " + "\n  ".join(wrong))


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


@pytest.fixture(scope="session")
def sample_night(sample_landing, tmp_path_factory: pytest.TempPathFactory):
    """One night of every sample workbook, shared by the tests that read its warehouse: (settings,
    truth, result). Read it only: a test that writes copies ``settings.warehouse`` first."""
    from etl.pipeline import run_night
    from tests.builders import make_settings

    landing, truth = sample_landing
    settings = make_settings(tmp_path_factory.mktemp("night"))
    return settings, truth, run_night([landing], settings)


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse built as the product builds one, with no report in it (tests.builders.build_warehouse,
    4 s): for tests of what the schema itself holds. Read it only: copy it before writing."""
    from tests.builders import build_warehouse

    return build_warehouse(tmp_path_factory.mktemp("built") / "warehouse.duckdb")
