"""The night's validation in a process of its own, started before the workbooks are parsed.

Importing Great Expectations takes 2-6 s on this machine, a fifth of a national night or more, and
the night cannot validate without it. When a night has workbooks to parse, ``cax ingest`` forks a
validating process first: it imports GX while the parsing processes work (on a night of many files
they share the cores; on a night of one file the import is what the night waits for), and reads
each file as soon as it is staged (``read_ahead``), with the warehouse's earlier figures of each
dataset those files hold (etl.validate.previous: read again if anything wrote the warehouse in
between). Then it validates the staged files it is handed (``etl.validate.night.validate_stage``),
reading the rest from disk and writing its results to disk, and answers; only paths, seconds and
exceptions cross between the processes. Once it has answered, it builds the GX Data Docs while the
night loads and publishes; the night waits for them at its end (``finish``). It is forked before
the parsing processes, without GX, and imports GX itself.

A failure there is raised in the night's process with its type, and its traceback as a note. A
thread of the validating process takes the night's messages as they come, so that telling it of a
staged file never waits for its import or its reading.

The Airflow DAG does not need this: its validation is a task of its own.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from etl import reference
from etl.forking import heap_frozen
from etl.validate.night import StagedRows, read_staged, validate_stage
from etl.validate.previous import COMPARED, earlier_figures


def _serve(receive: Any, send: Any, parents_ends: tuple[Any, Any], warehouse: Path | None) -> None:
    """Body of the validating process: import GX, say how long it took, read each staged file it is
    told of, validate what it is handed, answer, then build the Data Docs and say so."""
    for end in parents_ends:  # so that the night's process ending is seen here as the end of the pipe
        end.close()
    requests: queue.SimpleQueue = queue.SimpleQueue()
    threading.Thread(target=_take_requests, args=(receive, requests), daemon=True).start()
    failed = True
    try:
        started = time.perf_counter()
        import great_expectations  # noqa: F401

        send.send(("imported", time.perf_counter() - started))
        ahead: dict[str, StagedRows] = {}
        while (request := requests.get()) is not None and request[0] == "read":
            _read_ahead(Path(request[1]), ahead, warehouse)
        if request is not None:
            docs: list[Callable[[], None]] = []
            stage_paths, out_dir, docs_dir = request[1]
            send.send(("validated", validate_stage(stage_paths, out_dir, docs_dir, warehouse, docs, ahead)))
            for build in docs:
                build()
            send.send(("documented", None))
        failed = False
    except BaseException as error:  # noqa: BLE001 - handed to the night's process, which raises it
        _send_failure(send, error)
    finally:
        # Leave at once: finalising the heap inherited from the night's process costs more than nothing.
        os._exit(1 if failed else 0)


def _take_requests(receive: Any, requests: queue.SimpleQueue) -> None:
    """The night's messages, taken as they come (a thread): None when the night has nothing more."""
    try:
        while True:
            request = receive.recv()
            requests.put(request)
            if request is None or request[0] == "validate":
                return
    except (EOFError, OSError):  # the night's process is gone
        requests.put(None)


def _read_ahead(path: Path, ahead: dict[str, StagedRows], warehouse: Path | None) -> None:
    """Read a staged file before the night asks for its validation, the unit lists its rows name and
    the warehouse's earlier figures of its datasets. A failure here is the validation's to report,
    when it reads the same again."""
    try:
        ahead[str(path)] = read_staged(path)
        known = {u.list_id for u in reference.unit_lists()}
        for dataset, frame in ahead[str(path)][0]:
            named = set(frame.unit_list.dropna().astype(str)) if "unit_list" in frame else set()
            for list_id in named & known:
                reference.snapshot(list_id)
            if dataset in COMPARED and warehouse is not None and warehouse.exists() and not frame.empty:
                earlier_figures(dataset, warehouse)
    except Exception:  # noqa: BLE001 - read again when validating, where a failure is the night's
        ahead.pop(str(path), None)


def _send_failure(send: Any, error: BaseException) -> None:
    """The exception to the night's process, as itself when it survives the trip, else as its text."""
    text = "".join(traceback.format_exception(error))
    try:
        pickle.loads(pickle.dumps(error))  # some pickle but cannot be rebuilt (their __init__ wants more)
        message: Any = error
    except Exception:  # noqa: BLE001
        message = RuntimeError(f"{type(error).__name__}: {error}")
    try:
        send.send(("failed", (message, text)))
    except (OSError, ValueError):  # the night's process is gone
        pass


class ValidatingProcess:
    """A process that imports GX at once, validates the night's staged files when asked (``validate``)
    and then builds the Data Docs (``finish`` waits for them).

    Use it as a context manager: leaving the block ends the process whatever happened.
    """

    def __init__(self, warehouse: Path | None) -> None:
        """``warehouse``: the one the night validates against (its earlier figures), read, never written."""
        context = multiprocessing.get_context("fork")
        their_requests, self._requests = context.Pipe(duplex=False)
        self._replies, their_replies = context.Pipe(duplex=False)
        self._process = context.Process(target=_serve, daemon=True, args=(
            their_requests, their_replies, (self._requests, self._replies), warehouse))
        with heap_frozen():
            self._process.start()
        their_requests.close()
        their_replies.close()
        self.import_s: float | None = None  # the GX import's seconds in the validating process
        self._asked = False  # whether it was asked to validate

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def __enter__(self) -> ValidatingProcess:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def read_ahead(self, stage_path: Path) -> None:
        """Tell the validating process of a file staged, to read while the rest are parsed."""
        self._send(("read", str(stage_path)))

    def validate(self, stage_paths: list[Path], out_dir: Path, docs_dir: Path | None) -> Path:
        """``validate_stage`` of these arguments and the warehouse, in the validating process; its
        exceptions are raised here."""
        self._asked = True
        self._send(("validate", ([str(p) for p in stage_paths], out_dir, docs_dir)))
        return self._await("validated")

    def finish(self) -> None:
        """Wait for the Data Docs (after ``validate``); an exception building them is raised here."""
        self._await("documented")

    def wait_for_import(self) -> float:
        """Seconds the GX import took in the validating process, once it is done."""
        if self.import_s is None:
            self._await("imported")
        assert self.import_s is not None
        return self.import_s

    def _send(self, message: object) -> None:
        try:
            self._requests.send(message)
        except OSError:
            pass  # the process is gone; waiting for its answer says so

    def _await(self, wanted: str) -> Any:
        while True:
            try:
                kind, value = self._replies.recv()
            except EOFError:
                self._process.join()
                raise RuntimeError(f"the validating process ended without answering (exit code "
                                   f"{self._process.exitcode}); run again, with CAX_DEBUG=1 if it persists") from None
            if kind == "imported":
                self.import_s = value
            if kind == wanted:
                return value
            if kind == "failed":
                error, text = value
                error.add_note(f"in the validating process:\n{text}")
                raise error

    def close(self) -> None:
        """End the process: at once when it was never asked to validate (it may be importing GX),
        else once it has finished what it was doing (5 s at most)."""
        if self._process.is_alive() and not self._asked:
            self._process.kill()
        if self._process.is_alive():
            self._send(None)
            self._process.join(timeout=5)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
        self._requests.close()
        self._replies.close()
