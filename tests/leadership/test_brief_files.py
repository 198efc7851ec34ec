"""The brief of the sample night as of 31/5/2021, Hải Dương singled out (tests/leadership/conftest.py):
the PDF read back with pypdfium2 holds every sentence and footer line, its first page rendered to
PNG is not blank, the charts draw what the generator's truth and the warehouse's facts say, and the
HTML page fetches nothing."""

from __future__ import annotations

import base64
import io
import unicodedata
from datetime import date

import pypdfium2 as pdfium
import pytest
from matplotlib import dates as mdates
from PIL import Image

from tests.builders import HtmlPage, pdf_pages, query, words_of

pytestmark = pytest.mark.e2e


def _sentences(text: str) -> list[str]:
    return [s if s.endswith(".") else s + "." for s in text.split(". ") if s]


def test_the_pdf_holds_every_sentence_and_the_footer_on_every_page(brief_files):
    brief = brief_files.brief
    pages = pdf_pages(brief_files.pdf)
    assert 1 <= len(pages) <= 2
    text = words_of(" ".join(pages))
    assert brief.title in text and brief.subtitle in text
    missing = [s for p in brief.paragraphs for s in _sentences(p.text) if words_of(s) not in text]
    assert missing == []
    assert all(words_of(p.text) in text for p in brief.paragraphs)
    assert "Hải Dương đã cán đích sớm 47 ngày" in text  # the article's sentence, for the review conference
    for number, page in enumerate(pages, start=1):
        assert [line for line in brief.footer if words_of(line) not in words_of(page)] == []
        assert f"Trang {number}/{len(pages)}" in page
    assert unicodedata.is_normalized("NFC", text)


def test_the_first_page_rendered_is_not_blank(brief_files):
    document = pdfium.PdfDocument(brief_files.pdf)
    try:
        image = document[0].render(scale=1.5).to_pil().convert("RGB")
    finally:
        document.close()
    png = brief_files.pdf.with_suffix(".page1.png")
    image.save(png)
    print(f"first page of the brief: {png}")  # for a person to look at (pytest -s)
    assert image.size == (round(595.28 * 1.5), round(841.89 * 1.5))  # A4 at 1.5 x 72 dpi
    grey = image.convert("L")
    width, height = grey.size
    for top, bottom in ((0, height // 2), (height // 2, height)):  # ink in both halves: text, then charts
        histogram = grey.crop((0, top, width, bottom)).histogram()
        assert sum(histogram[:240]) / (width * (bottom - top)) > 0.03
    assert len(image.getcolors(maxcolors=1 << 20) or []) > 50  # text, grey captions, coloured chart lines


def _chart(brief_files, start: str):
    return next(c for c in brief_files.charts if c.title.startswith(start))


def test_the_id_card_chart_shows_hai_duong_against_the_truth(brief_files, sample_night):
    _, truth, _ = sample_night
    expected = truth["id_card"]["30"]  # what the generator wrote into Hải Dương's workbooks
    ax = _chart(brief_files, "Tiến độ").figure.axes[0]
    line = next(li for li in ax.get_lines() if li.get_label() == "Hải Dương")
    days = [mdates.date2num(d) for d in line.get_xdata()]
    reached = mdates.date2num(date.fromisoformat(expected["reached_date"]))
    assert line.get_ydata()[days.index(reached)] == expected["cumulative_at_reached"]
    assert expected["target"] in [li.get_ydata()[0] for li in ax.get_lines() if li.get_linestyle() == "--"]
    assert "đạt chỉ tiêu 14/5" in [t.get_text() for t in ax.texts]
    applied = query(brief_files.warehouse, """
        select sum(applications) from dw.fact_id_card_applications
        where province_code = '30' and admin_era = 'pre2025' and report_date <= date '2021-05-31'""")[0][0]
    assert line.get_ydata()[-1] == applied


def test_the_staffing_and_security_charts_against_the_facts(brief_files, sample_night):
    _, truth, _ = sample_night
    staffing = _chart(brief_files, "Cán bộ").figure.axes[0]
    assert len(staffing.patches) == truth["national"]["provinces"]
    average = [li.get_ydata()[0] for li in staffing.get_lines() if li.get_linestyle() == "--"]
    assert average == [pytest.approx(truth["national"]["officers"] / truth["national"]["communes"])]
    security = _chart(brief_files, "Tin").figure.axes[0]
    top = query(brief_files.warehouse, """
        select sum(tips_received) from dw.fact_security_activity
        where admin_era = 'pre2025' and period_start = date '2021-04-01'
        group by province_code order by 1 desc limit 15""")
    assert [b.get_width() for b in security.patches][::-1] == [row[0] for row in top]


def test_the_html_page_fetches_nothing_and_holds_the_brief(brief_files):
    text = brief_files.html.read_text(encoding="utf-8")
    page = HtmlPage(text)
    assert "http://" not in text and "https://" not in text
    assert [r for r in page.references if r[0] != "meta" and not r[2].startswith("data:image/png;base64,")] == []
    assert unicodedata.is_normalized("NFC", text)
    shown = words_of(" ".join(page.text))
    assert words_of(brief_files.brief.headline) in shown
    assert all(words_of(p.text) in shown for p in brief_files.brief.paragraphs)
    assert len(page.images) == len(brief_files.charts) == 3
    pngs = [base64.b64decode(str(image["src"]).split(",", 1)[1]) for image in page.images]
    assert [Image.open(io.BytesIO(png)).format for png in pngs] == ["PNG"] * 3
