"""The broken files (``BROKEN_FILES``).

Beside the April 2021 reports lie five broken files, each once and never in place of a
province's good report: a PDF named .xlsx, an empty file, the first half of a province's
workbook, a province's workbook encrypted with the password ``BROKEN_PASSWORD``
(msoffcrypto-tool, its salts and clock seeded so the bytes are reproducible), and a province's
workbook with every figure cell empty.
"""

from __future__ import annotations

import contextlib
import io
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# Imported here, not where they are used, so that a missing msoffcrypto-tool fails `import samples`
# (and `cax sample` names the install command) before any workbook is written.
from msoffcrypto.format.ooxml import OOXMLFile
from msoffcrypto.method import ecma376_agile
from msoffcrypto.method.container import ecma376_encrypted

from samples.books import XlsxBook
from samples.kinds import AS_OF, ERA, HAI_DUONG, MONTHLY_2021, PERIOD, REPORT_TITLE
from samples.monthly import MONTHLY, MonthlyBook
from samples.plan import arrival_time, make_plan, province_words, stamp_arrival
from samples.spelling import no_diacritics
from samples.tables import Sum, write_table
from samples.units import District, Province

# Broken files (April 2021 only), each once, beside the provinces' good reports; truth.json lists
# each as a workbook entry with "broken" (one of these), "sheets" {} and "expect" "rejected".
BROKEN_FILES = (
    "not_a_spreadsheet",   # a PDF saved under an .xlsx name
    "empty_file",          # 0 bytes
    "truncated",           # the first half of a province's good workbook, under another name
    "password_protected",  # a province's good workbook encrypted (ECMA-376 agile) with BROKEN_PASSWORD
    "blank_template",      # a province's monthly workbook, units listed, every figure cell empty
)
BROKEN_PASSWORD = "matkhau"


def _pdf_bytes(province: Province) -> bytes:
    """A one-page PDF (a scanned report), the bytes of a file that is no spreadsheet at all."""
    text = f"BAO CAO KET QUA TRIEN KHAI CONG AN XA CHINH QUY - {no_diacritics(province.police)} - THANG 4/2021"
    stream = f"BT /F1 11 Tf 40 800 Td ({text}) Tj ET".encode("ascii")
    parts = [
        b"%PDF-1.4", b"%\xe2\xe3\xcf\xd3",
        b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj",
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj",
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >> endobj",
        b"4 0 obj << /Length %d >> stream" % len(stream), stream, b"endstream endobj",
        b"5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj",
        b"trailer << /Root 1 0 R >>", b"%%EOF",
    ]
    return b"\n".join(parts) + b"\n"


