"""Parsing untrusted workbooks where a crash cannot take the night down.

Each workbook is parsed in its own forked child process with an address-space limit and a time
limit (after the guard's checks, etl.extract.guard). A reader that aborts (python-calamine does on
some malformed files), exhausts its memory or runs past the time limit costs its file, which is
staged as rejected with the reason, never the night. The child stages everything later stages
need, the cells for the feedback workbooks included: nothing parses a landing file outside it.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import time
from collections.abc import Callable
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


def extract_to_stage(file: DiscoveredFile, stage_dir: Path, limits: Limits | None = None,
                     cutoff: datetime | None = None) -> Path:
    """Extract one workbook into ``stage_dir`` in this process; returns the staged JSON's path.
    ``cutoff`` is the night's: nothing dated after it loads (now when not given)."""
    return write_stage(extract_workbook(file, limits, cutoff), Path(stage_dir))


def _parse_in_child(file: DiscoveredFile, stage_dir: Path, limits: Limits, budget: int, conn,
                    cutoff: datetime | None) -> None:
    """Body of a parsing process: bounded address space, result or failure sent to the parent."""
    import faulthandler
    import resource

    faulthandler.disable()  # a reader that aborts is expected here: its file is rejected, no dump
    resource.setrlimit(resource.RLIMIT_AS, (budget, budget))
    try:
        conn.send(("staged", str(extract_to_stage(file, stage_dir, limits, cutoff))))
    except MemoryError:
        conn.send(("memory", ""))
    except BaseException as error:  # noqa: BLE001 - every failure of an untrusted file is reported
        conn.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        conn.close()
        # Leave at once: finalising the heap inherited from the parent costs more than the parse.
        os._exit(0)


def _warm_up() -> int:
    """Work done once before forking and inherited by every child, rather than paid per workbook
    (the unit lists and their name keys, pyarrow's Parquet writer: ~40 ms); returns this process's
    address-space size in bytes."""
    reference.warm_up()
    pd.DataFrame({"warm": [0]}).to_parquet(io.BytesIO())
    with open("/proc/self/status", encoding="ascii") as status:
        return int(next(line for line in status if line.startswith("VmSize:")).split()[1]) * 1024


def extract_many(files: list[DiscoveredFile], stage_dir: Path, workers: int = 2,
                 on_file: Callable[[DiscoveredFile], None] | None = None,
                 limits: Limits | None = None, cutoff: datetime | None = None) -> list[Path]:
    """Extract workbooks, each in its own child process with a memory and a time limit; at most
    ``workers`` at once; ``cutoff`` is the night's (now when not given). Returns the staged JSON of
    every file, in the order they finished."""
    limits = limits or Limits.from_environment()
    budget = _warm_up() + limits.worker_memory_mb * 1024 * 1024
    context = multiprocessing.get_context("fork")
    queue, staged = list(files), []
    running: dict[Any, tuple[DiscoveredFile, Any, float]] = {}
    while queue or running:
        while queue and len(running) < max(1, workers):
            file = queue.pop(0)
            receive, send = context.Pipe(duplex=False)
            child = context.Process(target=_parse_in_child, args=(file, stage_dir, limits, budget, send, cutoff))
            child.start()
            send.close()
            running[child] = (file, receive, time.monotonic())
        wait([c.sentinel for c in running], timeout=0.5)
        for child, (file, receive, started) in list(running.items()):
            overdue = time.monotonic() - started > limits.worker_timeout_s
            if child.is_alive() and not overdue:
                continue
            if child.is_alive():
                child.kill()
            child.join()
            try:
                message = receive.recv() if receive.poll() else None
            except EOFError:  # the child died before it could say anything
                message = None
            receive.close()
            del running[child]
            staged.append(_outcome(file, stage_dir, message, child.exitcode, overdue, limits))
            if on_file:
                on_file(file)
    return staged


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
