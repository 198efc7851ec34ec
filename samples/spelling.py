"""How a workbook spells things: Vietnamese text without diacritics, comparison keys, dates and
numbers as Vietnamese clerks type them, stray spaces, tone marks placed the old way ("Hoà" for
the reference's "Hòa"), and ``Style``, one workbook's habits for unit names and row labels."""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

_ABBREV = {"xã": "X.", "thị trấn": "TT.", "phường": "P.", "đặc khu": "ĐK.", "huyện": "H.", "thị xã": "TX.",
           "thành phố": "TP.", "quận": "Q."}


def no_diacritics(text: str) -> str:
    """Vietnamese text without diacritics ('đ' is a letter of its own, not a combining mark)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def name_key(text: str) -> str:
    """Comparison key for written names: what survives case, spacing and Unicode form."""
    return "".join(ch for ch in unicodedata.normalize("NFC", text).lower() if ch.isalnum())


def dmy(day: date) -> str:
    """23/4/2021: day and month without zero padding, as in the template's header."""
    return f"{day.day}/{day.month}/{day.year}"


def vn_int(value: int) -> str:
    """1234 -> '1.234' (Vietnamese thousands separator)."""
    return f"{value:,}".replace(",", ".")


def stray_spaces(text: str, rng: random.Random) -> str:
    """``text`` with a double or non-breaking space between two words, or spaces at its edges."""
    words = text.split(" ")
    how = rng.choice(("double", "nbsp", "edges"))
    if how == "edges" or len(words) < 2:
        return rng.choice((" ", "  ", "\u00a0")) + text + rng.choice(("", " ", "  "))
    gap = rng.randrange(1, len(words))
    sep = "  " if how == "double" else "\u00a0"
    return " ".join(words[:gap]) + sep + " ".join(words[gap:])


_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below
# A syllable ending in oa, oe or uy (not the u of "qu") with the tone mark on its first vowel, in NFD.
_FIRST_VOWEL_TONE = re.compile(f"(?<![qQ])([oO])([{_TONE_MARKS}])([aAeE])(?![\\w\u0300-\u036f])"
                               f"|(?<![qQ])([uU])([{_TONE_MARKS}])([yY])(?![\\w\u0300-\u036f])")


def move_tones(text: str) -> str:
    """'Hòa' -> 'Hoà', 'Thụy' -> 'Thuỵ', 'Khóa' -> 'Khoá': the tone mark of a final oa, oe or uy
    moved from the first vowel, where the reference list puts it, to the second (NFC in and out).
    Both are valid NFC text: normalisation does not make them equal."""
    decomposed = unicodedata.normalize("NFD", text)
    moved = _FIRST_VOWEL_TONE.sub(lambda m: m.group(1) + m.group(3) + m.group(2) if m.group(1)
                                  else m.group(4) + m.group(6) + m.group(5), decomposed)
    return text if moved == decomposed else unicodedata.normalize("NFC", moved)


@dataclass
class Style:
    """How one workbook writes names, figures and dates."""

    departures: set[str]
    rng: random.Random

    def _case_and_form(self, text: str) -> str:
        if "old_tone_marks" in self.departures:
            text = move_tones(text)
        if "names_no_diacritics" in self.departures:
            text = no_diacritics(text)
        if "names_upper" in self.departures:
            text = text.upper()
        if "names_nfd" in self.departures:
            text = unicodedata.normalize("NFD", text)
        return text

    def unit(self, full_name: str, base_name: str | None, unit_type: str, spaces: bool) -> str:
        """A district or commune name as this workbook writes it (``base_name``: see ``name_without_type``)."""
        if base_name is None:
            text = full_name  # 'Phường 5' filed as a xã: no type word to drop or abbreviate
        elif "names_no_prefix" in self.departures:
            text = base_name
        elif "names_prefix_abbrev" in self.departures:
            text = f"{_ABBREV[unit_type]} {base_name}"
        else:
            text = full_name
        text = self._case_and_form(text)
        return stray_spaces(text, self.rng) if spaces else text

    def label(self, text: str) -> str:
        """Row labels ('Tổng cộng', 'Cộng huyện ...', levels) follow the workbook's typing habits."""
        return self._case_and_form(text)
