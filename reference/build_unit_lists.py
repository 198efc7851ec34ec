"""Build the dated official unit lists (GSO's Danh mục đơn vị hành chính) from the past releases
of the PyPI package ``vietnam-provinces``, as compact data files with their provenance.

Run by hand, once, when a list is added (it needs pip and the network; the nightly product never
runs it):

    python reference/build_unit_lists.py            # downloads the wheels into a temporary folder
    python reference/build_unit_lists.py --wheels DIR   # or reuses wheels already downloaded there

Only the data is taken (the package's code is GPL; the lists are the government's code list):
``vietnam_provinces/data/nested-divisions.json`` of each wheel becomes
``reference/unit_lists/units_<data date>.csv.gz`` (unit_code, name, type, district_code,
district_name, province_code, province_name), and ``provenance.json`` records for each file the
package version, the wheel's sha256, the release date and how it was established, the date the
data was taken from the GSO and how that is known, and the counts. A version whose unit data is
byte-identical to an earlier version's is not written again: it is named in that list's record.

Types: from the official full name's prefix ("Xã", "Phường", "Thị trấn"), which is the type.
The package's own ``division_type`` agrees with it in every list up to 0.5.0; 0.5.8 and 0.6.0
label every unit "xã", so each list's types are also checked against the previous list kept,
for units whose code and name are unchanged (recorded in the provenance).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from datetime import datetime
from pathlib import Path

PACKAGE = "vietnam-provinces"
# Every release before the 2025 reform (the 2025.x releases hold the 34-province list, which
# vietnamadminunits already gives).
VERSIONS = ("0.2", "0.2.1", "0.2.2", "0.3.0", "0.4.0", "0.4.1", "0.4.2", "0.4.3", "0.5.0", "0.5.8", "0.6.0")
DATA_MEMBER = "vietnam_provinces/data/nested-divisions.json"
OUT = Path(__file__).resolve().parent / "unit_lists"
COLUMNS = ("unit_code", "name", "type", "district_code", "district_name", "province_code", "province_name")
TYPES = ("thị trấn", "phường", "xã")  # "thị trấn" before anything it could be confused with


def type_of(name: str) -> str | None:
    """The type an official full name begins with ('Thị Trấn Mường Chà' is spelled so in 2020-21)."""
    lowered = name.lower()
    return next((t for t in TYPES if lowered.startswith(t + " ")), None)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def download(version: str, into: Path, pip: str) -> Path:
    found = sorted(into.glob(f"vietnam_provinces-{version}-*.whl"))
    if not found:
        subprocess.run([pip, "download", f"{PACKAGE}=={version}", "--no-deps", "--only-binary=:all:",
                        "-d", str(into), "-q"], check=True)
        found = sorted(into.glob(f"vietnam_provinces-{version}-*.whl"))
    if len(found) != 1:
        raise SystemExit(f"expected one wheel of {PACKAGE} {version} in {into}, found {found}")
    return found[0]


def pypi_files() -> dict[str, dict]:
    """Wheel file name -> its PyPI record (upload time, sha256), or {} when PyPI is unreachable."""
    try:
        with urllib.request.urlopen(f"https://pypi.org/pypi/{PACKAGE}/json", timeout=30) as answer:
            releases = json.load(answer)["releases"]
    except OSError as error:
        print(f"PyPI's JSON API unreachable ({error}): release dates from the wheels alone", file=sys.stderr)
        return {}
    return {f["filename"]: f for files in releases.values() for f in files}


def release_date(wheel: Path, archive: zipfile.ZipFile, pypi: dict[str, dict]) -> tuple[str | None, str]:
    record = pypi.get(wheel.name)
    if record:
        if record["digests"]["sha256"] != sha256(wheel.read_bytes()):
            raise SystemExit(f"{wheel.name}: sha256 differs from PyPI's")
        return record["upload_time_iso_8601"][:10], "PyPI JSON API: upload time of this wheel (sha256 checked)"
    # Reproducible builds stamp 1980-01-01 (or 2016-01-01 on dist-info): no date then.
    stamps = {datetime(*i.date_time).date().isoformat() for i in archive.infolist() if i.date_time[0] > 2016}
    if len(stamps) == 1:
        return stamps.pop(), "date of the files inside the wheel"
    return None, "unknown: PyPI unreachable and the wheel's file dates are build placeholders"


def data_date(archive: zipfile.ZipFile) -> tuple[str | None, str]:
    """When the list was taken from the GSO, as the package states it."""
    init = archive.read("vietnam_provinces/__init__.py").decode("utf-8")
    found = re.search(r"__data_version__\s*=\s*['\"](\d{4}-\d{2}-\d{2})['\"]", init)
    if found:
        return found.group(1), "__data_version__ in vietnam_provinces/__init__.py ('Data retrieval date, in UTC')"
    metadata = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
    seeds = set(re.findall(r"Xa_(\d{4}-\d{2}-\d{2})\.csv", archive.read(metadata).decode("utf-8")))
    if len(seeds) == 1:
        return seeds.pop(), "name of the GSO export the package README says it built the data from (Xa_<date>.csv)"
    return None, "unknown"


def rows(divisions: list[dict]) -> list[dict[str, str]]:
    out = []
    for province in divisions:
        for district in province["districts"]:
            for ward in district["wards"]:
                out.append({
                    "unit_code": f"{ward['code']:05d}", "name": ward["name"].strip(),
                    "type": type_of(ward["name"]) or ward["division_type"],
                    "package_type": ward["division_type"],
                    "district_code": f"{district['code']:03d}", "district_name": district["name"].strip(),
                    "province_code": f"{province['code']:02d}", "province_name": province["name"].strip(),
                })
    return sorted(out, key=lambda r: r["unit_code"])


def write_csv_gz(path: Path, units: list[dict[str, str]]) -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(units)
    # mtime 0 and no file name inside: the same list gives the same bytes on every run.
    data = gzip.compress(text.getvalue().encode("utf-8"), compresslevel=9, mtime=0)
    path.write_bytes(data)
    return data


def counts(units: list[dict[str, str]], divisions: list[dict]) -> dict:
    by_type: dict[str, int] = {}
    for u in units:
        by_type[u["type"]] = by_type.get(u["type"], 0) + 1
    return {
        "provinces": len({u["province_code"] for u in units}),
        # A few districts hold no commune-level unit (island districts such as Hoàng Sa).
        "districts_with_units": len({u["district_code"] for u in units}),
        "districts_in_package": sum(len(p["districts"]) for p in divisions),
        "units": len(units),
        "by_type": dict(sorted(by_type.items())),
    }


def build(wheels: Path, pip: str) -> list[dict]:
    pypi = pypi_files()
    lists: list[dict] = []
    by_hash: dict[str, dict] = {}
    previous: dict[str, dict[str, str]] = {}
    for version in VERSIONS:
        wheel = download(version, wheels, pip)
        with zipfile.ZipFile(wheel) as archive:
            raw = archive.read(DATA_MEMBER)
            released, released_how = release_date(wheel, archive, pypi)
            dated, dated_how = data_date(archive)
        wheel_record = {"version": version, "wheel": wheel.name, "wheel_sha256": sha256(wheel.read_bytes()),
                        "release_date": released, "release_date_source": released_how}
        if sha256(raw) in by_hash:
            by_hash[sha256(raw)]["identical_data_in"].append(wheel_record)
            continue
        divisions = json.loads(raw)
        units = rows(divisions)
        package_disagrees = sum(u["type"] != u["package_type"] for u in units)
        same = [u for u in units if u["unit_code"] in previous and previous[u["unit_code"]]["name"] == u["name"]]
        type_changed = [u["unit_code"] for u in same if previous[u["unit_code"]]["type"] != u["type"]]
        file = OUT / f"units_{dated}.csv.gz"
        data = write_csv_gz(file, units)
        record: dict = {
            "file": file.name, "sha256": sha256(data), "package": PACKAGE, **wheel_record,
            "data_member": DATA_MEMBER, "data_member_sha256": sha256(raw),
            "data_date": dated, "data_date_source": dated_how,
            "type_source": "the prefix of the official full name (Xã, Phường, Thị trấn)",
            "package_type_disagreements": package_disagrees,
            "type_check_against_previous_list": None if not previous else {
                "units_with_same_code_and_name": len(same), "type_differs": type_changed},
            "counts": counts(units, divisions), "identical_data_in": [],
        }
        lists.append(record)
        by_hash[sha256(raw)] = record
        previous = {u["unit_code"]: u for u in units}
    return lists


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheels", type=Path, help="folder of wheels (downloaded into it when missing)")
    parser.add_argument("--pip", default=shutil.which("pip") or "pip", help="the pip to download with")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        wheels = args.wheels or Path(scratch)
        wheels.mkdir(parents=True, exist_ok=True)
        lists = build(wheels, args.pip)
    provenance = {
        "what": "GSO official unit lists (Danh mục đơn vị hành chính), commune level, as shipped in past "
                f"releases of the PyPI package {PACKAGE}; data only (the package's code is GPL-3.0-or-later)",
        "built_by": "reference/build_unit_lists.py",
        "columns": list(COLUMNS),
        "lists": lists,
    }
    (OUT / "provenance.json").write_text(json.dumps(provenance, ensure_ascii=False, indent=2) + "\n",
                                         encoding="utf-8")
    for record in lists:
        print(record["file"], record["version"], record["counts"]["units"], "units,",
              "also", [r["version"] for r in record["identical_data_in"]])


if __name__ == "__main__":
    main()
