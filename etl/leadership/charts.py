"""The brief's charts (matplotlib, Agg, object API only): ID-card applications against the target,
officers per commune by province, security tips by province or by month.

Each chart is built from ``Figures`` alone and left out when its data is missing, never drawn
empty. Labels are Vietnamese, numbers in the Vietnamese format (44.977; 5,2), dates day/month, in
matplotlib's own DejaVu Sans (it ships with the package and carries every Vietnamese glyph, so
no system font is needed). pyplot is never imported: its global figure registry would keep every
chart alive; a ``Chart`` is released by ``close``.
"""

from __future__ import annotations

import io
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

import matplotlib
import pandas as pd
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from etl.leadership import words
from etl.leadership.brief import PROVINCES, UNITS
from etl.leadership.figures import Figures
from etl.report import vn_number

DPI = 160  # the PNG embedded in the PDF (sharp in print at 180 mm wide) and in the HTML page
WIDTH_IN, HEIGHT_IN = 7.2, 3.1
TOP_PROVINCES = 15  # provinces in the security chart
MONTHS_FOR_TREND = 3  # from this many months in the window, security is charted by month
LINE, TARGET, WARN, GREY = "#1f4e79", "#c0392b", "#e67e22", "#7f8c8d"


@dataclass(frozen=True, eq=False)
class Chart:
    title: str  # NFC, printed above the chart by the PDF and the HTML page (the figure has none)
    caption: str  # NFC: what is counted, when, and what is missing
    figure: Figure

    @cached_property
    def png(self) -> bytes:
        """The chart as PNG at ``DPI``, rendered once for both the PDF and the HTML page. No
        matplotlib version in its metadata, so the same figures give the same bytes."""
        buffer = io.BytesIO()
        with _style():
            self.figure.savefig(buffer, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
        return buffer.getvalue()

    @property
    def alt(self) -> str:
        return f"{self.title}. {self.caption}"

    def close(self) -> None:
        """Release the figure's artists (the PNG, once rendered, is kept)."""
        self.figure.clear()


def charts(figures: Figures) -> list[Chart]:
    """The charts ``figures`` has data for, in the brief's order: ID cards, staffing, security."""
    drawn = []
    for draw in (_id_cards, _staffing, _security):
        with _style():
            chart = draw(figures)
        if chart is not None:
            drawn.append(chart)
    return drawn


def close(drawn: list[Chart]) -> None:
    """Release every chart's figure once the PDF and the HTML page are written."""
    for chart in drawn:
        chart.close()


def vn_tick(value: float, _position: object = None) -> str:
    """An axis tick in the Vietnamese format, with no more decimals than it needs: 2.5 -> '2,5'."""
    decimals = next((d for d in (0, 1, 2) if abs(value - round(value, d)) < 1e-9), 2)
    return vn_number(round(value, decimals) + 0.0, decimals)


def day_tick(value: float, _position: object = None) -> str:
    """A date tick as day/month: 14/5."""
    return _day_month(mdates.num2date(value))


def _day_month(value: date | datetime) -> str:
    return f"{value.day}/{value.month}"


def short_name(name: str) -> str:
    """A province's name without its kind, for a crowded axis: 'Tỉnh Hải Dương' -> 'Hải Dương'."""
    for kind in ("Tỉnh ", "Thành phố "):
        if name.startswith(kind):
            return name[len(kind):]
    return name


def _style() -> AbstractContextManager:
    """The charts' settings, for as long as a chart is built or rendered (pyplot's rcParams are left
    alone): DejaVu Sans, small type, a light grid, no top or right spine."""
    return matplotlib.rc_context({
        "font.family": ["DejaVu Sans"], "font.size": 8, "axes.spines.top": False, "axes.spines.right": False,
        "axes.grid": True, "grid.color": "#dddddd", "grid.linewidth": 0.6, "axes.axisbelow": True,
        "legend.frameon": False})


def _figure() -> tuple[Figure, Axes]:
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), layout="constrained")
    FigureCanvasAgg(figure)
    return figure, figure.add_subplot()


def _count_axis(axis: Axis, peak: float, unit: str) -> str:
    """Format a count axis, in millions from two million ('2,5' and 'triệu hồ sơ'); returns its label."""
    scale, label = (1_000_000, f"triệu {unit}") if peak >= 2_000_000 else (1, unit)
    axis.set_major_formatter(FuncFormatter(lambda value, _: vn_tick(value / scale)))
    axis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10], integer=scale == 1))
    return label


