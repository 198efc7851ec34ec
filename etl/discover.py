"""Discover: the night's files, each identified once by its sha256 and carried on.

A file is known by its content. Every later stage receives the ``DiscoveredFile`` this stage made
(its path, sha256, size and arrival time) instead of hashing the file again. A file that cannot be
hashed (it vanished, or cannot be opened) is handed on to be recorded as rejected: it never stops
the night.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from etl.clock import from_timestamp, now_vietnam

# Not submissions: the lock files Excel leaves beside an open workbook, the desktop's own files,
# and JSON sidecars (the sample's truth.json). Every other file is a submission, whatever its name:
# one that is no workbook is rejected with the reason, never skipped.
_DESKTOP_FILES = {".DS_Store", "Thumbs.db", "desktop.ini"}


@dataclass(frozen=True)
class DiscoveredFile:
    """A file of the night: where it lies, what it holds (sha256) and when it arrived."""

    path: Path
    sha256: str
    size_bytes: int
    received_at: datetime  # modification time, Vietnam local time
    modified_ns: int = 0  # the modification time as the file system gives it, to notice a change

    @property
    def name(self) -> str:
        """The file's name as text: bytes that are not UTF-8 (a name made on another system) shown
        as U+FFFD, so that the name can be recorded, written and printed; ``path`` still opens it."""
        return os.fsencode(self.path.name).decode("utf-8", "replace")

    def as_dict(self) -> dict[str, object]:
        """Plain values, for passing between Airflow tasks."""
        return {"path": str(self.path), "sha256": self.sha256, "size_bytes": self.size_bytes,
                "received_at": self.received_at.isoformat(), "modified_ns": self.modified_ns}

    @classmethod
    def from_dict(cls, values: dict) -> DiscoveredFile:
        return cls(Path(values["path"]), values["sha256"], int(values["size_bytes"]),
                   datetime.fromisoformat(values["received_at"]), int(values.get("modified_ns") or 0))

    def is_unchanged(self) -> bool:
        """Whether the file still holds the bytes discovered: same size and modification time, or,
        when either moved, the same sha256 (hashed again only then)."""
        status = self.path.stat()
        if (status.st_size, status.st_mtime_ns) == (self.size_bytes, self.modified_ns):
            return True
        return identify(self.path).sha256 == self.sha256


def identify(path: Path) -> DiscoveredFile:
    """Hash a file and read its arrival time (its modification time, in Vietnam local time).

    Raises OSError for what cannot be hashed, special files included (opening a pipe would wait for
    a writer forever)."""
    if path.is_symlink() and not path.exists():
        raise OSError(errno.EINVAL, "a broken link: it points to no file")
    mode = path.stat().st_mode
    if stat.S_ISDIR(mode):
        raise OSError(errno.EISDIR, "a folder, not a file")
    if not stat.S_ISREG(mode):
        raise OSError(errno.EINVAL, "not a regular file (a pipe, socket or device)")
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    status = path.stat()
    return DiscoveredFile(path, digest.hexdigest(), status.st_size, from_timestamp(status.st_mtime),
                          status.st_mtime_ns)


def unread(path: Path, error: OSError, when: datetime | None = None) -> DiscoveredFile:
    """The record of a file whose bytes could not be read (``error``), to be rejected with the reason.

    Its sha256 cannot be the content's, so it is the sha256 of what is known of the file: a tag no
    workbook starts with, its path, and its size, modification and status-change times when they can
    be read. A rerun that finds the file in the same state makes the same record and skips it as
    taken in (idempotent); a file made readable (chmod changes its status-change time) or replaced is
    then hashed by its content, which was never recorded, and taken in. A file gone entirely
    arrived ``when`` (the night's cut-off), else now.
    """
    try:
        status = path.stat()
        known = f"{status.st_size}\0{status.st_mtime_ns}\0{status.st_ctime_ns}"
        size, received_at, modified_ns = status.st_size, from_timestamp(status.st_mtime), status.st_mtime_ns
    except OSError:
        known, size, received_at, modified_ns = "gone", 0, when or now_vietnam(), 0
    tag = f"cax-unread\0{type(error).__name__}\0{path}\0{known}".encode("utf-8", "surrogateescape")
    return DiscoveredFile(path, hashlib.sha256(tag).hexdigest(), size, received_at, modified_ns)


@dataclass
class Discovery:
    """The night's files: new ones to read, byte-identical copies of files already taken in
    (recorded once as duplicates, with the name of the file they copy), files that could not be read
    (with the error, to be recorded as rejected), and how many were skipped."""

    fresh: list[DiscoveredFile] = field(default_factory=list)
    duplicates: list[tuple[DiscoveredFile, str]] = field(default_factory=list)
    unreadable: list[tuple[DiscoveredFile, OSError]] = field(default_factory=list)
    already_taken_in: int = 0


def unusable_paths(paths: Iterable[Path]) -> list[tuple[Path, str]]:
    """The paths named that are neither a file nor a folder, with why (for the command line to refuse)."""
    unusable = []
    for path in map(Path, paths):
        if path.is_symlink() and not path.exists():
            unusable.append((path, "liên kết hỏng / a broken link"))
        elif not path.exists():
            unusable.append((path, "không tìm thấy / not found"))
        elif not (path.is_file() or path.is_dir()):
            unusable.append((path, "không phải tệp hay thư mục / neither a file nor a folder"))
    return unusable


def files_under(paths: Iterable[Path]) -> list[Path]:
    """Every submission file named, or lying under a folder named, in ``paths``: each once, however it
    was named (twice, through a folder and by itself, through a link), under the first name met."""
    files: list[Path] = []
    seen: set[Path] = set()
    for path in map(Path, paths):
        if path.is_dir():
            # Broken links and special files too: they are recorded as rejected, never skipped unseen.
            named = sorted(p for p in path.rglob("*") if not p.is_dir() and not p.name.startswith("~$")
                           and p.name not in _DESKTOP_FILES and p.suffix.lower() != ".json")
        else:
            named = [path] if path.is_file() else []
        for file in named:
            real = Path(os.path.realpath(file))  # Path.resolve raises on a link loop
            if real not in seen:
                seen.add(real)
                files.append(file)
    return files


def discover(paths: Iterable[Path], warehouse: Path, cutoff: datetime | None = None) -> Discovery:
    """Files under ``paths`` received by ``cutoff`` that ``warehouse`` has not taken in yet.

    Bytes taken in before (loaded, at least in part) under a name not seen before (a province sent
    them twice) are a duplicate, recorded once. Bytes only ever rejected are no duplicate: a rejection
    may depend on the name (a month in it that is not the title's), so under a new name they are read
    again. A file already recorded under its name is skipped silently, so re-running a night changes
    nothing, except one rejected for a passing reason (a time or memory limit, or a file that
    vanished, could not be read or changed: ``TRANSIENT``), read again. A file that cannot be read is
    handed on to be rejected (see ``unread``). Files come out in order of arrival.
    """
    from etl.load.warehouse import taken_in

    known = taken_in(warehouse)
    tonight: dict[str, str] = {}
    found = Discovery()
    errors: dict[Path, OSError] = {}
    identified = []
    for path in files_under(paths):
        try:
            identified.append(identify(path))
        except OSError as error:  # vanished since it was listed, permission denied, an I/O error
            identified.append(unread(path, error, cutoff))
            errors[path] = error
    for file in sorted(identified, key=lambda f: (f.received_at, f.name)):
        if cutoff is not None and file.received_at > cutoff:
            continue
        before = known.get(file.sha256, {})
        loaded = sorted(name for name, status in before.items() if status == "loaded")
        if before.get(file.name, "transient") != "transient":
            found.already_taken_in += 1
        elif file.path in errors:
            found.unreadable.append((file, errors[file.path]))
        elif file.sha256 in tonight or loaded:
            found.duplicates.append((file, tonight.get(file.sha256) or loaded[0]))
        else:
            tonight[file.sha256] = file.name
            found.fresh.append(file)
    return found
