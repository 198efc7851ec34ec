"""Discover: the night's files, each identified once by its sha256 and carried on.

A file is known by its content. Every later stage receives the ``DiscoveredFile`` this stage made
(its path, sha256, size and arrival time) instead of hashing the file again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from etl.clock import from_timestamp

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
        return self.path.name

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
        stat = self.path.stat()
        if (stat.st_size, stat.st_mtime_ns) == (self.size_bytes, self.modified_ns):
            return True
        return identify(self.path).sha256 == self.sha256


def identify(path: Path) -> DiscoveredFile:
    """Hash a file and read its arrival time (its modification time, in Vietnam local time)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    stat = path.stat()
    return DiscoveredFile(path, digest.hexdigest(), stat.st_size, from_timestamp(stat.st_mtime), stat.st_mtime_ns)


@dataclass
class Discovery:
    """The night's files: new ones to read, byte-identical copies of files already taken in
    (recorded once as duplicates, with the name of the file they copy), and how many were skipped."""

    fresh: list[DiscoveredFile] = field(default_factory=list)
    duplicates: list[tuple[DiscoveredFile, str]] = field(default_factory=list)
    already_taken_in: int = 0


def files_under(paths: Iterable[Path]) -> list[Path]:
    """Every submission file named, or lying under a folder named, in ``paths``."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("~$")
                            and p.name not in _DESKTOP_FILES and p.suffix.lower() != ".json")
        elif path.is_file():
            files.append(path)
    return files


def discover(paths: Iterable[Path], warehouse: Path, cutoff: datetime | None = None) -> Discovery:
    """Files under ``paths`` received by ``cutoff`` that ``warehouse`` has not taken in yet.

    A known file under a name not seen before (a province sent the same bytes twice, or renamed) is a
    duplicate, recorded once; a file already recorded under its name is skipped silently, so
    re-running a night changes nothing. Files come out in order of arrival.
    """
    from etl.load.warehouse import taken_in

    known = taken_in(warehouse)
    tonight: dict[str, str] = {}
    found = Discovery()
    for file in sorted(map(identify, files_under(paths)), key=lambda f: (f.received_at, f.name)):
        if cutoff is not None and file.received_at > cutoff:
            continue
        if file.name in known.get(file.sha256, set()):
            found.already_taken_in += 1
        elif file.sha256 in known or file.sha256 in tonight:
            original = tonight.get(file.sha256) or sorted(known[file.sha256])[0]
            found.duplicates.append((file, original))
            known.setdefault(file.sha256, set()).add(file.name)
        else:
            tonight[file.sha256] = file.name
            found.fresh.append(file)
    return found
