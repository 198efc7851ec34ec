"""The leadership brief's words: headline sentences computed from ``Figures``, in the style of the
Ministry's own reports (reference: docs/sources.md), with the as-of date, the boundaries, the unit
list and how complete the figures are.

A figure that adds up every expected province is written in the rounding words ("hơn 44.000"); a
figure some province is missing from says so and is written exactly, never rounded over the gap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from etl.leadership import words
from etl.leadership.figures import REPORTED, Figures, Window
from etl.leadership.words import nfc


@dataclass(frozen=True)
class Paragraph:
    topic: str  # staffing, id_cards, id_cards:<province code>, security, commendations
    heading: str
    text: str  # one or more sentences, NFC
    partial: bool = False  # a province the figures add up did not report


@dataclass(frozen=True)
class Brief:
    as_of: date
    title: str
    subtitle: str
    paragraphs: tuple[Paragraph, ...]
    footer: tuple[str, ...]  # as-of date, boundaries and unit list, completeness ("63/63 tỉnh đã báo cáo")

    @property
    def headline(self) -> str:
        """The first sentence of the first paragraph (the staffing sentence when there is one)."""
        return self.paragraphs[0].text.split(". ")[0].rstrip(".") + "." if self.paragraphs else self.subtitle


# What the staffing indicators count, in the words of each era (docs/indicators.md, "Scope").
UNITS = {"pre2025": "xã, thị trấn", "2025": "xã, phường, đặc khu"}
PROVINCES = "tỉnh, thành phố"


def compose(figures: Figures) -> Brief:
    """The brief of ``figures``: staffing, ID cards, each province singled out, security, commendations."""
    paragraphs = [_staffing(figures), _id_cards(figures)]
    paragraphs += [_province(figures, code) for code in figures.singled_out]
    paragraphs += [_security(figures), _commendations(figures)]
    return Brief(as_of=figures.as_of, title=nfc("Báo cáo nhanh: Công an xã chính quy"),
                 subtitle=nfc(f"Số liệu tính đến ngày {words.day(figures.as_of)}"),
                 paragraphs=tuple(Paragraph(p.topic, nfc(p.heading), nfc(p.text), p.partial) for p in paragraphs),
                 footer=tuple(nfc(line) for line in _footer(figures)))


def _staffing(f: Figures) -> Paragraph:
    s = f.staffing
    if s is None:
        return Paragraph("staffing", "Bố trí Công an chính quy",
                         f"Chưa có báo cáo bố trí Công an chính quy {_of_era(f)} đến ngày {words.day(f.as_of)}.")
    units = UNITS[str(s["admin_era"])]
    reporting, expected = int(s["provinces_reporting"]), int(s["provinces_expected"])
    staffed, in_scope = int(s["communes_staffed"]), int(s["communes_in_scope"])
    coverage = f"đạt {words.percent(float(s['coverage_pct']))}%"
    per_commune = (f"trung bình mỗi {units} bố trí {words.ratio(float(s['officers_per_commune']))} cán bộ "
                   "Công an chính quy")
    if reporting == expected:
        gap = "" if staffed == in_scope else f" ({words.exact(staffed)}/{words.exact(in_scope)} {units})"
        return Paragraph("staffing", "Bố trí Công an chính quy", (
            f"Tính đến ngày {words.day(s['as_of_date'])}, Công an {expected} {PROVINCES} trực thuộc trung ương đã "
            f"bố trí {words.about(int(s['officers']))} cán bộ Công an chính quy đảm nhiệm các chức danh Công an xã "
            f"tại {words.about(staffed)} Công an {units}, {coverage}{gap}, {per_commune}."))
    return Paragraph("staffing", "Bố trí Công an chính quy", (
        f"Tính đến ngày {words.day(s['as_of_date'])}, {reporting}/{expected} {PROVINCES} đã báo cáo bố trí Công an "
        f"chính quy {words.month(s['period_start'])}; chưa có báo cáo của "
        f"{words.listing([words.province(n) for n in f.staffing_missing])}, "
        "nên số liệu toàn quốc chưa đầy đủ. "
        f"Công an {reporting} {PROVINCES} đã báo cáo bố trí {words.exact(int(s['officers']))} cán bộ Công an chính "
        f"quy tại {words.exact(staffed)}/{words.exact(in_scope)} Công an {units} thuộc phạm vi của các tỉnh này, "
        f"{coverage}, {per_commune}."), partial=True)


def _of_era(f: Figures) -> str:
    """'của 63 tỉnh, thành phố' before 1/7/2025, 'của 34 tỉnh, thành phố (từ 1/7/2025)' after."""
    return f"của {len(f.era_provinces)} {PROVINCES}" + (" (từ 1/7/2025)" if f.admin_era == "2025" else "")


def _reached(f: Figures) -> pd.DataFrame:
    by_province = f.id_cards_by_province
    return by_province[by_province.target_reached_date.notna()] if not by_province.empty else by_province


def _id_cards(f: Figures) -> Paragraph:
    c = f.campaign
    if c is None:
        return Paragraph("id_cards", "Thu nhận hồ sơ cấp thẻ Căn cước công dân gắn chip",
                         f"Chưa có đợt thu nhận hồ sơ cấp thẻ CCCD gắn chip nào {_of_era(f)} đến ngày "
                         f"{words.day(f.as_of)}.")
    provinces = len(f.id_cards_by_province) if not f.id_cards_by_province.empty else 0
    heading = "Thu nhận hồ sơ cấp thẻ Căn cước công dân gắn chip"
    pct = words.percent(100.0 * c.cumulative_applications / c.target) if c.target else "–"
    lagging = [name for name, _ in c.lagging]
    figure = words.exact if lagging else words.about
    text = (f"Tính đến ngày {words.day(c.last_report_date)}, Công an các {PROVINCES} đã tiếp nhận "
            f"{figure(c.cumulative_applications)} hồ sơ đề nghị cấp thẻ căn cước công dân (CCCD) gắn chip, đạt "
            f"{pct}% chỉ tiêu {words.exact(c.target)} hồ sơ Bộ Công an giao đến ngày {words.day(c.target_deadline)}")
    if c.target_reached_date is not None:
        text += (f"; cả nước đã đạt chỉ tiêu ngày {words.day(c.target_reached_date)}, sớm "
                 f"{(c.target_deadline - c.target_reached_date).days} ngày")
    reached = _reached(f)
    if reached.empty:
        text += f". Chưa {PROVINCES} nào đạt chỉ tiêu được giao."
    else:
        earliest = reached[reached.target_reached_date == reached.target_reached_date.min()]
        first = earliest.iloc[0]
        names = words.listing([words.province(n) for n in earliest.province_name])
        text += (f". {len(reached)}/{provinces} {PROVINCES} đã đạt chỉ tiêu được giao, sớm nhất là {names} "
                 f"(ngày {words.day(first.target_reached_date)}, sớm {int(first.days_ahead)} ngày).")
    if lagging:
        text += (f" Số liệu chưa đầy đủ: {len(lagging)}/{c.provinces_expected} {PROVINCES} chưa báo cáo đủ các ngày "
                 f"đến ngày {words.day(c.last_report_date)} ("
                 + ", ".join(f"{words.province(name)} thiếu {days} ngày" for name, days in c.lagging[:5])
                 + (f" và {len(lagging) - 5} tỉnh khác" if len(lagging) > 5 else "") + ").")
    if c.overdue is not None:
        first, last, due = c.overdue
        text += f" Chưa có báo cáo {_days(first, last)} đã đến hạn (hạn đến ngày {words.day(due)})."
    return Paragraph("id_cards", heading, text, partial=bool(lagging))


def _days(first: date, last: date) -> str:
    return f"ngày {words.day(first)}" if first == last else f"các ngày từ {words.day(first)} đến {words.day(last)}"


def _province(f: Figures, code: str) -> Paragraph:
    """The sentences about one province named with --province, in the article's words for Hải Dương."""
    name = str(f.provinces.set_index("province_code").province_name[code])
    who = f"Công an {words.province(name)}"
    sentences = []
    staffing = f.staffing_by_province
    row = staffing[staffing.province_code == code] if not staffing.empty else staffing
    partial = False
    if row.empty:
        if f.staffing is not None:
            sentences.append(f"{who} chưa báo cáo bố trí Công an chính quy {words.month(f.staffing['period_start'])}.")
            partial = True
    else:
        r = row.iloc[0]
        units = UNITS[str(f.staffing["admin_era"])] if f.staffing is not None else "xã"
        sentences.append(
            f"Tính đến ngày {words.day(r.as_of_date)}, {who} đã bố trí {words.exact(int(r.officers))} cán bộ Công an "
            f"chính quy cho {words.exact(int(r.communes_staffed))}/{words.exact(int(r.communes_in_scope))} {units}, "
            f"trung bình mỗi {units} bố trí {words.ratio(float(r.officers_per_commune))} cán bộ.")
    sentences += _province_id_cards(f, code, who)
    for measures, window, text in (
            (f.security_by_province, f.security, _province_security),
            (f.commendations_by_province, f.commendations, _province_commendations)):
        rows = measures[measures.province_code == code] if not measures.empty else measures
        if window.first is None:
            continue
        missing = [g for g in window.gaps if name in g.provinces]
        if rows.empty:
            sentences.append(f"{who} chưa gửi báo cáo {'ANTT' if window.sheet == '02' else 'khen thưởng'} "
                             f"{_during(window)[0].lower()}{_during(window)[1:]}.")
            partial = True
            continue
        sentences.append(text(rows, window, who, exact=bool(missing)))
        if missing:
            partial = True
            sentences.append("Chưa có báo cáo " + ", ".join(
                words.months(first, last) for first, last in _spans([g.period_start for g in missing])) + ".")
    if f.campaign is not None:
        gaps = [(n, days) for basis_code, n, days in f.campaign.lagging_on_basis if basis_code == code]
        if gaps:
            partial = True
            short = ", ".join(f"{words.province(n)} thiếu {d} ngày" for n, d in gaps)
            sentences.append(f"Số liệu CCCD chưa đầy đủ: {short} báo cáo đến ngày "
                             f"{words.day(f.campaign.last_report_date)}.")
    if not sentences:
        sentences.append(f"Chưa có báo cáo của {who} đến ngày {words.day(f.as_of)}.")
    return Paragraph(f"province:{code}", name, " ".join(sentences), partial)