@contextlib.contextmanager
def _seeded_msoffcrypto(rng: random.Random, when: datetime) -> Iterator[bool]:
    """For its duration, msoffcrypto-tool draws its salts and keys from ``rng`` (instead of
    ``secrets``) and stamps its container with ``when`` (instead of the current time), so that an
    encrypted sample file is the same bytes for a seed; yields False, changing nothing, where this
    version of the package has no such hooks."""
    if not (hasattr(ecma376_agile, "_random_buffer") and hasattr(ecma376_encrypted, "datetime")):
        yield False
        return
    naive = when.astimezone(UTC).replace(tzinfo=None)

    class _Clock(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return naive

    saved = ecma376_agile._random_buffer, ecma376_encrypted.datetime
    ecma376_agile._random_buffer = rng.randbytes
    ecma376_encrypted.datetime = _Clock
    try:
        yield True
    finally:
        ecma376_agile._random_buffer, ecma376_encrypted.datetime = saved


def _encrypt(data: bytes, rng: random.Random, when: datetime) -> tuple[bytes, bool]:
    """An .xlsx workbook encrypted with ``BROKEN_PASSWORD`` as Excel does (ECMA-376 agile, AES-256 in
    an OLE container); and whether the bytes are reproducible (``_seeded_msoffcrypto``)."""
    out = io.BytesIO()
    with _seeded_msoffcrypto(rng, when) as seeded:
        OOXMLFile(io.BytesIO(data)).encrypt(BROKEN_PASSWORD, out)
    return out.getvalue(), seeded


def _write_blank(province: Province, district_info: dict[str, District], path: Path, created: datetime,
                 rng: random.Random) -> list[str]:
    """blank_template: the province's April 2021 workbook as the template has it (title block, headers,
    the units listed with their numbers, the level labels and the total rows) with every figure,
    date and note cell empty; its sheet names."""
    spec = MONTHLY[MONTHLY_2021]
    plan = make_plan(MONTHLY_2021, province, set(), 0, rng)
    written: list[tuple[str | None, str]] = [
        (plan.style.unit(*district_info[c.district_code or ""], spaces=False),
         plan.style.unit(c.name, c.base_name, c.unit_type, spaces=False)) for c in province.communes]
    book_plan = MonthlyBook(spec, plan, district_info, written, plan.has_codes, rng)
    book = XlsxBook(path, created, REPORT_TITLE[spec.kind].capitalize(), province.police_office)
    handles = []
    for code in plan.order:
        table = book_plan.table(code, record=False)
        for row in table.rows:
            for key, value in row.cells.items():
                if isinstance(value, Sum) or (row.kind == "data" and key not in ("stt", "district", "name", "code",
                                                                                 "level")):
                    row.cells[key] = None
        handles.append(write_table(book, table, set())[0])
    book.close(handles[0])
    return list(book.names)


def write_broken(entries: list[dict[str, Any]], provinces: list[Province], district_info: dict[str, District],
                 out_dir: Path, rng: random.Random) -> list[dict[str, Any]]:
    """The broken files of April 2021 (``BROKEN_FILES``), each once, beside the good reports: each
    from its own province (never Hải Dương), one whose good report is an on-time .xlsx file with no
    fault, named after it and arriving on the afternoon of 23/4/2021; their truth entries."""
    by_code = {p.code: p for p in provinces}
    sources = [e for e in entries if e["kind"] == MONTHLY_2021 and e["format"] == "xlsx" and not e["faults"]
               and "corrected_by" not in e and e["province_code"] != HAI_DUONG]
    out = []
    for broken, source in zip(BROKEN_FILES, rng.sample(sources, len(BROKEN_FILES)), strict=True):
        province = by_code[source["province_code"]]
        plain, _, slug = province_words(province)
        stem = source["file"].rsplit(".", 1)[0]
        arrival = arrival_time(AS_OF, rng)
        names: list[str] = []
        reproducible = True
        if broken == "not_a_spreadsheet":
            file_name, data = f"Bao cao CAX thang 4.2021 - {plain}.xlsx", _pdf_bytes(province)
        elif broken == "empty_file":
            file_name, data = f"{province.code}_{slug}_BC_T04-2021.xlsx", b""
        elif broken == "truncated":  # a download or copy cut short
            good = (out_dir / source["file"]).read_bytes()
            file_name, data = f"{stem} (1).xlsx", good[: len(good) // 2]
        elif broken == "password_protected":
            good = (out_dir / source["file"]).read_bytes()
            file_name = f"{stem} (mat khau).xlsx"
            data, reproducible = _encrypt(good, random.Random(rng.getrandbits(64)), arrival)
        else:
            file_name, data = f"Mau bieu thang 4-2021 - {plain}.xlsx", None
        path = out_dir / file_name
        if data is None:
            names = _write_blank(province, district_info, path, arrival - timedelta(minutes=rng.randint(5, 60)),
                                 random.Random(rng.getrandbits(64)))
        else:
            path.write_bytes(data)
        stamp_arrival(path, arrival)
        entry: dict[str, Any] = {
            "file": file_name, "kind": MONTHLY_2021, "era": ERA, "unit_list": province.unit_list,
            "province_code": province.code,
            "province_name": province.full_name, "period": f"{PERIOD[0]:04d}-{PERIOD[1]:02d}",
            "as_of_date": AS_OF.isoformat(), "date_from": None, "date_to": None, "departures": [], "faults": [],
            "format": "xlsx", "sheet_names": names, "hidden_sheets": [], "extra_sheets": [], "chart_sheets": [],
            "modified": arrival.isoformat(), "sheets": {}, "broken": broken, "expect": "rejected",
        }
        if broken in ("truncated", "password_protected"):
            entry["copy_of"] = source["file"]
        if not reproducible:
            entry["reproducible"] = False
        out.append(entry)
    return out
