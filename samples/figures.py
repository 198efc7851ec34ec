"""The figures the workbooks report, drawn before any workbook is written: staffing (sheet 01),
security activity (sheet 02), commendations (sheet 04) and the CCCD campaign's daily counts
(sheet 03).

The figures are synthetic but shaped like the article (docs/sources.md): every in-scope commune of
the unit list in force on 23/4/2021 is staffed, about 5.2 officers per commune and more than
44,000 nationwide, Hải Dương has 5 officers in each of its 188 xã and thị trấn, received 108
collective and 250 individual commendations in April 2021, and its CCCD count from 1/4/2021 first
reaches its target of 988,200 on 14/5/2021 with 991,830 by that day; five provinces miss their
target by the 30/6/2021 deadline. Every province's CCCD target and daily counts are in proportion
to its population (``samples.population``), Hải Dương's target being the article's.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from etl import reference
from samples.kinds import AS_OF, AS_OF_2026, CAMPAIGN_START, HAI_DUONG, ID_CARD_DEADLINE
from samples.units import Commune, Province

# The article's CCCD and commendation figures (docs/sources.md).
HAI_DUONG_TARGET = 988_200
HAI_DUONG_REACHED = date(2021, 5, 14)
HAI_DUONG_CUMULATIVE = 991_830
PROVINCES_SHORT_OF_TARGET = 5
HAI_DUONG_COMMENDATIONS = (108, 250)  # April 2021: collectives, individuals (the article)
# A province's CCCD target as a share of its population: Hải Dương's 988,200 is 52% of its 1,892,000
# people (the campaign's targets were the residents aged 14 and over still without the chip card).
TARGET_SHARE = (0.45, 0.60)
# The residents aged 14 and over, as a share of the population (2019 census: 24% under 15 nationally,
# so about 77%): no province collects more applications by the deadline than it has such people.
AGED_14_AND_OVER = 0.76

# National officers, as a mean per in-scope commune of the list in force on 23/4/2021. The article
# says "hơn 44.000" officers at "hơn 8.500" xã and thị trấn, 5.2 per commune (44,000 / 8,500 = 5.18,
# printed "5,2"; docs/sources.md). The list of 3/2/2021 holds 8,880 xã and thị trấn in scope, all
# staffed here (the article's count left out units the programme did not cover that year), so the
# samples keep the article's mean rather than its total: 5.15 to 5.25 per commune over the list's
# communes, about 45,700 to 46,600 officers for 8,880, which is still "more than 44,000". The
# total is never below _NATIONAL_FLOOR, whatever the list.
_OFFICERS_PER_COMMUNE = (5.15, 5.25)
_NATIONAL_FLOOR = 44_001
OFFICER_WEIGHTS = {3: 6, 4: 17, 5: 32, 6: 24, 7: 12, 8: 6, 9: 3}
_NOTES = ("Đủ biên chế", "+01 đ/c tăng cường", "Đang kiện toàn", "=5 đồng chí", "Bố trí đợt 2",
          "Có 01 đ/c nữ")
_NOTES_02 = ("Tiếp nhận qua đường dây nóng", "Chuyển CA huyện 02 tin", "Đang xác minh", "Có 01 vụ ma túy")
_FINE_STEPS = (250_000, 500_000, 750_000, 1_000_000, 1_500_000, 2_000_000, 2_500_000, 3_750_000, 5_000_000)


def _split(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainder): the parts add up exactly."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    parts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _poisson(mean: float, rng: random.Random) -> int:
    """A Poisson draw (Knuth's method; the means here are small)."""
    limit, count, product = 2.718281828459045 ** -mean, 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _binomial(n: int, p: float, rng: random.Random) -> int:
    return sum(rng.random() < p for _ in range(n))


def draw_figures(provinces: list[Province], rng: random.Random) -> None:
    """April 2021 staffing: officers, chiefs, deputies, staffing dates and notes for every commune."""
    values, weights = list(OFFICER_WEIGHTS), list(OFFICER_WEIGHTS.values())
    adjustable: list[Commune] = []
    for province in provinces:
        for commune in province.communes:
            if province.code == HAI_DUONG:
                commune.officers = 5  # the article: "5 in each" commune of Hải Dương
                continue
            roll = rng.random()
            if roll < 0.004:
                commune.officers = 2  # a few thinly staffed mountain communes
            elif roll < 0.008:
                commune.officers = rng.choice((10, 11))  # and a few large towns
            else:
                commune.officers = rng.choices(values, weights)[0]
                adjustable.append(commune)
    # Move the national total onto a target (about 5.2 a commune, above 44,000) one officer at a
    # time, staying in 3..9, so the bounds hold for every seed rather than by luck of the draw.
    communes = sum(len(p.communes) for p in provinces)
    low, high = (max(_NATIONAL_FLOOR, round(communes * share)) for share in _OFFICERS_PER_COMMUNE)
    target = rng.randint(low, max(low, high))
    total = sum(c.officers for p in provinces for c in p.communes)
    while total != target:
        commune = rng.choice(adjustable)
        step = 1 if total < target else -1
        if 3 <= commune.officers + step <= 9:
            commune.officers += step
            total += step
    for commune in (c for p in provinces for c in p.communes):
        top = min(3, commune.officers - 1)  # the chief is one of the officers
        commune.deputies = min(top, rng.choices((1, 2, 3), (30, 55, 15))[0])
    # A handful of communes whose chief post is vacant (never in Hải Dương, fully staffed by 10/2020).
    for commune in rng.sample(adjustable, rng.randint(3, 7)):
        commune.chiefs = 0
        commune.note = "Khuyết Trưởng CA xã"
    for province in provinces:
        _draw_dates(province, rng)
        for commune in province.communes:
            if not commune.note and rng.random() < 0.03:
                commune.note = rng.choice(_NOTES)


def _draw_dates(province: Province, rng: random.Random) -> None:
    """Staffing dates clustered on the province's deployment phases (đợt)."""
    if province.code == HAI_DUONG:
        # Three phases, all communes done by 10/2020 (the article).
        phases = [date(2020, 3, rng.randint(1, 31)), date(2020, 7, rng.randint(1, 31)),
                  date(2020, 10, rng.randint(1, 20))]
        blank_rate = 0.0
    else:
        first, last = date(2020, 1, 10), date(2021, 4, 20)
        span = (last - first).days
        phases = sorted(first + timedelta(days=rng.randint(0, span)) for _ in range(rng.randint(2, 4)))
        blank_rate = rng.choice((0.0, 0.0, 0.03, 0.08, 0.15))
    for commune in province.communes:
        if commune.chiefs == 0 or rng.random() < blank_rate:
            commune.staffed = None  # not fully staffed yet, or the province left it blank
            continue
        day = rng.choice(phases) + timedelta(days=rng.choice((0, 0, 0, 1, 2, 5)))
        commune.staffed = min(day, AS_OF)


def draw_staffing_2026(provinces: list[Province], rng: random.Random) -> None:
    """October 2026 staffing: the merged communes are larger, so more officers in each."""
    for province in provinces:
        blank_rate = rng.choice((0.0, 0.02, 0.05))
        for commune in province.communes:
            low, high = (12, 30) if commune.unit_type == "phường" else (8, 24)
            commune.officers = rng.randint(low, high)
            commune.deputies = rng.choice((2, 3, 3, 4))
            if rng.random() < 0.003:
                commune.chiefs, commune.note = 0, "Khuyết Trưởng CA"
            roll = rng.random()
            if commune.chiefs == 0 or roll < blank_rate:
                commune.staffed = None
            elif roll < 0.8:
                commune.staffed = reference.ERA_SWITCH_DATE  # the new units' first day
            else:
                commune.staffed = min(AS_OF_2026, reference.ERA_SWITCH_DATE + timedelta(days=rng.randint(1, 470)))
            if not commune.note and rng.random() < 0.03:
                commune.note = rng.choice(_NOTES)


def draw_activity(provinces: list[Province], scale: float, rng: random.Random) -> None:
    """Sheet 02 for one month: small counts, crime reports <= tips, cases clarified <= reports."""
    for province in provinces:
        for commune in province.communes:
            commune.activity = commune_activity(scale, rng)
            if rng.random() < 0.03:
                commune.note02 = rng.choice(_NOTES_02)


def commune_activity(scale: float, rng: random.Random) -> dict[str, int]:
    """One commune's sheet 02 figures for one month."""
    tips = _poisson(3.2 * scale, rng)
    crime = _binomial(tips, 0.12, rng)
    clarified = _binomial(crime, 0.65, rng)
    subjects = sum(rng.choice((1, 1, 1, 2, 3)) for _ in range(clarified))
    admin = _poisson(1.4 * scale, rng)
    fines = sum(rng.choice(_FINE_STEPS) for _ in range(admin))
    return {
        "tips_received": tips, "crime_reports": crime, "cases_clarified": clarified, "subjects": subjects,
        "admin_violation_cases": admin, "fines_vnd": fines,
        "education_dossiers": _binomial(2, 0.03 * scale, rng),
        "rehab_dossiers": int(rng.random() < 0.015 * scale),
        "reform_school_dossiers": int(rng.random() < 0.006 * scale),
    }


def draw_commendations(provinces: list[Province], rng: random.Random) -> None:
    """Sheet 04: collectives and individuals per level; Hải Dương's April 2021 adds up to 108/250."""
    for province in provinces:
        if province.code == HAI_DUONG:
            groups = _split(HAI_DUONG_COMMENDATIONS[0], [rng.uniform(0.5, 1.5) * w for w in (1, 4, 7, 8)])
            people = _split(HAI_DUONG_COMMENDATIONS[1], [rng.uniform(0.5, 1.5) * w for w in (1, 4, 7, 8)])
            province.commendations = list(zip(groups, people, strict=True))
            continue
        province.commendations = []
        for top in (2, 8, 20, 30):
            collectives = rng.randint(0, top) if rng.random() < 0.8 else 0
            individuals = collectives * rng.randint(1, 3) + rng.randint(0, top // 2)
            province.commendations.append((collectives, individuals))


@dataclass
class IdCard:
    """A province's CCCD campaign: target and daily counts per district."""

    target: int
    districts: list[str]
    daily: list[list[int]]  # per campaign day, per district

    def totals(self) -> list[int]:
        return [sum(day) for day in self.daily]


def campaign_days() -> list[date]:
    """Every day of the CCCD campaign, 1/4 to 30/6/2021."""
    return [CAMPAIGN_START + timedelta(days=n) for n in range((ID_CARD_DEADLINE - CAMPAIGN_START).days + 1)]


def draw_id_cards(provinces: list[Province], unit_counts: dict[str, int], population: dict[str, int],
                  rng: random.Random) -> dict[str, IdCard]:
    """Daily applications per district, 1/4 to 30/6/2021, shaped so each province's cumulative
    count first reaches its target on a chosen day (or never, for a few). A province's target is a
    share of its ``population`` (``TARGET_SHARE``; Hải Dương's is the article's), and after the
    target the counts slow down so the total by the deadline stays below its residents aged 14 and
    over (``AGED_14_AND_OVER``); districts share a day's count by their commune-level units
    (``unit_counts``)."""
    days = campaign_days()
    short = set(rng.sample(sorted(p.code for p in provinces if p.code != HAI_DUONG), PROVINCES_SHORT_OF_TARGET))
    out: dict[str, IdCard] = {}
    for province in provinces:
        # Weekends are quieter; the pace picks up as the campaign goes on.
        weights = [(0.8 + 0.4 * i / len(days)) * (0.5 if d.weekday() == 6 else 0.8 if d.weekday() == 5 else 1.0)
                   * rng.uniform(0.85, 1.15) for i, d in enumerate(days)]
        eligible = int(population[province.code] * AGED_14_AND_OVER)
        if province.code == HAI_DUONG:
            target, reach = HAI_DUONG_TARGET, days.index(HAI_DUONG_REACHED)
        else:
            target = int(round(population[province.code] * rng.uniform(*TARGET_SHARE), -2))
            # Not before 10/5: a province takes six weeks or more, as Hải Dương did (14/5).
            reach = rng.randint(days.index(date(2021, 5, 10)), days.index(date(2021, 6, 29)))
        if province.code in short:
            totals = _split(int(target * rng.uniform(0.82, 0.97)), weights)
        else:
            mean = sum(weights[: reach + 1]) / (reach + 1)
            rate = target / (reach + 1)
            last = max(2, round(rate * weights[reach] / mean))  # the count of the day it gets there
            if province.code == HAI_DUONG:
                cumulative = HAI_DUONG_CUMULATIVE
                last = max(last, cumulative - target + 1)
            else:
                cumulative = target + rng.randrange(0, last - 1)
            # Up to the day before: short of the target, since that day's count exceeds the overshoot.
            totals = _split(cumulative - last, weights[:reach]) + [last]
            # After the target, the pace drops to a third to a half of the campaign's, and never
            # takes the total past a third to a half of the residents aged 14+ still without a card.
            tail = [rate * rng.uniform(0.3, 0.6) * w for w in weights[reach + 1:]]
            room = max(0, eligible - cumulative) * rng.uniform(0.3, 0.5)
            if sum(tail) > room:
                tail = [t * room / sum(tail) for t in tail]
            totals += [int(t) for t in tail]
        districts = province.districts
        shares = [unit_counts.get(d, 1) * rng.uniform(0.7, 1.3) for d in districts]
        daily = [_split(total, [s * rng.uniform(0.8, 1.2) for s in shares]) for total in totals]
        out[province.code] = IdCard(target, list(districts), daily)
    return out


def id_card_summary(card: IdCard) -> dict[str, Any]:
    """A province's CCCD campaign as truth.json's ``id_card`` has it: target, deadline, the day the
    cumulative count first reaches the target and the count then, and the total by the deadline."""
    cumulative, reached, at_reached = 0, None, None
    for day, total in zip(campaign_days(), card.totals(), strict=True):
        cumulative += total
        if reached is None and cumulative >= card.target:
            reached, at_reached = day.isoformat(), cumulative
    return {"target": card.target, "deadline": ID_CARD_DEADLINE.isoformat(), "reached_date": reached,
            "cumulative_at_reached": at_reached, "total_by_deadline": cumulative}