def _province_id_cards(f: Figures, code: str, who: str) -> list[str]:
    c, by_province = f.campaign, f.id_cards_by_province
    row = by_province[by_province.province_code == code] if not by_province.empty else by_province
    if c is None or row.empty:
        return []
    m = row.iloc[0]
    due = f"đến ngày {words.day(c.target_deadline)} {who} phải thu nhận {words.exact(int(m.target))} hồ sơ cấp CCCD"
    if pd.isna(m.target_reached_date):
        return [f"Tính đến ngày {words.day(m.last_report_date)}, {who} đã tiếp nhận "
                f"{words.exact(int(m.cumulative_applications))} hồ sơ đề nghị cấp thẻ CCCD gắn chip, đạt "
                f"{words.percent(float(m.target_pct))}% chỉ tiêu; theo chỉ tiêu Bộ Công an giao, {due}."]
    on_the_day = int(m.cumulative_on_reached_date)
    beyond = " và vượt chỉ tiêu Bộ Công an giao" if on_the_day > int(m.target) else ""
    return [f"Tính đến ngày {words.day(m.target_reached_date)}, {who} đã tiếp nhận {words.exact(on_the_day)} hồ sơ "
            f"đề nghị cấp thẻ CCCD gắn chip. Theo chỉ tiêu Bộ Công an giao, {due}. Như vậy, {who} đã cán đích sớm "
            f"{int(m.days_ahead)} ngày{beyond}."]


