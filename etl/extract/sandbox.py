"""Parsing untrusted workbooks where a crash cannot take the night down.

Workbooks are parsed in forked child processes, each taking a share of the night's files in turn,
with an address-space limit, and a time limit per workbook (after the guard's checks,
etl.extract.guard). A reader that aborts (python-calamine does on some malformed files), exhausts
its memory or runs past the time limit costs its file, which is staged as rejected with the
reason, never the night nor the rest of its process's share. The child stages everything later
stages need, the cells for the feedback workbooks included: nothing parses a landing file outside
it.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

import pandas as pd

from etl import reference
from etl.config import Limits
from etl.discover import DiscoveredFile
from etl.extract.errors import MemoryLimit, RejectedFile, TimeLimit, UnreadableWorkbook
from etl.extract.stage import stage_rejected, write_stage
from etl.extract.submission import extract_workbook
from etl.forking import heap_frozen


def extract_to_stage(file: DiscoveredFile, stage_dir: Path, limits: Limits | None = None,
                     cutoff: datetime | None = None) -> Path:
    """Extract one workbook into ``stage_dir`` in this process; returns the staged JSON's path.
    ``cutoff`` is the night's: nothing dated after it loads (now when not given)."""
    return write_stage(extract_workbook(file, limits, cutoff), Path(stage_dir))


def _parse_in_child(files: list[DiscoveredFile], stage_dir: Path, limits: Limits, budget: int, conn,
                    cutoff: datetime | None) -> None:
    """Body of a parsing process: its files one after the other under a bounded address space, each
    file's result or failure sent to the parent as soon as it is known (("start", i) before file i,
    then ("staged", path), ("memory", "") or ("error", message)). After a memory error the process
    stops: the parent hands the rest of its files to a new one."""
    import faulthandler
    import resource

    faulthandler.disable()  # a reader that aborts is expected here: its file is rejected, no dump
    resource.setrlimit(resource.RLIMIT_AS, (budget, budget))
    try:
        for index, file in enumerate(files):
            conn.send(("start", index))
            try:
                conn.send(("staged", str(extract_to_stage(file, stage_dir, limits, cutoff))))
            except MemoryError:
                conn.send(("memory", ""))
                break
            except BaseException as error:  # noqa: BLE001 - every failure of an untrusted file is reported
                conn.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        conn.close()
        # Leave at once: finalising the heap inherited from the parent costs more than the parses.
        os._exit(0)


def _warm_up(files: int, workers: int) -> int:
    """Work done once before forking and inherited by every child, rather than paid per child (every
    unit list's name keys, ~0.8 s; pyarrow's Parquet writer); returns this process's address-space
    size in bytes. With no more files than workers, each child is the only one to need the keys,
    and computes only those of the lists its files name."""
    if files > workers:
        reference.warm_up()
    pd.DataFrame({"warm": [0]}).to_parquet(io.BytesIO())
    with open("/proc/self/status", encoding="ascii") as status:
        return int(next(line for line in status if line.startswith("VmSize:")).split()[1]) * 1024


# Files a parsing process takes at most: a fork costs ~6 ms and its exit more, a small workbook
# ~10 ms to parse, so a process per file would double a night of small files. A crash still costs
# only the file being parsed: the rest of its share goes to a new process.
FILES_PER_CHILD = 64


@dataclass
class _Child:
    """A running parsing process, its share of files, and where it is in it."""

    process: Any
    receive: Any
    files: list[DiscoveredFile]
    done: int = 0  # files of the share settled
    current: int | None = None  # index of the file being parsed
    since: float = field(default_factory=time.monotonic)  # when the current file started


