"""How the benchmark measures: a command in its own process (wall seconds, the peak memory of its
whole process tree, sampled), medians of repeated runs, and the results written as Markdown and
JSON. Nothing here knows what is measured."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass
class Run:
    """One command run: its wall seconds, the peak resident memory of its process tree (the sum of
    every process's RSS at the worst sample, a page shared by several processes counted again in each:
    an upper bound)
    and of its largest single process, and its exit code. With ``proportional`` sampling, also the
    tree's peak with shared pages counted once (the sum of every process's PSS: a forked process
    shares its parent's pages, which RSS counts again in each)."""

    seconds: float
    tree_peak_mib: float
    process_peak_mib: float
    returncode: int
    tree_peak_pss_mib: float | None = None


def run(command: Sequence[str], env: dict[str, str] | None = None, ok: Sequence[int] = (0,),
        interval: float = 0.05, proportional: bool = False) -> Run:
    """Run ``command``, sampling the memory of its process tree every ``interval`` seconds; raise
    when its exit code is not in ``ok`` (a fast run that failed proves nothing). ``proportional``
    samples PSS as well, which costs about 4 ms a process a sample: for a run whose time is not
    the measure."""
    start = time.perf_counter()
    process = subprocess.Popen(list(command), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               cwd=ROOT)
    tree_peak = single_peak = pss_peak = 0
    watched = psutil.Process(process.pid)
    output: list[bytes] = []
    # A reader thread keeps the pipe drained so a chatty command never blocks on a full pipe.
    import threading

    reader = threading.Thread(target=lambda: output.append(process.stdout.read() if process.stdout else b""))
    reader.start()
    while process.poll() is None:
        total = total_pss = 0
        try:
            for member in [watched, *watched.children(recursive=True)]:
                try:
                    memory = member.memory_full_info() if proportional else member.memory_info()
                except psutil.Error:
                    continue
                total += memory.rss
                total_pss += getattr(memory, "pss", 0)
                single_peak = max(single_peak, memory.rss)
        except psutil.Error:
            pass
        tree_peak, pss_peak = max(tree_peak, total), max(pss_peak, total_pss)
        time.sleep(interval)
    seconds = time.perf_counter() - start
    reader.join()
    if process.returncode not in ok:
        tail = b"".join(output).decode("utf-8", "replace")[-3000:]
        raise RuntimeError(f"{' '.join(map(str, command))} exited {process.returncode}:\n{tail}")
    return Run(seconds, tree_peak / 2**20, single_peak / 2**20, process.returncode,
               pss_peak / 2**20 if proportional else None)


def environment(var: Path, **extra: str) -> dict[str, str]:
    """The environment of a ``cax`` command writing everything under ``var`` (CAX_VAR), with none of
    the caller's CAX_WAREHOUSE/CAX_PUBLISHED/CAX_LANDING settings leaking in."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("CAX_WAREHOUSE", "CAX_PUBLISHED", "CAX_LANDING")}
    env.update({"CAX_VAR": str(var), **extra})
    return env


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def interleaved(methods: dict[str, Callable[[int], dict[str, Any]]], repeats: int) -> dict[str, list[dict[str, Any]]]:
    """Run every method ``repeats`` times, interleaved and rotated (round r starts with method r mod n),
    so that a slow spell of the machine weighs on every method alike. Each method takes its round's
    number and returns a dict of figures."""
    names = list(methods)
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for round_ in range(repeats):
        for offset in range(len(names)):
            name = names[(round_ + offset) % len(names)]
            print(f"  round {round_ + 1}/{repeats}: {name}", flush=True)
            results[name].append(methods[name](round_))
    return results


def medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median of every numeric figure over runs (nested dicts of figures too); other values from
    the first run."""
    if not runs:
        return {}
    out: dict[str, Any] = {}
    for key, first in runs[0].items():
        values = [r.get(key) for r in runs]
        if isinstance(first, dict):
            out[key] = medians([v for v in values if isinstance(v, dict)])
        elif isinstance(first, int | float) and not isinstance(first, bool):
            out[key] = median([float(v) for v in values if isinstance(v, int | float)])
        else:
            out[key] = first
    return out


@dataclass
class Table:
    """The benchmark's table: one line per measure, with its goal and whether it was met."""

    title: str
    lines: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # part, measure, value, goal, met

    def add(self, part: str, measure: str, value: str, goal: str = "", met: bool | None = None) -> None:
        self.lines.append((part, measure, value, goal, "" if met is None else ("yes" if met else "**no**")))

    def markdown(self) -> str:
        rows = ["| part | measure | value | goal | met |", "|---|---|---|---|---|"]
        rows += [f"| {' | '.join(line)} |" for line in self.lines]
        return f"{self.title}\n\n" + "\n".join(rows) + "\n"

    def text(self) -> str:
        widths = [max(len(line[i]) for line in [("part", "measure", "value", "goal", "met"), *self.lines])
                  for i in range(5)]
        out = [self.title, ""]
        for line in [("part", "measure", "value", "goal", "met"), *self.lines]:
            out.append("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
        return "\n".join(out)


def write_results(table: Table, figures: dict[str, Any], out: Path, stem: str) -> tuple[Path, Path]:
    """``<stem>.md`` (the table) and ``<stem>.json`` (every figure) under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    md, js = out / f"{stem}.md", out / f"{stem}.json"
    md.write_text(table.markdown(), encoding="utf-8")
    js.write_text(json.dumps(figures, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return md, js
