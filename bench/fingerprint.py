"""Fingerprint of the sample night: what a refactoring must leave unchanged.

    python bench/fingerprint.py --out before.json            # generate, load, fingerprint
    python bench/fingerprint.py --out after.json
    python bench/fingerprint.py --compare before.json after.json

Generates the sample workbooks (seed 2021) with ``cax sample``, loads them into a fresh warehouse
with ``cax ingest`` (the command-line contract, so the script works on any version of the
package), then records per fact and audit table its row count and an order-independent checksum
of its rows, the sample files' checksum, and the national figures: every nationwide row of the
staffing, security, commendation, ID-card and indicator marts (read from the ``national_*``
views where they exist, else from the province views' rows with a null province code).
Columns that differ between two honest runs (run ids, load timestamps) are left out.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

BIN = Path(sys.executable).parent
# Per table, the columns that change from one run to the next whatever the code does.
VOLATILE = {"run_id", "loaded_at", "taken_in_at", "started_at", "finished_at"}
# Columns added since the first fingerprint was taken, left out so that fingerprints compare.
ADDED = {"audit.submission": {"template"}}
TABLES = ("dw.fact_commune_staffing", "dw.fact_security_activity", "dw.fact_id_card_applications",
          "dw.fact_id_card_target", "dw.fact_commendation", "dw.dim_submission", "audit.submission",
          "audit.quarantine", "audit.warning", "audit.file")
# National view (new layout) -> the province view whose null-province rows it replaced (old layout).
NATIONAL = {"national_staffing": None, "national_security_activity": "security_activity",
            "national_commendations": "commendations", "national_id_card_progress": "id_card_progress",
            "national_indicators": "indicators"}


def _digest(rows: list[tuple]) -> str:
    lines = sorted(json.dumps([None if v is None else str(v) for v in row], ensure_ascii=False) for row in rows)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def _columns(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> list[str]:
    return [r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ?"
        " order by ordinal_position", [schema, name]).fetchall()]


def _views(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("select table_name from information_schema.tables"
                                      " where table_schema = 'mart'").fetchall()}


def fingerprint(warehouse: Path, landing: Path) -> dict:
    files = sorted(p for p in landing.iterdir() if p.is_file())
    out: dict = {"sample_files": len(files),
                 "sample_checksum": _digest([(p.name, hashlib.sha256(p.read_bytes()).hexdigest()) for p in files]),
                 "tables": {}, "national": {}}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        for table in TABLES:
            schema, name = table.split(".")
            columns = [c for c in _columns(con, schema, name) if c not in VOLATILE | ADDED.get(table, set())]
            rows = con.execute(f"select {', '.join(columns)} from {table}").fetchall()
            out["tables"][table] = {"rows": len(rows), "checksum": _digest(rows)}
        views = _views(con)
        for national, province_view in NATIONAL.items():
            if national in views:
                columns = [c for c in _columns(con, "mart", national) if c not in ("province_code", "province_name")]
                source = f"mart.{national}"
                where = ""
            else:
                columns = [c for c in _columns(con, "mart", province_view or national)
                           if c not in ("province_code", "province_name")]
                source, where = f"mart.{province_view}", " where province_code is null"
            rows = con.execute(f"select {', '.join(columns)} from {source}{where}").fetchall()
            out["national"][national] = {"rows": len(rows), "checksum": _digest(rows)}
        out["headline"] = [list(map(str, r)) for r in con.execute(
            "select as_of_date, admin_era, provinces_reporting, officers, communes_staffed, communes_in_scope,"
            " round(coverage_pct, 2), round(officers_per_commune, 3) from mart.national_staffing"
            " order by period_start, admin_era").fetchall()]
    finally:
        con.close()
    return out


def run(out: Path) -> dict:
    with tempfile.TemporaryDirectory(prefix="cax-fingerprint-") as tmp:
        root = Path(tmp)
        env = {**os.environ, "CAX_VAR": str(root / "var"), "CAX_WAREHOUSE": str(root / "var" / "warehouse.duckdb")}
        landing = root / "landing"
        subprocess.run([str(BIN / "cax"), "sample", "--out", str(landing)], check=True, env=env,
                       stdout=subprocess.DEVNULL)
        code = subprocess.run([str(BIN / "cax"), "ingest", str(landing)], env=env, stdout=subprocess.DEVNULL).returncode
        if code not in (0, 3):
            raise SystemExit(f"cax ingest exited {code}")
        result = fingerprint(root / "var" / "warehouse.duckdb", landing)
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return result


def compare(before: dict, after: dict) -> int:
    differences = 0
    print(f"{'what':45} {'rows before':>12} {'rows after':>12}  checksum")
    for section in ("tables", "national"):
        for name in sorted(set(before[section]) | set(after[section])):
            a, b = before[section].get(name, {}), after[section].get(name, {})
            same = a == b
            differences += not same
            print(f"{section + ' ' + name:45} {a.get('rows', '-'):>12} {b.get('rows', '-'):>12}  "
                  f"{b.get('checksum', '-')} {'same' if same else 'DIFFERENT'}")
    for key in ("sample_files", "sample_checksum", "headline"):
        same = before.get(key) == after.get(key)
        differences += not same
        print(f"{key:45} {'same' if same else 'DIFFERENT: ' + str(before.get(key)) + ' / ' + str(after.get(key))}")
    print("identical" if not differences else f"{differences} difference(s)")
    return 1 if differences else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        before, after = (json.loads(p.read_text(encoding="utf-8")) for p in args.compare)
        raise SystemExit(compare(before, after))
    if not args.out:
        parser.error("give --out or --compare")
    result = run(args.out)
    print(json.dumps(result["tables"], indent=1))


if __name__ == "__main__":
    main()
