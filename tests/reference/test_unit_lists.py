"""The dated unit lists under reference/unit_lists/ (issue 10), read as committed, against facts
established by hand: the Ministry's article (Hải Dương's 188 xã and thị trấn in 2021), the
project's guide (27 of them absent from the lists of 2025), and the form of GSO codes."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

LISTS = Path(__file__).resolve().parents[2] / "reference" / "unit_lists"
COLUMNS = ["unit_code", "name", "type", "district_code", "district_name", "province_code", "province_name"]
HAI_DUONG = "30"
IN_SCOPE_BEFORE_2025 = {"xã", "thị trấn"}


def _read(name: str) -> list[dict[str, str]]:
    with gzip.open(LISTS / name, "rt", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == COLUMNS
        return list(reader)


def _files() -> list[str]:
    return sorted(p.name for p in LISTS.glob("*.csv.gz"))


def test_provenance_names_every_file_with_its_sha256():
    provenance = json.loads((LISTS / "provenance.json").read_text(encoding="utf-8"))
    named = {record["file"]: record["sha256"] for record in provenance["lists"]}
    assert sorted(named) == _files()
    for name, digest in named.items():
        assert hashlib.sha256((LISTS / name).read_bytes()).hexdigest() == digest, name


@pytest.mark.parametrize("name", _files())
def test_codes_are_five_digits_and_unique(name):
    units = _read(name)
    codes = [u["unit_code"] for u in units]
    assert all(len(c) == 5 and c.isdigit() for c in codes)
    assert len(set(codes)) == len(codes)
    assert all(len(u["district_code"]) == 3 and len(u["province_code"]) == 2 for u in units)
    # Before July 2025 there were 63 provinces, each unit one of three types.
    assert len({u["province_code"] for u in units}) == 63
    assert {u["type"] for u in units} == {"xã", "phường", "thị trấn"}


def test_hai_duong_has_its_188_communes_and_towns_in_the_list_of_2021():
    # "188/188 xã, thị trấn" (the Ministry's article on Hải Dương, April 2021).
    units = [u for u in _read("units_2021-02-03.csv.gz") if u["province_code"] == HAI_DUONG]
    assert sum(u["type"] in IN_SCOPE_BEFORE_2025 for u in units) == 188
    assert {u["province_name"] for u in units} == {"Tỉnh Hải Dương"}


def test_27_of_them_are_absent_from_the_list_of_january_2025():
    old = {u["unit_code"] for u in _read("units_2021-02-03.csv.gz")
           if u["province_code"] == HAI_DUONG and u["type"] in IN_SCOPE_BEFORE_2025}
    new = {u["unit_code"] for u in _read("units_2025-01-04.csv.gz")}
    assert len(old - new) == 27


def test_types_of_january_2025_come_from_the_names_not_the_package_label():
    # vietnam-provinces 0.5.8 labels every unit "xã"; Phúc Xá of Ba Đình is a phường.
    units = {u["unit_code"]: u for u in _read("units_2025-01-04.csv.gz")}
    assert units["00001"]["name"] == "Phường Phúc Xá"
    assert units["00001"]["type"] == "phường"
