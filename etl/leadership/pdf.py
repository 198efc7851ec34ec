"""The brief as an A4 PDF of one or two pages (fpdf2): title, the paragraphs, the charts, and on
every page the footer (as-of date, boundaries, completeness) with the page number.

The font is matplotlib's own DejaVu Sans (regular and bold), embedded: it carries every Vietnamese
glyph and comes with a Python package, so no system font is needed. Every text is NFC. The file's
creation date is the brief's as-of day, so the same brief and charts give the same bytes.
"""

from __future__ import annotations

import io
import os
from datetime import datetime, time
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

from etl.clock import VIETNAM
from etl.leadership.brief import Brief, Paragraph
from etl.leadership.charts import HEIGHT_IN, WIDTH_IN, Chart
from etl.leadership.words import nfc

FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = "DejaVu"
PARTIAL = "Số liệu chưa đầy đủ"  # the mark of a paragraph some province's figures are missing from
MAX_PAGES = 2
CHART_WIDTHS_MM = (180, 160, 140, 120)  # narrower charts, until the brief fits on MAX_PAGES pages
MARGIN_MM = 15
FOOTER_GAP_MM = 8  # below the footer
INK, MUTED, WARN = (25, 25, 25), (95, 95, 95), (192, 90, 0)


class _BriefPDF(FPDF):
    """FPDF whose footer is the brief's footer lines and 'Trang n/N' on every page; opens on its first page."""

    def __init__(self, footer: tuple[str, ...]) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.add_font(FONT, "", FONTS / "DejaVuSans.ttf")
        self.add_font(FONT, "B", FONTS / "DejaVuSans-Bold.ttf")
        self.set_margins(MARGIN_MM, MARGIN_MM - 3, MARGIN_MM)
        self.footer_lines = tuple(nfc(line) for line in footer)
        self.footer_height = 0.0
        self.alias_nb_pages()
        self.add_page()
        # The footer's lines are measured on the first page (fpdf2 measures text on a page), before any
        # content: the page break leaves room for them.
        self.set_font(FONT, size=7)
        lines = sum(self.line_count(line, 3.2) for line in self.footer_lines)
        self.footer_height = 3 + 3.2 * (lines + 1)
        self.set_auto_page_break(True, margin=self.footer_height + FOOTER_GAP_MM + 3)

    def line_count(self, text: str, height: float) -> int:
        """How many lines ``text`` takes in the current font across the page."""
        lines = self.multi_cell(0, height, text, dry_run=True, output=MethodReturnValue.LINES)
        assert isinstance(lines, list)
        return len(lines)

    def footer(self) -> None:
        self.set_y(-self.footer_height - FOOTER_GAP_MM)
        self.set_draw_color(*MUTED)
        self.set_line_width(0.2)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(1.5)
        self.set_font(FONT, size=7)
        self.set_text_color(*MUTED)
        for line in self.footer_lines:
            self.multi_cell(0, 3.2, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.cell(0, 3.2, f"Trang {self.page_no()}/{self.str_alias_nb_pages}", align="R")


def write_pdf(brief: Brief, charts: list[Chart], path: Path) -> Path:
    """Write the brief and its charts to ``path`` (written beside it, then renamed over it), charts
    narrowed as needed to keep it to two pages (text longer than two pages runs on to a third)."""
    for width in CHART_WIDTHS_MM:
        pdf = _layout(brief, charts, width)
        if pdf.page <= MAX_PAGES:
            break
    return write_atomically(path, bytes(pdf.output()))


def write_atomically(path: Path, data: bytes) -> Path:
    """Write ``data`` beside ``path`` and rename it over ``path``: a reader (or a mail client picking
    the file up) sees the previous file or this one, never part of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def _layout(brief: Brief, charts: list[Chart], chart_width: float) -> _BriefPDF:
    pdf = _BriefPDF(brief.footer)
    pdf.set_title(nfc(brief.title))
    pdf.set_subject(nfc(brief.subtitle))
    pdf.set_author("cax")
    pdf.set_creator("cax extract")
    pdf.set_lang("vi")
    pdf.set_creation_date(datetime.combine(brief.as_of, time(), tzinfo=VIETNAM))
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, "B", 15)
    pdf.multi_cell(0, 7, nfc(brief.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=10)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(0, 5, nfc(brief.subtitle), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    for paragraph in brief.paragraphs:
        _paragraph(pdf, paragraph)
    for chart in charts:
        _chart(pdf, chart, chart_width)
    return pdf


def _paragraph(pdf: _BriefPDF, paragraph: Paragraph) -> None:
    """A heading and its text; a partial one with the mark after its heading and a bar in the margin."""
    if pdf.get_y() + 5.6 + 2 * 4.6 > pdf.page_break_trigger:  # never a heading alone at the foot of a page
        pdf.add_page()
    top, page = pdf.get_y(), pdf.page
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, "B", 10.5)
    pdf.write(5.2, nfc(paragraph.heading))
    if paragraph.partial:
        pdf.set_text_color(*WARN)
        pdf.set_font(FONT, "B", 8)
        pdf.write(5.2, f"  ({PARTIAL})")
    pdf.ln(5.6)
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, size=9.5)
    pdf.multi_cell(0, 4.6, nfc(paragraph.text), align="J", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if paragraph.partial and pdf.page == page:  # the bar only when the paragraph did not cross a page
        pdf.set_fill_color(*WARN)
        pdf.rect(pdf.l_margin - 3.5, top + 0.8, 1.2, pdf.get_y() - top - 0.8, style="F")
    pdf.ln(2.2)


def _chart(pdf: _BriefPDF, chart: Chart, width: float) -> None:
    """A chart with its title above and its caption below, kept together on one page."""
    height = width * HEIGHT_IN / WIDTH_IN
    pdf.set_font(FONT, size=8)
    caption = pdf.line_count(nfc(chart.caption), 3.6)
    if pdf.get_y() + 6 + height + 3.6 * caption > pdf.page_break_trigger:
        pdf.add_page()
    pdf.ln(1)
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, "B", 9.5)
    pdf.multi_cell(0, 5, nfc(chart.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.image(io.BytesIO(chart.png), x=pdf.l_margin + (pdf.epw - width) / 2, w=width, h=height,
              alt_text=nfc(chart.alt))
    pdf.set_font(FONT, size=8)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(0, 3.6, nfc(chart.caption), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
