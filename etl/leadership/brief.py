"""The leadership brief's words: headline sentences computed from ``Figures``, in the style of the
Ministry's own reports (reference: docs/sources.md), with the as-of date, the boundaries, the unit
list and how complete the figures are.

A figure that adds up every expected province is written in the rounding words ("hơn 44.000"); a
figure some province is missing from says so and is written exactly, never rounded over the gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


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
