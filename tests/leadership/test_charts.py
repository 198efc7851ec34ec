"""The brief's charts on small figures checked by hand (tests/builders.brief_figures): what each draws,
in the Vietnamese number and date format and in a font that holds every glyph, and that a chart
without data is left out rather than drawn empty."""

from __future__ import annotations

import io
import unicodedata
import warnings
from datetime import date

import matplotlib
import pandas as pd
import pytest
from fontTools.ttLib import TTFont
from matplotlib import dates as mdates
from PIL import Image

from etl.leadership import charts as charts_module
from etl.leadership.charts import DPI, HEIGHT_IN, WIDTH_IN, Chart, charts, day_tick, vn_tick
from etl.leadership.figures import Window
from tests.builders import brief_figures

pytestmark = pytest.mark.unit


def _texts(chart: Chart) -> list[str]:
    """Every text the chart's figure shows: tick labels, axis labels, legend, annotations."""
    chart.figure.canvas.draw()
    found = []
    for ax in chart.figure.axes:
        found += [t.get_text() for t in (*ax.get_xticklabels(), *ax.get_yticklabels(), ax.xaxis.label,
                                         ax.yaxis.label, *ax.texts)]
        legend = ax.get_legend()
        if legend is not None:
            found += [t.get_text() for t in legend.get_texts()]
    return [t for t in found if t]


def _by_title(drawn: list[Chart], start: str) -> Chart:
    return next(c for c in drawn if c.title.startswith(start))


@pytest.mark.parametrize(("value", "text"), [(0, "0"), (-0.0, "0"), (44977, "44.977"), (5.2, "5,2"), (2.5, "2,5"),
                                             (1_000_000, "1.000.000"), (0.25, "0,25")])
def test_ticks_are_in_the_vietnamese_number_format(value, text):
    assert vn_tick(value) == text


def test_date_ticks_are_day_and_month():
    assert day_tick(mdates.date2num(date(2021, 5, 14))) == "14/5"
    assert day_tick(mdates.date2num(date(2021, 12, 1))) == "1/12"


def test_three_charts_from_full_figures_as_png_of_the_stated_size():
    drawn = charts(brief_figures())
    assert [c.title.split(" ")[0] for c in drawn] == ["Tiến", "Cán", "Tin"]  # ID cards, staffing, security
    for chart in drawn:
        image = Image.open(io.BytesIO(chart.png))
        assert image.format == "PNG"
        assert image.size == (round(WIDTH_IN * DPI), round(HEIGHT_IN * DPI))
        assert chart.figure.canvas.manager is None  # not pyplot's: nothing keeps it alive but the Chart
        assert unicodedata.is_normalized("NFC", chart.title) and unicodedata.is_normalized("NFC", chart.caption)
        chart.close()


def test_the_nationwide_id_card_line_adds_up_the_provinces_against_the_target():
    chart = _by_title(charts(brief_figures()), "Tiến độ")
    ax = chart.figure.axes[0]
    line = next(li for li in ax.get_lines() if li.get_label() == "Lũy kế cả nước")
    # 200+40+100, then each day's applications added: by hand from tests/builders.brief_figures.
    assert list(line.get_ydata()) == [340, 720, 1030, 1345]
    targets = [li for li in ax.get_lines() if li.get_label() == "Chỉ tiêu"]
    assert [li.get_ydata()[0] for li in targets] == [1500]
    assert "1.500 hồ sơ" in chart.caption and "10/4/2021" in chart.caption
    assert "hạn 10/4" in _texts(chart)


def test_provinces_singled_out_each_against_its_own_target_with_the_day_reached():
    chart = _by_title(charts(brief_figures(singled_out=("30", "01"))), "Tiến độ")
    ax = chart.figure.axes[0]
    lines = {li.get_label(): list(li.get_ydata()) for li in ax.get_lines() if not li.get_label().startswith("_")}
    assert lines == {"Hải Dương": [100, 220, 310, 360], "Hà Nội": [200, 410, 600, 820]}
    dashed = sorted(li.get_ydata()[0] for li in ax.get_lines() if li.get_linestyle() == "--")
    assert dashed == [300, 1000]
    texts = _texts(chart)
    assert "đạt chỉ tiêu 3/4" in texts  # Hải Dương: 310 >= 300 on 3/4; Hà Nội never
    assert sum(t.startswith("đạt chỉ tiêu") for t in texts) == 1
    assert {"0", "200", "1.000"} <= set(texts)  # the count axis, up to Hà Nội's 1.000
    assert chart.title.endswith("Hải Dương, Hà Nội")
    assert "tỉnh Hải Dương và thành phố Hà Nội" in chart.caption


