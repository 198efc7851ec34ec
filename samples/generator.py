"""``generate_samples``: the kinds asked for, drawn and written in order, and ``truth.json``.

Each kind draws from its own ``random.Random`` seeded from ``seed`` (its faults, its later
departures and the broken files from others), and the workbook metadata is fixed: the same seed
gives the same bytes, whichever kinds are asked for. The April 2021 staffing figures and
``national`` come first from ``random.Random(seed)``, as before the other sheets existed.
"""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path
from typing import Any

from etl import reference
from samples.broken import BROKEN_FILES, write_broken
from samples.departures import DEPARTURES, choose_departures, choose_later, retones
from samples.faults import FAULTS, FaultPlan, draw_activity_faults, draw_faults
from samples.figures import (
    IdCard,
    draw_activity,
    draw_commendations,
    draw_figures,
    draw_id_cards,
    draw_staffing_2026,
    id_card_summary,
)
from samples.kinds import (
    ALL_KINDS,
    AS_OF,
    CAMPAIGN_START,
    ERA,
    HALF_MONTHS,
    ID_CARD_2021,
    ID_CARD_DEADLINE,
    MONTHLY_2021,
    MONTHLY_2026,
)
from samples.monthly import MONTHLY
from samples.plan import Plan, make_plan, plan_later
from samples.population import population
from samples.spelling import Style
from samples.truth import national_totals, truth_text
from samples.units import District, Province, list_on, load_provinces, load_provinces_2025
from samples.workbooks import spell_districts, write_id_card, write_monthly


def _generate_monthly(kind: str, provinces: list[Province], district_info: dict[str, District], out_dir: Path,
                      rng: random.Random, faults: FaultPlan, later: random.Random) -> list[dict[str, Any]]:
    """Plan and write a monthly kind's workbooks, and the resent file of its correction; their
    truth entries."""
    spec = MONTHLY[kind]
    departures = choose_departures([p.code for p in provinces], kind, rng)
    retoned = {p.code for p in provinces
               if retones([c.name for c in p.communes] + [district_info[d][0] for d in p.districts])}
    choose_later(kind, departures, {"old_tone_marks": retoned}, later)
    plans = []
    hidden_index = 0
    for province in provinces:
        plans.append(make_plan(kind, province, departures[province.code], hidden_index, rng))
        hidden_index += len(plans[-1].hidden)
        plan_later(plans[-1], later)
    entries = []
    replay: tuple[Plan, Any, dict[str, Any]] | None = None
    resend = faults.correction[0] if faults.correction is not None else None
    for plan in plans:
        state = rng.getstate() if plan.province.code == resend else None
        entries.append(write_monthly(spec, plan, out_dir, district_info, rng, faults.tweaks.get(plan.province.code)))
        if state is not None:
            replay = (plan, state, entries[-1])
    if replay is not None and faults.correction is not None:
        # The resent file: the same workbook drawn again from the same state (same layout, names,
        # notes and hidden sheets), with the corrected cells; it arrives last, so it is listed last.
        plan, state, original = replay
        twin = random.Random()
        twin.setstate(state)
        plan = replace(plan, style=Style(plan.departures, twin))
        tweak = faults.correction[1]
        tweak.extra["corrects"] = original["file"]
        entries.append(write_monthly(spec, plan, out_dir, district_info, twin, tweak))
        original["corrected_by"] = entries[-1]["file"]
    return entries


def _generate_id_cards(provinces: list[Province], district_info: dict[str, District], cards: dict[str, IdCard],
                       out_dir: Path, rng: random.Random, later: random.Random) -> list[dict[str, Any]]:
    """Plan the ID-card kind by province and write its six half-month workbooks each; their truth
    entries."""
    departures = choose_departures([p.code for p in provinces], ID_CARD_2021, rng)
    retoned = {p.code for p in provinces if retones([district_info[d][0] for d in p.districts])}
    choose_later(ID_CARD_2021, departures, {"old_tone_marks": retoned}, later)
    entries = []
    hidden_index = 0
    for province in provinces:
        plan = make_plan(ID_CARD_2021, province, departures[province.code], hidden_index, rng)  # the province's habits
        hidden_index += len(plan.hidden)
        plan_later(plan, later)
        card = cards[province.code]
        names = spell_districts(plan, card, district_info)
        for half in range(len(HALF_MONTHS)):
            entries.append(write_id_card(plan, card, half, names, out_dir, rng))
    return entries


