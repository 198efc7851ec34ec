"""The PDF brief on a brief written by hand (tests/builders.hand_brief): its text read back with
pypdfium2, the partial paragraph marked, the footer and page number on every page, the embedded
DejaVu Sans, NFC text, fixed metadata and the same bytes on a second run."""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import replace
from datetime import date

import pypdfium2 as pdfium
import pytest

from etl.leadership.brief import Paragraph
from etl.leadership.pdf import PARTIAL, write_pdf
from tests.builders import hand_brief, pdf_pages, words_of

pytestmark = pytest.mark.unit


def test_every_sentence_and_footer_line_is_in_the_text(tmp_path, drawn, caplog):
    brief = hand_brief()
    with caplog.at_level(logging.WARNING, logger="fpdf"):
        path = write_pdf(brief, drawn, tmp_path / "BaoCao_2021-05-31.pdf")
    assert not [r for r in caplog.records if "missing" in r.getMessage()]  # no glyph missing from the font
    pages = pdf_pages(path)
    assert 1 <= len(pages) <= 2
    text = words_of(" ".join(pages))
    for expected in (brief.title, brief.subtitle, *(p.heading for p in brief.paragraphs),
                     *(p.text for p in brief.paragraphs), *(c.title for c in drawn), *(c.caption for c in drawn)):
        assert words_of(expected) in text
    for number, page in enumerate(pages, start=1):
        for line in brief.footer:
            assert words_of(line) in words_of(page), f"page {number} lacks the footer line {line!r}"
        assert f"Trang {number}/{len(pages)}" in page


def test_a_partial_paragraph_is_marked_and_only_it(tmp_path, drawn):
    text = words_of(" ".join(pdf_pages(write_pdf(hand_brief(), drawn, tmp_path / "a.pdf"))))
    assert text.count(f"({PARTIAL})") == 1
    assert f"An ninh, trật tự ({PARTIAL})" in text
    whole = words_of(" ".join(pdf_pages(write_pdf(hand_brief(partial=False), drawn, tmp_path / "b.pdf"))))
    assert f"({PARTIAL})" not in whole


def test_text_given_decomposed_is_written_composed(tmp_path):
    brief = hand_brief()
    nfd = replace(brief, title=unicodedata.normalize("NFD", brief.title),
                  paragraphs=tuple(replace(p, text=unicodedata.normalize("NFD", p.text)) for p in brief.paragraphs),
                  footer=tuple(unicodedata.normalize("NFD", line) for line in brief.footer))
    assert nfd.title != brief.title
    text = " ".join(pdf_pages(write_pdf(nfd, [], tmp_path / "nfd.pdf")))
    assert unicodedata.is_normalized("NFC", text)
    assert words_of(brief.paragraphs[0].text) in words_of(text)
    assert brief.title in text


def test_a_long_brief_stays_on_two_pages_with_the_footer_on_both(tmp_path, drawn):
    long = Paragraph("province:30", "Tỉnh Hải Dương", " ".join(["Công an tỉnh Hải Dương đã tiếp nhận 991.830 hồ sơ "
                                                                 "đề nghị cấp thẻ CCCD gắn chip."] * 12))
    brief = hand_brief(paragraphs=(*hand_brief().paragraphs, long, long))
    pages = pdf_pages(write_pdf(brief, drawn, tmp_path / "long.pdf"))
    assert len(pages) == 2
    assert ["Trang 1/2" in pages[0], "Trang 2/2" in pages[1]] == [True, True]
    assert all(words_of(brief.footer[-1]) in words_of(page) for page in pages)


def test_metadata_and_the_same_bytes_twice(tmp_path, drawn):
    brief = hand_brief()
    first = write_pdf(brief, drawn, tmp_path / "one.pdf").read_bytes()
    second = write_pdf(brief, drawn, tmp_path / "two.pdf").read_bytes()
    assert first == second
    document = pdfium.PdfDocument(first)
    try:
        metadata = document.get_metadata_dict()
        assert metadata["Title"] == brief.title and metadata["Author"] == "cax"
        assert metadata["CreationDate"].startswith("D:20210531000000")  # the as-of day, Vietnam time
        page = document[0]
        assert (round(page.get_width() * 25.4 / 72), round(page.get_height() * 25.4 / 72)) == (210, 297)  # A4
    finally:
        document.close()
    # Both faces embedded (subsets of the TrueType files), none of the PDF's standard fonts.
    assert sorted(set(re.findall(rb"/BaseFont /\w+\+(\w+)", first))) == [b"DejaVuSansBold", b"DejaVuSansBook"]
    assert b"/FontFile2" in first and b"/Helvetica" not in first
    later = write_pdf(replace(brief, as_of=date(2021, 6, 30)), drawn, tmp_path / "later.pdf").read_bytes()
    assert later != first


def test_written_beside_then_renamed_over_an_older_file(tmp_path, drawn):
    path = tmp_path / "BaoCao.pdf"
    path.write_bytes(b"an older brief")
    write_pdf(hand_brief(), drawn, path)
    assert path.read_bytes().startswith(b"%PDF-")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["BaoCao.pdf"]  # no temporary file left