def test_staffing_bars_sorted_with_coverage_gaps_in_another_colour():
    chart = _by_title(charts(brief_figures()), "Cán bộ")
    ax = chart.figure.axes[0]
    bars = ax.patches
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Cao Bằng", "Hà Nội", "Hải Dương"]
    assert [round(b.get_height(), 6) for b in bars] == [7.0, 5.5, 5.0]  # 840/120, 2200/400, 940/188
    colours = [matplotlib.colors.to_hex(b.get_facecolor()) for b in bars]
    assert colours[0] != colours[1] == colours[2]  # Cao Bằng: 120 of 150 communes
    assert "5,6" in chart.caption  # 3980 / 708 = 5.62, the national line
    assert "Cột màu cam: 1 tỉnh" in chart.caption


def test_staffing_caption_names_the_provinces_that_did_not_report():
    chart = _by_title(charts(brief_figures(staffing_missing=("Tỉnh Đắk Lắk",))), "Cán bộ")
    assert chart.caption.endswith("Số liệu chưa đầy đủ: chưa có báo cáo của tỉnh Đắk Lắk.")


def test_security_shows_the_provinces_with_the_most_tips(monkeypatch):
    monkeypatch.setattr(charts_module, "TOP_PROVINCES", 2)
    chart = _by_title(charts(brief_figures()), "Tin")
    ax = chart.figure.axes[0]
    # barh draws bottom-up: the most tips at the top, last.
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Hải Dương", "Hà Nội"]
    assert [b.get_width() for b in ax.patches] == [572, 1331]
    assert {"1.331", "572"} <= set(_texts(chart))
    assert "2 trong 3 tỉnh" in chart.caption and "cả nước: 2.394 tin" in chart.caption


def test_security_by_month_when_the_window_holds_several_months():
    months = [date(2021, 1, 1), date(2021, 2, 1), date(2021, 3, 1)]
    figures = brief_figures(
        security=Window("02", "pre2025", months[0], months[-1], 3),
        security_by_month=pd.DataFrame({"period_start": months, "tips_received": [12_000, 15_500, 2_100_000],
                                        "crime_reports": [1000, 1200, 1400]}))
    chart = _by_title(charts(figures), "Tin")
    texts = _texts(chart)
    assert [t.get_text() for t in chart.figure.axes[0].get_xticklabels()] == ["1/2021", "2/2021", "3/2021"]
    assert "triệu tin" in texts  # 2,1 million: the axis counts in millions
    assert "từ tháng 1/2021 đến tháng 3/2021" in chart.caption


def test_the_security_caption_says_which_provinces_are_missing():
    from etl.leadership.figures import Gap

    april = date(2021, 4, 1)
    window = Window("02", "pre2025", april, april, 3, (Gap(april, "02", ("Tỉnh Cao Bằng",)),))
    chart = _by_title(charts(brief_figures(security=window)), "Tin")
    assert chart.caption.endswith("Số liệu chưa đầy đủ: thiếu báo cáo của tỉnh Cao Bằng.")


def test_a_chart_without_data_is_left_out():
    empty = pd.DataFrame()
    assert [c.title.split(" ")[0] for c in charts(brief_figures(campaign=None))] == ["Cán", "Tin"]
    assert [c.title.split(" ")[0] for c in charts(brief_figures(staffing=None, staffing_by_province=empty))] \
        == ["Tiến", "Tin"]
    assert [c.title.split(" ")[0] for c in charts(brief_figures(security=Window("02")))] == ["Tiến", "Cán"]
    assert charts(brief_figures(campaign=None, id_cards_daily=empty, staffing=None, staffing_by_province=empty,
                                security=Window("02"), security_by_province=empty)) == []


def test_every_character_is_in_the_embedded_font_and_rendering_warns_of_no_missing_glyph():
    font = TTFont(matplotlib.get_data_path() + "/fonts/ttf/DejaVuSans.ttf")
    covered = set(font.getBestCmap())
    drawn = charts(brief_figures(singled_out=("30",), staffing_missing=("Tỉnh Đắk Lắk",)))
    for chart in drawn:
        text = "".join([chart.title, chart.caption, *_texts(chart)])
        assert {c for c in text if ord(c) not in covered} == set()
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)"
            Chart(chart.title, chart.caption, chart.figure).png  # noqa: B018 (a fresh render)


def test_the_same_figures_give_the_same_png():
    first, second = charts(brief_figures()), charts(brief_figures())
    assert [c.png for c in first] == [c.png for c in second]