def _province_security(rows: pd.DataFrame, window: Window, who: str, exact: bool) -> str:
    r = rows.sum(numeric_only=True)
    n = words.exact if exact else words.about
    return (f"{_during(window)}, {who.replace('Công an', 'lực lượng Công an xã của', 1)} đã tiếp nhận "
            f"{n(r.tips_received)} tin về ANTT, trong đó có {n(r.crime_reports)} tin báo, tố giác tội phạm, giúp "
            f"làm rõ {n(r.cases_clarified)} vụ, {n(r.subjects)} đối tượng.")


def _province_commendations(rows: pd.DataFrame, window: Window, who: str, exact: bool) -> str:
    r = rows.sum(numeric_only=True)
    n = words.exact if exact else words.about
    return (f"{_during(window)}, {n(r.collectives)} lượt tập thể, {n(r.individuals)} lượt cá nhân thuộc lực lượng "
            f"{who.replace('Công an', 'Công an xã của', 1)} được các cấp khen thưởng.")


def _during(window: Window) -> str:
    """'Trong tháng 4/2021', or 'Từ tháng 7/2025 đến tháng 10/2026'."""
    assert window.first is not None and window.last is not None
    span = words.months(window.first, window.last)
    return f"Trong {span}" if span.startswith("tháng") else span[0].upper() + span[1:]


