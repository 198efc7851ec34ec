"""``make bench``: every benchmark in one run, printed as a table and saved to bench/results/.

    python bench/run.py [--quick] [--parts national,single,backfill,airflow,queries] [--repeats N]

Parts (see README, "Performance"):
- national: the sample night and a generated month-end night of 2026, each by ``cax ingest`` (stage
  by stage, peak memory), by the floor (bench/floor.py) and by the naive pipeline (bench/naive.py),
  interleaved, medians of ``--repeats`` rounds;
- single: ``cax ingest`` of one resent workbook into a warehouse holding the 2026 night;
- backfill: a year of daily ID-card workbooks (63 provinces x 365 days) in one ``cax ingest``, once;
- airflow: the 2026 night as one scheduled ``cax_nightly`` run against ``cax ingest``, and a week of
  nights through ``airflow backfill create`` (bench/scheduler.py), once;
- queries: the analysts' queries on a synthetic ten-year history (bench/history.py, bench/queries.py).
Generated inputs are cached under var/bench/cache (built once, never timed); every run works in
var/bench/work. Times are never asserted: the table says which goals were met.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from measure import BIN, ROOT, Table, environment, interleaved, medians, run, write_results

CACHE = ROOT / "var" / "bench" / "cache"
WORK = ROOT / "var" / "bench" / "work"
RESULTS = ROOT / "bench" / "results"
SINGLE_BASE = WORK / "single-base"
PARTS = ("national", "single", "backfill", "airflow", "queries")

# The goals of issue 13, on this 2-core machine.
GOAL_OURS_TO_FLOOR = 2.0
GOAL_NAIVE_TO_OURS = 10.0
GOAL_SINGLE_BEYOND_GX_S = 3.0
GOAL_BACKFILL_WB_PER_S = 50.0
GOAL_AIRFLOW_TO_CLI = 1.5
GOAL_NATIONAL_QUERY_MS = 100.0
GOAL_PEAK_MIB = 1024.0


def ingest(paths: list[Path], var: Path, proportional: bool = False) -> dict[str, Any]:
    """``cax ingest`` in its own process (as a person runs it) into ``var``, with its stage timings;
    ``proportional``: its memory sampled with shared pages counted once (slower to sample)."""
    timings = var / "timings.json"
    var.mkdir(parents=True, exist_ok=True)
    done = run([str(BIN / "cax"), "ingest", *map(str, paths), "--timings", str(timings)], env=environment(var),
               ok=(0, 3), proportional=proportional)  # 3: a row quarantined or a file rejected, as in the samples
    figures = json.loads(timings.read_text(encoding="utf-8"))
    memory = {"tree_peak_pss_mib": done.tree_peak_pss_mib} if proportional else {}
    return {"wall_s": done.seconds, "tree_peak_mib": done.tree_peak_mib, "process_peak_mib": done.process_peak_mib,
            **memory, **figures}


def new_warehouse() -> dict[str, Any]:
    """A warehouse with its reference side and nothing else (an empty night), made once per bench
    run: every night measured starts from a copy of it, as the data team's nights start from their
    warehouse; building the reference side (every unit list, the crosswalks) is measured apart."""
    empty = WORK / "empty-landing"
    empty.mkdir(parents=True, exist_ok=True)
    return ingest([empty], WORK / "base")


def warehouse_copy(var: Path) -> Path:
    """``var`` holding a copy of the base warehouse (see new_warehouse)."""
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    shutil.copy2(WORK / "base" / "warehouse.duckdb", var / "warehouse.duckdb")
    return var


def script(name: str, landing: Path, out: Path) -> dict[str, Any]:
    """A bench script (floor.py, naive.py) in its own process over ``landing``; its JSON figures."""
    done = run([sys.executable, str(ROOT / "bench" / name), str(landing), "--json", str(out)])
    return {"wall_s": done.seconds, "tree_peak_mib": done.tree_peak_mib,
            **json.loads(out.read_text(encoding="utf-8"))}


def national(landing: Path, label: str, repeats: int) -> dict[str, Any]:
    """One landing folder by cax ingest, the floor and the naive pipeline, interleaved."""
    work = WORK / label

    def ours(round_: int) -> dict[str, Any]:
        var = warehouse_copy(work / f"ours-{round_}")
        try:
            return ingest([landing], var)
        finally:
            if label == "national_2026" and round_ == repeats - 1:
                # The 2026 night loaded: the warehouse the one-file re-check starts from.
                shutil.rmtree(SINGLE_BASE, ignore_errors=True)
                var.rename(SINGLE_BASE)
            shutil.rmtree(var, ignore_errors=True)

    runs = interleaved({
        "ours": ours,
        "floor": lambda r: script("floor.py", landing, work / f"floor-{r}.json"),
        "naive": lambda r: script("naive.py", landing, work / f"naive-{r}.json"),
    }, repeats)
    result: dict[str, Any] = {name: {"median": medians(values), "runs": values} for name, values in runs.items()}
    # The peak memory of the night's processes, shared pages counted once (the parsing and validating
    # processes are forked and share the night's pages), in a run of its own: sampling it slows a run.
    var = warehouse_copy(work / "memory")
    try:
        result["ours"]["memory_run"] = ingest([landing], var, proportional=True)
    finally:
        shutil.rmtree(var, ignore_errors=True)
    return result


def single(cache: Path, repeats: int, provinces: int | None) -> dict[str, Any]:
    """One resent workbook into a warehouse that holds the 2026 night (a copy per round)."""
    from datasets import national_2026, resent

    base = SINGLE_BASE
    if not (base / "warehouse.duckdb").exists():  # the national part did not run
        ingest([national_2026(cache, provinces).path], warehouse_copy(base))
    one = resent(cache)  # the first province's: in the quick night too
    runs = []
    for round_ in range(repeats):
        var = WORK / f"single-{round_}"
        shutil.rmtree(var, ignore_errors=True)
        shutil.copytree(base, var)
        figures = ingest([one], var)
        # Beyond the part of the GX import the night waited for: the validating process imports GX
        # while the file is parsed, so only what is left of the import after extraction is subtracted.
        stages = figures["stages_s"]
        figures["waited_for_gx_s"] = max(0.0, stages.get("import great_expectations", 0.0) - stages.get("extract", 0.0))
        figures["beyond_gx_s"] = figures["wall_s"] - figures["waited_for_gx_s"]
        runs.append(figures)
        shutil.rmtree(var, ignore_errors=True)
    return {"median": medians(runs), "runs": runs, "file": one.name}


def backfill(cache: Path, provinces: int, days: int) -> dict[str, Any]:
    from datasets import backfill_year

    landing = backfill_year(cache, provinces=provinces, days=days)
    var = warehouse_copy(WORK / "backfill")
    try:
        figures = ingest([landing.path], var)
    finally:
        shutil.rmtree(var, ignore_errors=True)
    return {**figures, "workbooks": landing.workbooks, "data_rows": landing.data_rows,
            "workbooks_per_s": landing.workbooks / figures["wall_s"]}


def airflow(cache: Path, provinces: int | None, week: bool) -> dict[str, Any]:
    from datasets import national_2026
    from datasets import week as week_of_nights
    from scheduler import backfill_week, scheduled_night

    out: dict[str, Any] = {"scheduled": scheduled_night(national_2026(cache, provinces).path, WORK / "airflow-night")}
    if week:
        landing, nights = week_of_nights(cache)
        out["backfill_week"] = backfill_week(landing.path, nights, WORK / "airflow-week")
    return out


def queries(cache: Path, repeats: int, quick: bool) -> dict[str, Any]:
    from history import build_history
    from queries import query_latencies

    history = build_history(cache, quick=quick)
    return {"history": {k: str(v) if isinstance(v, Path) else v for k, v in vars(history).items()},
            "fact_rows_total": sum(history.fact_rows.values()),
            "latencies": query_latencies(history.published, repeats)}


# How the table names a stage of ``cax ingest --timings`` (etl.pipeline.STAGES).
STAGE_LABELS = {"import great_expectations": "import great_expectations (validating process, alongside extract)",
                "validate": "validate (waiting for it after extract)",
                "data docs": "data docs (waiting for them after publish)"}


def _fmt(seconds: float) -> str:
    return f"{seconds:.2f} s"


def tabulate(figures: dict[str, Any], quick: bool) -> Table:
    """The table of every part measured, with the goals; the headline keys added to ``figures``."""
    table = Table(f"Benchmarks, {figures['started']:%Y-%m-%d %H:%M} ({'quick' if quick else 'full'}; "
                  f"{figures['cores']} cores; medians of {figures['repeats']})")
    parts = figures["parts"]
    for label, result in parts.get("national", {}).items():
        if "error" in result:
            table.add(label, "failed", result["error"])
            continue
        ours, floor, naive = (result[m]["median"] for m in ("ours", "floor", "naive"))
        table.add(label, "files / submissions / rows loaded",
                  f"{result['workbooks']} / {ours['submissions']:.0f} / {ours['rows_loaded']:.0f}")
        table.add(label, "cax ingest, end to end", _fmt(ours["wall_s"]))
        for stage, seconds in ours["stages_s"].items():
            table.add(label, f"  {STAGE_LABELS.get(stage, stage)}", _fmt(seconds))
        table.add(label, "floor (read to Arrow + native insert + GX import + 1 validation/dataset)",
                  _fmt(floor["total_s"]))
        table.add(label, "naive (openpyxl + GX per sheet + to_sql)", _fmt(naive["total_s"]))
        ratio_floor, ratio_naive = ours["wall_s"] / floor["total_s"], naive["total_s"] / ours["wall_s"]
        table.add(label, "ours / floor", f"{ratio_floor:.2f}", f"<= {GOAL_OURS_TO_FLOOR}",
                  ratio_floor <= GOAL_OURS_TO_FLOOR)
        table.add(label, "naive / ours", f"{ratio_naive:.2f}", f">= {GOAL_NAIVE_TO_OURS}",
                  ratio_naive >= GOAL_NAIVE_TO_OURS)
        peak = result["ours"]["memory_run"]["tree_peak_pss_mib"]
        table.add(label, "peak memory, process tree (shared pages once: PSS)", f"{peak:.0f} MiB",
                  f"< {GOAL_PEAK_MIB:.0f}", peak < GOAL_PEAK_MIB)
        table.add(label, "  RSS summed over the processes (shared pages in each)", f"{ours['tree_peak_mib']:.0f} MiB")
        if label == "national_2026":
            figures.update(ratio_ours_to_floor=ratio_floor, ratio_naive_to_ours=ratio_naive, peak_rss_mib=peak,
                           peak_rss_summed_mib=ours["tree_peak_mib"])
        else:
            figures[f"ratio_naive_to_ours_{label}"] = ratio_naive
    if "single" in parts:
        result = parts["single"]
        if "error" in result:
            table.add("single file", "failed", result["error"])
        else:
            one = result["median"]
            table.add("single file", "cax ingest of one resent workbook", _fmt(one["wall_s"]))
            table.add("single file", "  of which waiting for the GX import (after extract)",
                      _fmt(one.get("waited_for_gx_s", one["stages_s"].get("import great_expectations", 0.0))))
            table.add("single file", "beyond the GX import", _fmt(one["beyond_gx_s"]),
                      f"< {GOAL_SINGLE_BEYOND_GX_S:.0f} s", one["beyond_gx_s"] < GOAL_SINGLE_BEYOND_GX_S)
            figures.update(single_file_s=one["wall_s"], single_file_beyond_gx_s=one["beyond_gx_s"])
    if "backfill" in parts:
        result = parts["backfill"]
        if "error" in result:
            table.add("backfill", "failed", result["error"])
        else:
            table.add("backfill", "workbooks / rows loaded", f"{result['workbooks']} / {result['rows_loaded']}")
            table.add("backfill", "cax ingest, end to end", _fmt(result["wall_s"]))
            for stage, seconds in result["stages_s"].items():
                table.add("backfill", f"  {stage}", _fmt(seconds))
            table.add("backfill", "workbooks per second", f"{result['workbooks_per_s']:.1f}",
                      f">= {GOAL_BACKFILL_WB_PER_S:.0f}", result["workbooks_per_s"] >= GOAL_BACKFILL_WB_PER_S)
            table.add("backfill", "peak memory, process tree", f"{result['tree_peak_mib']:.0f} MiB")
            figures["backfill_workbooks_per_s"] = result["workbooks_per_s"]
    if "airflow" in parts:
        result = parts["airflow"]
        if "error" in result:
            table.add("airflow", "failed", result["error"])
        else:
            night = result["scheduled"]
            table.add("airflow", "cax_nightly, trigger to success", _fmt(night["airflow_s"]))
            table.add("airflow", "cax ingest, same files", _fmt(night["cli_s"]))
            table.add("airflow", "scheduler / CLI", f"{night['ratio']:.2f}", f"<= {GOAL_AIRFLOW_TO_CLI}",
                      night["ratio"] <= GOAL_AIRFLOW_TO_CLI)
            figures["airflow_to_cli_ratio"] = night["ratio"]
            if "backfill_week" in result:
                week = result["backfill_week"]
                table.add("airflow", f"backfill create, {week['runs']} nights", _fmt(week["airflow_s"]))
                table.add("airflow", "  per night (median)", _fmt(week["per_night_s"]))
                table.add("airflow", "  cax ingest, same files", _fmt(week["cli_s"]))
    if "queries" in parts:
        result = parts["queries"]
        if "error" in result:
            table.add("queries", "failed", result["error"])
        else:
            history = result["history"]
            table.add("queries", f"history {history['first_day']} to {history['last_day']}: fact rows",
                      f"{result['fact_rows_total']:,}")
            for name, latency in result["latencies"].items():
                national_query = name.startswith("national")
                table.add("queries", f"{name}: cold / warm", f"{latency['cold_ms']:.0f} / {latency['warm_ms']:.1f} ms",
                          f"warm < {GOAL_NATIONAL_QUERY_MS:.0f} ms" if national_query else "",
                          latency["warm_ms"] < GOAL_NATIONAL_QUERY_MS if national_query else None)
                if national_query:
                    figures["query_national_warm_ms"] = latency["warm_ms"]
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller version of every part (under two minutes)")
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated, of {', '.join(PARTS)}")
    parser.add_argument("--repeats", type=int, help="rounds of the interleaved parts (5; quick: 1)")
    args = parser.parse_args()
    chosen = [p.strip() for p in args.parts.split(",") if p.strip()]
    if set(chosen) - set(PARTS):
        parser.error(f"unknown parts: {sorted(set(chosen) - set(PARTS))}")
    quick = args.quick
    repeats = args.repeats or (1 if quick else 5)
    provinces = 5 if quick else None
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    started = time.perf_counter()
    figures: dict[str, Any] = {"started": datetime.now().astimezone(), "cores": os.cpu_count(), "repeats": repeats,
                               "quick": quick, "load_average_at_start": os.getloadavg(), "parts": {}}
    parts: dict[str, Any] = figures["parts"]

    def part(name: str, body: Callable[[], Any]) -> None:
        print(f"== {name}", flush=True)
        begun = time.perf_counter()
        try:
            parts[name] = body()
        except Exception as error:  # noqa: BLE001 - a part that fails is reported; the others still run
            parts[name] = {"error": f"{type(error).__name__}: {str(error)[:300]}"}
        print(f"   {name}: {time.perf_counter() - begun:.0f} s", flush=True)

    from datasets import national_2026, sample_night
    from datasets import week as week_of_nights

    part("new warehouse", new_warehouse)
    if "national" in chosen:
        def nights() -> dict[str, Any]:
            out = {}
            landings = {"national_2026": national_2026(CACHE, provinces)}
            if not quick:
                # The night of many small files, where validating per sheet tells; and the sample night.
                landings["week_of_daily_workbooks"] = week_of_nights(CACHE)[0]
                landings["sample_night"] = sample_night(CACHE)
            for label, landing in landings.items():
                try:
                    out[label] = {**national(landing.path, label, repeats), "workbooks": landing.workbooks,
                                  "data_rows": landing.data_rows, "what": landing.what}
                except Exception as error:  # noqa: BLE001
                    out[label] = {"error": f"{type(error).__name__}: {str(error)[:300]}"}
            return out
        part("national", nights)
    if "single" in chosen:
        part("single", lambda: single(CACHE, repeats, provinces))
    if "backfill" in chosen:
        part("backfill", lambda: backfill(CACHE, *((10, 30) if quick else (63, 365))))
    if "airflow" in chosen:
        part("airflow", lambda: airflow(CACHE, provinces, week=not quick))
    if "queries" in chosen:
        part("queries", lambda: queries(CACHE, repeats if not quick else 3, quick))
    figures["elapsed_s"] = time.perf_counter() - started
    table = tabulate(figures, quick)
    table.add("bench", "whole run", _fmt(figures["elapsed_s"]), "< 45 min" if not quick else "< 2 min",
              figures["elapsed_s"] < (45 * 60 if not quick else 120))
    md, js = write_results(table, figures, RESULTS, "quick" if quick else "latest")
    print(table.text())
    print(f"\nSaved: {md.relative_to(ROOT)}, {js.relative_to(ROOT)}")
    return 1 if any("error" in p for p in parts.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