def _id_cards(f: Figures) -> Chart | None:
    """Cumulative applications by day against the target: the provinces singled out, each against
    its own target, else nationwide; the x axis runs to the deadline, so the time left shows."""
    campaign, daily = f.campaign, f.id_cards_daily
    if campaign is None or daily.empty:
        return None
    figure, ax = _figure()
    named = [code for code in f.singled_out if code in set(daily.province_code)]
    if named:
        peak = _province_lines(ax, f, named)
        names = [str(daily[daily.province_code == code].province_name.iloc[0]) for code in named]
        title = "Tiến độ thu nhận hồ sơ CCCD gắn chip: " + ", ".join(short_name(n) for n in names)
        who = words.listing([words.province(n) for n in names])
        caption = (f"Lũy kế hồ sơ đề nghị cấp thẻ CCCD gắn chip của {who} theo ngày, đến ngày "
                   f"{words.day(campaign.last_report_date)}; đường nét đứt: chỉ tiêu Bộ Công an giao đến ngày "
                   f"{words.day(campaign.target_deadline)}; chấm tròn: ngày đạt chỉ tiêu.")
    else:
        nationwide = daily.groupby("report_date", sort=True).applications.sum().cumsum()
        days = pd.to_datetime(pd.Series(nationwide.index))
        ax.plot(days, nationwide.to_numpy(), color=LINE, lw=2, label="Lũy kế cả nước")
        ax.fill_between(days, nationwide.to_numpy(), color=LINE, alpha=0.08)
        ax.axhline(campaign.target, color=TARGET, lw=1.2, ls="--", label="Chỉ tiêu")
        peak = float(max(campaign.target, int(nationwide.iloc[-1])))
        title = "Tiến độ thu nhận hồ sơ CCCD gắn chip cả nước"
        caption = (f"Lũy kế hồ sơ đề nghị cấp thẻ CCCD gắn chip cả nước theo ngày, từ ngày "
                   f"{words.day(campaign.first_report_date)} đến ngày {words.day(campaign.last_report_date)}, so "
                   f"với chỉ tiêu {words.exact(campaign.target)} hồ sơ Bộ Công an giao đến ngày "
                   f"{words.day(campaign.target_deadline)} (đường nét đứt).")
    if campaign.lagging:
        caption += (f" Số liệu chưa đầy đủ: {len(campaign.lagging)}/{campaign.provinces_expected} {PROVINCES} "
                    f"chưa báo cáo đủ các ngày đến ngày {words.day(campaign.last_report_date)}.")
    deadline = pd.Timestamp(campaign.target_deadline)
    ax.axvline(deadline, color=GREY, lw=1, ls=":")
    ax.annotate(f"hạn {_day_month(campaign.target_deadline)}", (deadline, 0), textcoords="offset points",
                xytext=(-3, 3), ha="right", color=GREY, fontsize=7.5)
    ax.legend(loc="lower right", bbox_to_anchor=(0.97, 0.1), fontsize=7.5)
    ax.set_xlim(pd.Timestamp(campaign.first_report_date), deadline + pd.Timedelta(days=1))
    ax.set_ylim(0, peak * 1.08)
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=5, maxticks=10))
    ax.xaxis.set_major_formatter(FuncFormatter(day_tick))
    ax.set_ylabel(_count_axis(ax.yaxis, peak, "hồ sơ"))
    return Chart(words.nfc(title), words.nfc(caption), figure)


def _province_lines(ax: Axes, f: Figures, codes: list[str]) -> float:
    """Each province's cumulative count, its target dashed in the same colour and a dot on the day
    it reached it; returns the highest value drawn."""
    reached_on = f.id_cards_by_province.set_index("province_code").target_reached_date
    peak = 0.0
    palette = matplotlib.colormaps["tab10"]
    for index, code in enumerate(codes):
        colour = palette(index % palette.N)
        rows = f.id_cards_daily[f.id_cards_daily.province_code == code]
        days, counts = pd.to_datetime(rows.report_date), rows.cumulative_applications
        target = int(rows.target.iloc[-1])
        ax.plot(days, counts, color=colour, lw=1.8, label=short_name(str(rows.province_name.iloc[0])))
        ax.axhline(target, color=colour, lw=1, ls="--")
        reached = reached_on.get(code)
        on_day = counts[days == pd.Timestamp(reached)] if reached is not None and not pd.isna(reached) else counts[:0]
        if not on_day.empty:
            point = (pd.Timestamp(reached), int(on_day.iloc[0]))
            ax.plot(*point, "o", color=colour, ms=5)
            ax.annotate(f"đạt chỉ tiêu {_day_month(reached)}", point, textcoords="offset points", xytext=(-6, 8),
                        ha="right", color=colour, fontsize=7.5)
        peak = max(peak, target, float(counts.max()))
    return peak


