"""The HTML brief on a brief written by hand: one self-contained page (no reference outside it, the
charts as data: PNGs), the same text as the PDF, escaped, NFC, for a phone."""

from __future__ import annotations

import base64
import re
import unicodedata
from dataclasses import replace

import pytest

from etl.leadership.brief import Paragraph
from etl.leadership.html import write_html
from etl.leadership.pdf import PARTIAL
from tests.builders import HtmlPage, hand_brief, words_of

pytestmark = pytest.mark.unit

def _page(tmp_path, brief, drawn) -> tuple[str, HtmlPage]:
    text = write_html(brief, drawn, tmp_path / "BaoCao_2021-05-31.html").read_text(encoding="utf-8")
    return text, HtmlPage(text)


def test_nothing_is_fetched_from_outside_the_page(tmp_path, drawn):
    text, page = _page(tmp_path, hand_brief(), drawn)
    assert "http://" not in text and "https://" not in text
    assert not {"script", "link", "iframe", "object", "embed", "base", "form"} & set(page.tags)
    for tag, attribute, value in page.references:
        if tag == "meta":
            assert "//" not in value, value
        else:
            assert attribute == "src" and value.startswith("data:image/png;base64,"), (tag, attribute, value[:40])
    assert not [s for s in page.styles if re.search(r"url\(|@import|//", s)]
    policy = next(m["content"] for m in page.meta if m.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in policy and "img-src data:" in policy


def test_the_charts_are_the_pngs_inline_with_alt_text(tmp_path, drawn):
    _, page = _page(tmp_path, hand_brief(), drawn)
    assert len(page.images) == len(drawn) == 3
    for image, chart in zip(page.images, drawn, strict=True):
        assert base64.b64decode(str(image["src"]).split(",", 1)[1]) == chart.png
        assert image["alt"] == chart.alt and chart.title in chart.alt


def test_the_same_text_as_the_brief_and_a_page_for_phones(tmp_path, drawn):
    brief = hand_brief()
    text, page = _page(tmp_path, brief, drawn)
    shown = words_of(" ".join(page.text))
    for expected in (brief.title, brief.subtitle, *(p.heading for p in brief.paragraphs),
                     *(p.text for p in brief.paragraphs), *brief.footer, *(c.title for c in drawn),
                     *(c.caption for c in drawn)):
        assert words_of(expected) in shown
    assert f"An ninh, trật tự {PARTIAL}" in shown and text.count('class="mark"') == 1  # the partial one alone
    assert page.lang == "vi"
    assert {"charset": "utf-8"} in page.meta
    viewport = next(m["content"] for m in page.meta if m.get("name") == "viewport")
    assert "width=device-width" in str(viewport)
    css = " ".join(page.styles)
    assert "max-width" in css and re.search(r"img\s*\{[^}]*width:\s*100%", css)


def test_text_is_escaped_never_markup(tmp_path, drawn):
    hostile = '<script>alert("x")</script> =HYPERLINK("https://example.invalid") & <img src=x onerror=alert(1)>'
    brief = hand_brief(paragraphs=(Paragraph("staffing", "Bố trí <b>", hostile),))
    text, page = _page(tmp_path, brief, [])
    assert "script" not in page.tags and page.images == [] and "b" not in page.tags
    assert words_of(hostile) in words_of(" ".join(page.text))
    assert "https://" in text  # only as escaped text, inside a paragraph
    assert not [r for r in page.references if "example" in r[2]]


def test_decomposed_text_is_written_composed(tmp_path, drawn):
    brief = hand_brief()
    nfd = replace(brief, title=unicodedata.normalize("NFD", brief.title),
                  paragraphs=tuple(replace(p, heading=unicodedata.normalize("NFD", p.heading),
                                           text=unicodedata.normalize("NFD", p.text)) for p in brief.paragraphs),
                  footer=tuple(unicodedata.normalize("NFD", line) for line in brief.footer))
    text, page = _page(tmp_path, nfd, drawn)
    assert unicodedata.is_normalized("NFC", text)
    assert words_of(brief.paragraphs[0].text) in words_of(" ".join(page.text))
