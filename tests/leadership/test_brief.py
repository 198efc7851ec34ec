"""The brief's sentences against the marts: every figure in them is read back from the warehouse here,
with SQL of the test's own, and written by hand in the article's form ("hơn 46.000": floored to
thousands). The sample's Hải Dương figures are the article's (991.830 by 14/5/2021 against 988.200 due
30/6/2021: 47 days ahead)."""

from __future__ import annotations

import re
import shutil
import unicodedata
from datetime import date

import duckdb
import pytest

from etl.leadership.brief import compose
from etl.leadership.figures import UnknownProvince, collect
from etl.pipeline import run_night
from tests.builders import make_settings

pytestmark = pytest.mark.e2e

CONFERENCE = date(2021, 5, 31)


def _one(warehouse, sql: str) -> tuple:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchone()


def _dots(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _floored(n: int) -> str:
    """The article's form, computed here by hand: thousands from 10,000, hundreds from 1,000."""
    step = 1000 if n >= 10_000 else 100
    return _dots(n) if n % step == 0 else f"hơn {_dots(n // step * step)}"


@pytest.fixture(scope="module")
def conference(sample_night):
    settings, truth, _ = sample_night
    return settings, compose(collect(settings.published, CONFERENCE, provinces=("30",)))


def _paragraph(brief, topic: str) -> str:
    (text,) = [p.text for p in brief.paragraphs if p.topic == topic]
    return text


def test_the_staffing_sentence_is_the_articles_on_the_latest_snapshot(conference):
    settings, brief = conference
    officers, staffed, in_scope, per_commune, day = _one(settings.published, """
        select officers, communes_staffed, communes_in_scope, officers_per_commune, as_of_date
        from mart.national_staffing where admin_era = 'pre2025' and period_start = '2021-04-01'""")
    assert day == date(2021, 4, 23) and staffed == in_scope
    text = _paragraph(brief, "staffing")
    assert text == brief.headline
    assert text.startswith("Tính đến ngày 23/4/2021, Công an 63 tỉnh, thành phố trực thuộc trung ương đã bố trí "
                           f"{_floored(officers)} cán bộ Công an chính quy")
    assert f"tại {_floored(staffed)} Công an xã, thị trấn, đạt 100%" in text
    assert f"trung bình mỗi xã, thị trấn bố trí {round(per_commune, 1):.1f}".replace(".", ",") in text


def test_the_id_card_sentences_give_hai_duong_47_days_ahead_and_the_nation_to_date(conference):
    settings, brief = conference
    province = _paragraph(brief, "province:30")
    assert ("Tính đến ngày 14/5/2021, Công an tỉnh Hải Dương đã tiếp nhận 991.830 hồ sơ đề nghị cấp thẻ CCCD gắn "
            "chip. Theo chỉ tiêu Bộ Công an giao, đến ngày 30/6/2021 Công an tỉnh Hải Dương phải thu nhận 988.200 "
            "hồ sơ cấp CCCD. Như vậy, Công an tỉnh Hải Dương đã cán đích sớm 47 ngày") in province
    cumulative, target = _one(settings.published, """
        select cumulative_applications::bigint, target::bigint from mart.national_id_card_progress
        where report_date = '2021-05-31'""")
    reached, earliest = _one(settings.published, """
        select count(distinct province_code), min(target_reached_date) from mart.id_card_progress
        where target_reached_date <= '2021-05-31'""")
    text = _paragraph(brief, "id_cards")
    assert text.startswith(f"Tính đến ngày 31/5/2021, Công an các tỉnh, thành phố đã tiếp nhận {_floored(cumulative)} "
                           "hồ sơ đề nghị cấp thẻ căn cước công dân (CCCD) gắn chip, đạt "
                           + f"{int(cumulative * 1000 / target) / 10:.1f}".replace(".", ",")
                           + f"% chỉ tiêu {_dots(target)} hồ sơ Bộ Công an giao đến ngày 30/6/2021")
    assert f"{reached}/63 tỉnh, thành phố đã đạt chỉ tiêu được giao" in text
    assert f"(ngày {earliest.day}/{earliest.month}/2021, sớm {(date(2021, 6, 30) - earliest).days} ngày)" in text


def test_security_and_commendations_so_far(conference):
    settings, brief = conference
    tips, crimes, cases = _one(settings.published, """
        select sum(tips_received)::bigint, sum(crime_reports)::bigint, sum(cases_clarified)::bigint
        from mart.security_activity where period_start <= '2021-05-31'""")
    assert _paragraph(brief, "security").startswith(
        f"Trong tháng 4/2021, lực lượng Công an xã đã tiếp nhận {_floored(tips)} tin về ANTT, trong đó có "
        f"{_floored(crimes)} tin báo, tố giác tội phạm, giúp các đơn vị chức năng điều tra làm rõ {_floored(cases)} vụ")
    collectives, individuals = _one(settings.published, """
        select sum(collectives)::bigint, sum(individuals)::bigint from mart.commendations
        where period_start <= '2021-05-31'""")
    assert _paragraph(brief, "commendations") == (
        f"Trong tháng 4/2021, đã có {_floored(collectives)} lượt tập thể, {_floored(individuals)} lượt cá nhân "
        "thuộc lực lượng Công an xã được các cấp khen thưởng.")
    # Hải Dương's own commendations are the article's: 108 collectives, 250 individuals.
    assert "108 lượt tập thể, 250 lượt cá nhân" in _paragraph(brief, "province:30")


def test_the_footer_says_as_of_boundaries_unit_list_and_completeness(conference):
    _, brief = conference
    footer = " ".join(brief.footer)
    assert brief.subtitle == "Số liệu tính đến ngày 31/5/2021"
    for part in ("theo báo cáo ngày 23/4/2021", "CCCD đến ngày 31/5/2021", "ANTT tháng 4/2021",
                 "Ranh giới: theo báo cáo", "danh mục đơn vị hành chính ngày 3/2/2021",
                 "63/63 tỉnh, thành phố đã gửi đủ các báo cáo của số liệu trên"):
        assert part in footer, part


def test_every_text_is_nfc_with_vietnamese_separators(conference):
    _, brief = conference
    texts = [brief.title, brief.subtitle, *brief.footer, *(p.heading for p in brief.paragraphs),
             *(p.text for p in brief.paragraphs)]
    for text in texts:
        assert unicodedata.normalize("NFC", text) == text
        assert not re.search(r"\d{4,}", re.sub(r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2}|\d/\d{4}", "", text)), text
        assert not re.search(r"\d,\d{3}\b|\d\.\d{1,2}\b", text), text  # no English separators


def test_the_2025_basis_names_the_new_province_and_refuses_an_old_code(sample_night):
    settings, _, _ = sample_night
    brief = compose(collect(settings.published, CONFERENCE, "2025", ("31",)))
    province = _paragraph(brief, "province:31")
    # The new Hải Phòng holds the old Hải Dương: its target is theirs added up, as its count day by day.
    targets = _one(settings.published, """
        select sum(distinct_target)::bigint from (
            select distinct p.province_code, p.target as distinct_target from mart.id_card_progress p
            join ref.province_crosswalk x on x.old_province_code = p.province_code
            where x.new_province_code = '31' and p.admin_era = 'pre2025')""")[0]
    assert f"phải thu nhận {_dots(targets)} hồ sơ" in province
    assert "Ranh giới: 34 tỉnh, thành phố từ 1/7/2025" in " ".join(brief.footer)
    with pytest.raises(UnknownProvince):
        collect(settings.published, CONFERENCE, "2025", ("30",))


@pytest.fixture(scope="module")
def without_hanoi(sample_night, tmp_path_factory):
    """The sample warehouse as if Hà Nội (01) had sent nothing for April 2021."""
    settings, _, _ = sample_night
    copy = tmp_path_factory.mktemp("partial") / "warehouse.duckdb"
    shutil.copy2(settings.warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        for table in ("dw.fact_commune_staffing", "dw.fact_security_activity", "dw.fact_commendation"):
            con.execute(f"delete from {table} where admin_era = 'pre2025' and province_code = '01'")
        con.execute("delete from audit.submission where province_code = '01' and period_start = '2021-04-01'"
                    " and sheet not like '%03%'")
    return copy


def test_a_province_that_did_not_report_is_said_never_rounded_over(without_hanoi):
    brief = compose(collect(without_hanoi, CONFERENCE))
    officers, staffed, in_scope, reporting = _one(without_hanoi, """
        select officers, communes_staffed, communes_in_scope, provinces_reporting from mart.national_staffing
        where admin_era = 'pre2025' and period_start = '2021-04-01'""")
    assert reporting == 62
    staffing = _paragraph(brief, "staffing")
    assert "62/63 tỉnh, thành phố đã báo cáo" in staffing and "thành phố Hà Nội" in staffing
    assert f"bố trí {_dots(officers)} cán bộ" in staffing and f"{_dots(staffed)}/{_dots(in_scope)}" in staffing
    assert "hơn" not in staffing and "gần" not in staffing
    tips = _one(without_hanoi, "select sum(tips_received)::bigint from mart.security_activity"
                " where period_start <= '2021-05-31'")[0]
    security = _paragraph(brief, "security")
    assert f"tiếp nhận {_dots(tips)} tin" in security and "chưa đầy đủ" in security and "thành phố Hà Nội" in security
    assert "hơn" not in security
    assert [p.partial for p in brief.paragraphs if p.topic in ("staffing", "security", "commendations")] == [True] * 3
    assert "62/63 tỉnh, thành phố đã gửi đủ các báo cáo của số liệu trên; chưa đủ: Thành phố Hà Nội" in \
        " ".join(brief.footer)


def test_an_empty_warehouse_gives_a_brief_that_says_so(tmp_path):
    settings = make_settings(tmp_path)
    (tmp_path / "empty").mkdir()
    run_night([tmp_path / "empty"], settings)
    brief = compose(collect(settings.warehouse, CONFERENCE))
    assert brief.headline == "Chưa có báo cáo bố trí Công an chính quy của 63 tỉnh, thành phố đến ngày 31/5/2021."
    assert [p.topic for p in brief.paragraphs] == ["staffing", "id_cards", "security", "commendations"]
    assert "Mức độ đầy đủ: 0/63 tỉnh, thành phố đã gửi đủ" in " ".join(brief.footer)


def test_a_day_of_the_other_era_never_leads_with_the_old_figures(sample_night):
    """On 1/6/2026 the 34 provinces owe every month since July 2025 and none has sent one: the brief says
    so, and does not lead with the 63 provinces' figures of 2021."""
    settings, _, _ = sample_night
    brief = compose(collect(settings.published, date(2026, 6, 1)))
    assert brief.headline == ("Chưa có báo cáo bố trí Công an chính quy của 34 tỉnh, thành phố (từ 1/7/2025) đến "
                              "ngày 1/6/2026.")
    assert "2021" not in " ".join(p.text for p in brief.paragraphs)
    assert "Chưa có báo cáo từ tháng 7/2025 đến tháng 4/2026 (hạn của tháng 4/2026 đến ngày 5/5/2026)" in \
        _paragraph(brief, "security")
    assert "Mức độ đầy đủ: 0/34 tỉnh, thành phố đã gửi đủ" in " ".join(brief.footer)
    # On 6/12/2026 October's reports are summed since July 2025, whose months no province sent: partial.
    later = compose(collect(settings.published, date(2026, 12, 6)))
    security = _paragraph(later, "security")
    assert security.startswith("Từ tháng 7/2025 đến tháng 10/2026") and "hơn" not in security
    assert "từ tháng 7/2025 đến tháng 9/2026 chưa tỉnh, thành phố nào báo cáo" in security
    assert "Chưa có báo cáo tháng 11/2026 (hạn đến ngày 5/12/2026)" in security
    # The footer says why no province sent every report its figures add up, beside a full staffing month.
    assert ("0/34 tỉnh, thành phố đã gửi đủ các báo cáo của số liệu trên; chưa tỉnh, thành phố nào báo cáo ANTT, "
            "khen thưởng từ tháng 7/2025 đến tháng 9/2026") in " ".join(later.footer)


def test_days_missing_in_the_middle_of_the_campaign_make_the_id_card_figure_partial(sample_night, tmp_path):
    settings, _, _ = sample_night
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy2(settings.warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("delete from dw.fact_id_card_applications where province_code = '79'"
                    " and report_date between '2021-05-01' and '2021-05-15'")
        con.execute("delete from audit.submission where province_code = '79' and period_start = '2021-05-01'"
                    " and period_end = '2021-05-15'")
    cumulative = _one(copy, "select cumulative_applications::bigint from mart.national_id_card_progress"
                            " where report_date = '2021-05-31'")[0]
    brief = compose(collect(copy, CONFERENCE, provinces=("79",)))
    text = _paragraph(brief, "id_cards")
    assert f"đã tiếp nhận {_dots(cumulative)} hồ sơ" in text and "hơn" not in text.split(".")[0]
    assert "Số liệu chưa đầy đủ: 1/63 tỉnh, thành phố chưa báo cáo đủ các ngày đến ngày 31/5/2021" in text
    assert "thành phố Hồ Chí Minh thiếu 15 ngày" in text
    # The province singled out says its own count lacks those days.
    assert "Số liệu CCCD chưa đầy đủ: thành phố Hồ Chí Minh thiếu 15 ngày" in _paragraph(brief, "province:79")
    assert [p.partial for p in brief.paragraphs if p.topic in ("id_cards", "province:79")] == [True, True]


def test_days_due_and_not_sent_after_the_last_day_reported_are_named(sample_night, tmp_path):
    """No province sent 16-30/6/2021, due by 16/7: as of 20/7 the count is to 15/6, and the days are named."""
    settings, _, _ = sample_night
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy2(settings.warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("delete from dw.fact_id_card_applications where report_date >= '2021-06-16'")
        con.execute("delete from audit.submission where period_start = '2021-06-16'")
    brief = compose(collect(copy, date(2021, 7, 20)))
    text = _paragraph(brief, "id_cards")
    assert text.startswith("Tính đến ngày 15/6/2021, ")
    assert "Chưa có báo cáo các ngày từ 16/6/2021 đến 30/6/2021 đã đến hạn (hạn đến ngày 16/7/2021)." in text
    assert "chưa có báo cáo CCCD các ngày từ 16/6/2021 đến 30/6/2021 đã đến hạn" in " ".join(brief.footer)