def _staffing(f: Figures) -> Chart | None:
    """Officers per commune in each province, sorted, the national average as a line; provinces
    below 100% coverage in another colour."""
    rows, national = f.staffing_by_province, f.staffing
    if rows.empty or national is None:
        return None
    rows = rows.sort_values(["officers_per_commune", "province_name"], ascending=[False, True])
    units = UNITS[str(national["admin_era"])]
    figure, ax = _figure()
    below = rows.coverage_pct < 100
    positions = list(range(len(rows)))  # positions, not names, on the axis: two names alike stay two bars
    ax.bar(positions, rows.officers_per_commune, color=[WARN if b else LINE for b in below], width=0.75)
    ax.set_xticks(positions, [short_name(n) for n in rows.province_name])
    average = float(national["officers_per_commune"])
    ax.axhline(average, color=TARGET, lw=1.1, ls="--")
    ax.annotate(f"bình quân cả nước: {words.ratio(average)}", (len(rows) - 0.5, average), textcoords="offset points",
                xytext=(0, 3), ha="right", color=TARGET, fontsize=7.5)
    ax.tick_params(axis="x", labelrotation=90, labelsize=5.5 if len(rows) > 40 else 7, length=0)
    ax.set_xlim(-0.6, len(rows) - 0.4)
    ax.grid(axis="x", visible=False)
    ax.yaxis.set_major_formatter(FuncFormatter(vn_tick))
    ax.set_ylabel(f"cán bộ / {units.split(',')[0]}")
    caption = (f"Số cán bộ Công an chính quy bình quân mỗi {units} của từng {PROVINCES}, theo báo cáo "
               f"{words.month(national['period_start'])} (ngày {words.day(national['as_of_date'])}); đường nét "
               f"đứt: bình quân cả nước ({words.ratio(average)}).")
    if below.any():
        caption += (f" Cột màu cam: {int(below.sum())} {PROVINCES} có tỷ lệ {units} có Công an chính quy dưới 100%.")
    if f.staffing_missing:
        caption += (f" Số liệu chưa đầy đủ: chưa có báo cáo của "
                    f"{words.listing([words.province(n) for n in f.staffing_missing])}.")
    return Chart(words.nfc("Cán bộ Công an chính quy bình quân mỗi xã, theo tỉnh"), words.nfc(caption), figure)


def _security(f: Figures) -> Chart | None:
    """Security tips received: by month when the window holds several, else the provinces with the most."""
    window = f.security
    if window.first is None or window.last is None or f.security_by_province.empty:
        return None
    span = words.months(window.first, window.last)
    figure, ax = _figure()
    if len(f.security_by_month) >= MONTHS_FOR_TREND:
        months = f.security_by_month
        labels = [f"{pd.Timestamp(m).month}/{pd.Timestamp(m).year}" for m in months.period_start]
        positions = list(range(len(labels)))
        ax.bar([p - 0.2 for p in positions], months.tips_received, width=0.4, color=LINE,
               label="Tin về ANTT")
        ax.bar([p + 0.2 for p in positions], months.crime_reports, width=0.4, color=WARN,
               label="Tin báo, tố giác tội phạm")
        ax.set_xticks(positions, labels)
        ax.grid(axis="x", visible=False)
        ax.legend(loc="upper left", fontsize=7.5)
        ax.set_ylabel(_count_axis(ax.yaxis, float(months.tips_received.max()), "tin"))
        title = "Tin về an ninh, trật tự lực lượng Công an xã tiếp nhận, theo tháng"
        caption = (f"Số tin về an ninh, trật tự (ANTT), trong đó tin báo, tố giác tội phạm, lực lượng Công an xã "
                   f"cả nước tiếp nhận mỗi tháng, {span}.")
    else:
        top = (f.security_by_province.sort_values(["tips_received", "province_name"], ascending=[False, True])
               .head(TOP_PROVINCES).iloc[::-1])
        positions = list(range(len(top)))
        ax.barh(positions, top.tips_received, color=LINE, height=0.7)
        ax.set_yticks(positions, [short_name(n) for n in top.province_name])
        for position, value in enumerate(top.tips_received):
            ax.annotate(vn_number(int(value)), (value, position), textcoords="offset points", xytext=(3, 0),
                        va="center", fontsize=7)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(_count_axis(ax.xaxis, float(top.tips_received.max()), "tin"))
        ax.set_xlim(0, float(top.tips_received.max()) * 1.12)
        total = int(f.security_by_month.tips_received.sum())
        title = f"Tin về an ninh, trật tự lực lượng Công an xã tiếp nhận: {len(top)} {PROVINCES} nhiều nhất"
        caption = (f"Số tin về an ninh, trật tự (ANTT) lực lượng Công an xã tiếp nhận, {span}: {len(top)} trong "
                   f"{len(f.security_by_province)} {PROVINCES} có nhiều tin nhất; cả nước: "
                   f"{words.exact(total)} tin.")
    if window.partial:
        missing = sorted({n for gap in window.gaps for n in gap.provinces})
        caption += (f" Số liệu chưa đầy đủ: thiếu báo cáo của "
                    f"{words.listing([words.province(n) for n in missing])}.")
    return Chart(words.nfc(title), words.nfc(caption), figure)