def generate_samples(out_dir: Path, seed: int = 2021, kinds: tuple[str, ...] = ALL_KINDS) -> list[Path]:
    """Write the workbooks of ``kinds`` and ``truth.json`` into ``out_dir``; return the workbooks.

    Each kind draws from its own generator seeded from ``seed``, so a kind's files are the same
    bytes whichever other kinds are asked for; modification times are set to the simulated
    arrival moments. The April 2021 staffing figures (sheet 01) and ``national`` are drawn first
    from ``random.Random(seed)``, as before the other sheets existed.
    """
    unknown = set(kinds) - set(ALL_KINDS)
    if unknown:
        raise ValueError(f"unknown kinds: {sorted(unknown)}; expected some of {ALL_KINDS}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    provinces, district_info = load_provinces()
    rng = random.Random(seed)
    draw_figures(provinces, rng)
    faults = draw_faults(MONTHLY_2021, provinces, provinces, random.Random(f"{seed}/faults/{MONTHLY_2021}"))
    entries: list[dict[str, Any]] = []
    id_card: dict[str, Any] = {}
    national_2026: dict[str, int] | None = None
    provinces_2025: list[Province] = []
    if MONTHLY_2021 in kinds:
        draw_activity(provinces, 1.0, rng)
        draw_commendations(provinces, rng)
        draw_activity_faults(faults, provinces)
        entries += _generate_monthly(MONTHLY_2021, provinces, district_info, out_dir, rng, faults,
                                     random.Random(f"{seed}/later/{MONTHLY_2021}"))
        entries += write_broken(entries, provinces, district_info, out_dir, random.Random(f"{seed}/broken"))
    if ID_CARD_2021 in kinds:
        # Each daily row names the units of the list in force on its day: the campaign's districts
        # are the April 2021 provinces' as long as one list is in force from its first day to its last.
        if {list_on(CAMPAIGN_START), list_on(ID_CARD_DEADLINE)} != {list_on(AS_OF)}:
            raise RuntimeError("a unit list changes during the CCCD campaign; the sheets would need each day's units")
        rng_id = random.Random(f"{seed}/{ID_CARD_2021}")
        all_units = reference.communes(ERA, on=list_on(AS_OF))
        unit_counts = all_units.groupby("district_code").size().to_dict()
        cards = draw_id_cards(provinces, unit_counts, population(), rng_id)
        entries += _generate_id_cards(provinces, district_info, cards, out_dir, rng_id,
                                      random.Random(f"{seed}/later/{ID_CARD_2021}"))
        id_card = {code: id_card_summary(cards[code]) for code in sorted(cards)}
    if MONTHLY_2026 in kinds:
        rng_26 = random.Random(f"{seed}/{MONTHLY_2026}")
        provinces_2025 = load_provinces_2025()
        draw_staffing_2026(provinces_2025, rng_26)
        draw_activity(provinces_2025, 2.5, rng_26)
        draw_commendations(provinces_2025, rng_26)
        faults_2026 = draw_faults(MONTHLY_2026, provinces_2025, provinces,
                                  random.Random(f"{seed}/faults/{MONTHLY_2026}"))
        entries += _generate_monthly(MONTHLY_2026, provinces_2025, district_info, out_dir, rng_26, faults_2026,
                                     random.Random(f"{seed}/later/{MONTHLY_2026}"))
        national_2026 = national_totals(provinces_2025, faults_2026)
    files = [e["file"] for e in entries]
    if len(set(files)) != len(files):
        raise RuntimeError("two sample workbooks got the same file name")
    truth = {
        "seed": seed,
        "kinds": [k for k in ALL_KINDS if k in kinds],
        # The unit list each kind's workbooks name their units from (the one in force on its date).
        "unit_lists": {k: (provinces_2025[0] if k == MONTHLY_2026 else provinces[0]).unit_list
                       for k in ALL_KINDS if k in kinds},
        "departure_names": list(DEPARTURES),
        "fault_names": list(FAULTS),
        "broken_names": list(BROKEN_FILES),
        "national": national_totals(provinces, faults),
        "national_2026": national_2026,
        "workbooks": entries,
        "id_card": id_card,
    }
    (out_dir / "truth.json").write_text(truth_text(truth), encoding="utf-8")
    return [out_dir / entry["file"] for entry in entries]
