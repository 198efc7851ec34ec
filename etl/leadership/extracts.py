"""``cax extract``: the leadership's files as of a day, written from one read of the marts.

- ``TongHop_YYYY-MM-DD.xlsx``: the summary workbook, every exact figure (etl.leadership.workbook);
- ``BaoCao_YYYY-MM-DD.pdf``: the brief in Vietnamese, its sentences and charts (etl.leadership.pdf);
- ``BaoCao_YYYY-MM-DD.html``: the same brief as one self-contained page (etl.leadership.html).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from etl.leadership.brief import Brief, compose
from etl.leadership.figures import collect


@dataclass(frozen=True)
class Extracts:
    brief: Brief
    workbook: Path
    pdf: Path
    html: Path

    @property
    def paths(self) -> tuple[Path, Path, Path]:
        return self.workbook, self.pdf, self.html


def write_extracts(warehouse: Path, as_of: date, out: Path, basis: str = "as_reported",
                   provinces: tuple[str, ...] = ()) -> Extracts:
    """The three files for ``as_of`` in ``out``; province codes in ``provinces`` are singled out (a
    paragraph each in the brief, their lines in the ID-card chart). Raises UnknownProvince for a code the
    basis does not have."""
    from etl.leadership.charts import charts, close
    from etl.leadership.html import write_html
    from etl.leadership.pdf import write_pdf
    from etl.leadership.workbook import write_workbook

    figures = collect(warehouse, as_of, basis, provinces)
    brief = compose(figures)
    out.mkdir(parents=True, exist_ok=True)
    stem = as_of.isoformat()
    drawn = charts(figures)
    try:
        return Extracts(brief, write_workbook(figures, out / f"TongHop_{stem}.xlsx"),
                        write_pdf(brief, drawn, out / f"BaoCao_{stem}.pdf"),
                        write_html(brief, drawn, out / f"BaoCao_{stem}.html"))
    finally:
        close(drawn)