def _share(queue: list[DiscoveredFile], workers: int, running: int) -> list[DiscoveredFile]:
    """The next child's files: the queue spread evenly over the free workers, at most
    FILES_PER_CHILD, so both workers stay busy to the end of the night."""
    free = max(1, workers - running)
    size = max(1, min(FILES_PER_CHILD, -(-len(queue) // (free * 2)) if len(queue) > free else 1))
    share, queue[:] = queue[:size], queue[size:]
    return share


def extract_many(files: list[DiscoveredFile], stage_dir: Path, workers: int = 2,
                 on_file: Callable[[DiscoveredFile], None] | None = None,
                 limits: Limits | None = None, cutoff: datetime | None = None,
                 on_staged: Callable[[Path], None] | None = None) -> list[Path]:
    """Extract workbooks in child processes with a memory limit (per process) and a time limit (per
    workbook); at most ``workers`` at once, each taking a share of the files in turn; ``cutoff`` is
    the night's (now when not given). A workbook that crashes its process, exhausts its memory or
    overruns its time is staged as rejected, and the rest of that process's share goes to a new one.
    Returns the staged JSON of every file, in the order they finished; ``on_staged`` is told each as
    soon as it is written."""
    limits = limits or Limits.from_environment()
    budget = _warm_up(len(files), workers) + limits.worker_memory_mb * 1024 * 1024
    context = multiprocessing.get_context("fork")
    queue, staged = list(files), []
    running: list[_Child] = []

    def settle(child: _Child, path: Path) -> None:
        staged.append(path)
        if on_staged:
            on_staged(path)
        if on_file:
            on_file(child.files[child.done])
        child.done += 1
        child.current = None

    with heap_frozen():  # every child forked in the loop shares the heap as it is now
        while queue or running:
            while queue and len(running) < max(1, workers):
                share = _share(queue, workers, len(running))
                receive, send = context.Pipe(duplex=False)
                process = context.Process(target=_parse_in_child, args=(share, stage_dir, limits, budget, send, cutoff))
                process.start()
                send.close()
                running.append(_Child(process, receive, share))
            wait([c.receive for c in running] + [c.process.sentinel for c in running], timeout=0.5)
            for child in list(running):
                _read_messages(child, stage_dir, limits, settle)
                overdue = child.current is not None and time.monotonic() - child.since > limits.worker_timeout_s
                if child.process.is_alive() and not overdue:
                    continue
                if child.process.is_alive():
                    child.process.kill()
                child.process.join()
                _read_messages(child, stage_dir, limits, settle)
                child.receive.close()
                running.remove(child)
                crashed = child.current is not None or (child.process.exitcode or 0) != 0
                if child.done < len(child.files) and crashed:
                    # The file being parsed when the process died (or was killed) is rejected; the rest of
                    # the share waits at the front of the queue for a new process.
                    settle(child, _outcome(child.files[child.done], stage_dir, None, child.process.exitcode,
                                           overdue, limits))
                queue[:0] = child.files[child.done:]
    return staged


def _read_messages(child: _Child, stage_dir: Path, limits: Limits, settle: Callable[[_Child, Path], None]) -> None:
    """Take in what a child said so far, without waiting."""
    while True:
        try:
            if not child.receive.poll():
                return
            kind, value = child.receive.recv()
        except (EOFError, OSError):  # the child died; what it had not said is settled by the caller
            return
        if kind == "start":
            child.current, child.since = int(value), time.monotonic()
        elif kind == "staged":
            settle(child, Path(value))
        else:
            settle(child, _outcome(child.files[child.done], stage_dir, (kind, value), None, False, limits))


def _outcome(file: DiscoveredFile, stage_dir: Path, message: tuple[str, str] | None, exitcode: int | None,
             overdue: bool, limits: Limits) -> Path:
    if message and message[0] == "staged":
        return Path(message[1])
    kind: type[RejectedFile] = UnreadableWorkbook
    if overdue:
        kind = TimeLimit
        en = f"reading the workbook took over {limits.worker_timeout_s} s"
        vi = f"đọc tệp quá {limits.worker_timeout_s} giây; đề nghị kiểm tra và gửi lại"
    elif message and message[0] == "memory":
        kind = MemoryLimit
        en = f"reading the workbook needed over {limits.worker_memory_mb} MB"
        vi = "tệp cần quá nhiều bộ nhớ để đọc; đề nghị kiểm tra và gửi lại"
    elif message:
        en = f"the reader failed on this workbook ({message[1]})"
        vi = "chương trình đọc gặp lỗi với tệp này; đề nghị lưu lại bằng Excel và gửi lại"
    else:
        en = f"the workbook crashed the reader (exit {exitcode}); it may be damaged"
        vi = "tệp làm hỏng chương trình đọc (có thể tệp bị lỗi); đề nghị lưu lại bằng Excel và gửi lại"
    return stage_rejected(file, kind(en, vi), stage_dir)
