"""What the tests of tests/leadership share: the charts of the hand-made figures (unit), and the brief
of the sample night as of 31/5/2021 (the Ministry's review conference), Hải Dương singled out,
written once as PDF and HTML (e2e)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

REVIEW_DAY = date(2021, 5, 31)


@pytest.fixture(scope="session")
def drawn():
    """The three charts of tests/builders.brief_figures, Hải Dương singled out; read them, never change them."""
    from etl.leadership.charts import charts
    from tests.builders import brief_figures

    made = charts(brief_figures(singled_out=("30",)))
    yield made
    for chart in made:
        chart.close()


@dataclass(frozen=True)
class BriefFiles:
    warehouse: Path
    figures: object  # etl.leadership.figures.Figures
    brief: object  # etl.leadership.brief.Brief
    charts: list
    pdf: Path
    html: Path


@pytest.fixture(scope="session")
def brief_files(sample_night, tmp_path_factory: pytest.TempPathFactory) -> BriefFiles:
    from etl.leadership.brief import compose
    from etl.leadership.charts import charts
    from etl.leadership.figures import collect
    from etl.leadership.html import write_html
    from etl.leadership.pdf import write_pdf

    settings, _, _ = sample_night
    figures = collect(settings.warehouse, REVIEW_DAY, provinces=("30",))
    brief, drawn = compose(figures), charts(figures)
    out = tmp_path_factory.mktemp("brief")
    return BriefFiles(settings.warehouse, figures, brief, drawn, write_pdf(brief, drawn, out / "BaoCao_2021-05-31.pdf"),
                      write_html(brief, drawn, out / "BaoCao_2021-05-31.html"))