def _gaps(window: Window) -> str:
    """'Số liệu chưa đầy đủ: ...': the months no province reported, as spans ('từ tháng 7/2025 đến tháng
    9/2026 chưa tỉnh, thành phố nào báo cáo'), then up to three months some province missed, named."""
    whole = [g.period_start for g in window.gaps if len(g.provinces) >= window.provinces_expected]
    some = [g for g in window.gaps if len(g.provinces) < window.provinces_expected]
    parts = [f"{words.months(first, last)} chưa {PROVINCES} nào báo cáo" for first, last in _spans(whole)]
    parts += [f"{words.month(g.period_start)} chưa có báo cáo của "
              f"{words.listing([words.province(n) for n in g.provinces], 3)}" for g in some[:3]]
    more = f" và {len(some) - 3} tháng khác" if len(some) > 3 else ""
    return "Số liệu chưa đầy đủ: " + "; ".join(parts) + more + "."


def _spans(months: list[date]) -> list[tuple[date, date]]:
    """Consecutive months as (first, last) spans."""
    spans: list[tuple[date, date]] = []
    for m in sorted(months):
        if spans and (spans[-1][1].year * 12 + spans[-1][1].month) + 1 == m.year * 12 + m.month:
            spans[-1] = (spans[-1][0], m)
        else:
            spans.append((m, m))
    return spans


def _overdue(window: Window) -> str:
    if not window.overdue:
        return ""
    months = [m for m, _ in window.overdue]
    due = window.overdue[-1][1]
    span = words.months(months[0], months[-1])
    last = "" if len(months) == 1 else f" của {words.month(months[-1])}"
    return f" Chưa có báo cáo {span} (hạn{last} đến ngày {words.day(due)})."


def _security(f: Figures) -> Paragraph:
    def sentence(r: pd.Series, n) -> str:
        return (f"lực lượng Công an xã đã tiếp nhận {n(r.tips_received)} tin về ANTT, trong đó có "
                f"{n(r.crime_reports)} tin báo, tố giác tội phạm, giúp các đơn vị chức năng điều tra làm rõ "
                f"{n(r.cases_clarified)} vụ, {n(r.subjects)} đối tượng; xử phạt vi phạm hành chính "
                f"{n(r.admin_violation_cases)} vụ; lập {n(r.education_dossiers)} hồ sơ giáo dục tại xã, "
                f"{n(r.rehab_dossiers)} hồ sơ đưa vào cơ sở cai nghiện bắt buộc và {n(r.reform_school_dossiers)} "
                "hồ sơ đưa vào trường giáo dưỡng.")

    return _flow("security", "An ninh, trật tự", "tình hình ANTT", f.security, f.security_by_month, f.as_of,
                 sentence)


def _commendations(f: Figures) -> Paragraph:
    def sentence(r: pd.Series, n) -> str:
        return (f"đã có {n(r.collectives)} lượt tập thể, {n(r.individuals)} lượt cá nhân thuộc lực lượng "
                "Công an xã được các cấp khen thưởng.")

    return _flow("commendations", "Khen thưởng", "khen thưởng", f.commendations, f.commendations_by_level, f.as_of,
                 sentence)


def _flow(topic: str, heading: str, report: str, w: Window, rows: pd.DataFrame, as_of: date,
          sentence: Callable[[pd.Series, Callable[[int | float], str]], str]) -> Paragraph:
    """A flow sheet's paragraph: its sums over the window in the rounding words, or exact with the
    missing reports named when partial; the months due with no report at all."""
    if w.first is None:
        return Paragraph(topic, heading, f"Chưa có báo cáo {report} đến ngày {words.day(as_of)}." + _overdue(w))
    text = f"{_during(w)}, " + sentence(rows.sum(numeric_only=True), words.exact if w.partial else words.about)
    if w.partial:
        text += " " + _gaps(w)
    return Paragraph(topic, heading, text + _overdue(w), partial=w.partial)


def _footer(f: Figures) -> list[str]:
    parts = []
    if f.staffing is not None:
        parts.append(f"bố trí Công an chính quy theo báo cáo ngày {words.day(f.staffing['as_of_date'])}")
    if f.campaign is not None:
        parts.append(f"CCCD đến ngày {words.day(f.campaign.last_report_date)}")
    for label, w in (("ANTT", f.security), ("khen thưởng", f.commendations)):
        if w.first is not None and w.last is not None:
            parts.append(f"{label} {words.months(w.first, w.last)}")
    lines = [f"Số liệu tính đến ngày {words.day(f.as_of)}" + (f": {'; '.join(parts)}." if parts else ".")]
    lists = ""
    if f.staffing is not None and f.staffing.get("unit_lists"):
        dates = [words.day(date.fromisoformat(x)) for x in str(f.staffing["unit_lists"]).split(", ") if x]
        lists = f"; danh mục đơn vị hành chính ngày {', '.join(dates)}"
    lines.append(f"Ranh giới: {words.BASIS[f.basis]}{lists}.")
    reported, expected = f.reporters
    missing = sorted(set(f.completeness.province_name[~f.completeness.status.isin(REPORTED)]))
    late = int((f.completeness.status == "late").sum())
    line = f"Mức độ đầy đủ: {reported}/{expected} {PROVINCES} đã gửi đủ các báo cáo của số liệu trên"
    nobody = _spans(sorted({g.period_start for w in (f.security, f.commendations) for g in w.gaps
                            if len(g.provinces) >= w.provinces_expected}))
    if nobody:
        line += ("; chưa " + PROVINCES + " nào báo cáo ANTT, khen thưởng "
                 + ", ".join(words.months(a, b) for a, b in nobody))
    if missing and (reported > 0 or not nobody):
        line += f"; chưa đủ: {words.listing(missing)}"
    if late:
        line += f"; {late} báo cáo nộp muộn"
    overdue = sorted({m for w in (f.security, f.commendations) for m, _ in w.overdue})
    if overdue:
        line += f"; chưa có báo cáo {words.months(overdue[0], overdue[-1])} đã đến hạn"
    if f.campaign is not None and f.campaign.overdue is not None:
        line += f"; chưa có báo cáo CCCD {_days(*f.campaign.overdue[:2])} đã đến hạn"
    lines.append(line + ".")
    lines.append("Số liệu làm tròn theo quy ước của báo cáo (\"hơn 44.000\", \"gần 200\"); số chính xác trong "
                 f"bảng tổng hợp TongHop_{f.as_of.isoformat()}.xlsx.")
    return lines
