"""Settings, read once from the environment (``CAX_*``) with local defaults.

Every path the product writes lives under ``var/`` unless a setting says otherwise.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path


class SettingError(ValueError):
    """A CAX_* variable set to what its setting cannot take; the message names both (bad usage)."""


def _path(name: str, default: str) -> Path:
    return Path(os.environ.get(name) or default)


_WHOLE = re.compile(r"[0-9]+")
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")


_VERSION = re.compile(r"v[0-9]+\.[0-9]+\.[0-9]+|latest")
# DuckDB 1.x cannot open a file written by DuckDB 2 in its default storage, and the analysts'
# clients (CLI, notebooks) lag the loader's: the copy is written for the 1.5 series.
PUBLISHED_STORAGE_VERSION = "v1.5.0"


def _storage_version(name: str, default: str) -> str:
    """A DuckDB storage version (``v1.5.0``, ``latest``) from ``name``; SettingError, naming the
    variable, unless DuckDB knows it (it is asked: its list grows with each release)."""
    text = (os.environ.get(name) or "").strip() or default
    import duckdb

    probe = duckdb.connect()
    try:
        if not _VERSION.fullmatch(text):
            raise duckdb.InvalidInputException("not of the form vX.Y.Z")
        probe.execute(f"attach ':memory:' as probe (storage_version '{text}')")
    except duckdb.Error as error:
        why = str(error).split(", valid options")[0]
        raise SettingError(f"{name}={text!r}: expected a DuckDB storage version such as "
                           f"{PUBLISHED_STORAGE_VERSION!r}, the oldest DuckDB that must open the analysts' copy"
                           f" ({why}) / cần một phiên bản lưu trữ DuckDB, ví dụ {PUBLISHED_STORAGE_VERSION!r}"
                           ) from error
    finally:
        probe.close()
    return text


def number_setting(name: str, default: float, minimum: int = 1, whole: bool = True) -> float:
    """A numeric setting from ``name``; SettingError, naming the variable and what it takes, when it
    is not a number (int() and float() also take '1_0', '1e3' and other scripts' digits) or is below
    ``minimum``."""
    text = (os.environ.get(name) or "").strip()
    if not text:
        return default
    kind = "a whole number" if whole else "a number"
    if not (_WHOLE if whole else _DECIMAL).fullmatch(text) or float(text) < minimum:
        raise SettingError(f"{name}={text!r}: expected {kind} of at least {minimum} / "
                           f"cần một số{' nguyên' if whole else ''} từ {minimum} trở lên")
    return int(text) if whole else float(text)


@dataclass(frozen=True)
class Limits:
    """What an untrusted workbook may cost before it is refused (CAX_MAX_* settings)."""

    max_file_mb: int = 50  # a province's workbook is a few MB at most
    max_uncompressed_mb: int = 300
    max_ratio: int = 200  # compression ratio of one part (spreadsheet XML compresses ~10-30:1)
    max_members: int = 2000
    max_rows: int = 200_000  # the largest report has ~10,000 rows
    max_columns: int = 200
    worker_memory_mb: int = 2000  # address space of a parsing process
    worker_timeout_s: int = 120  # time to parse one workbook

    @classmethod
    def from_environment(cls) -> Limits:
        defaults = cls()
        return cls(**{name: int(number_setting(f"CAX_{name.upper()}", getattr(defaults, name)))
                      for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Settings:
    """Where the warehouse, the landing folder and the work files live."""

    warehouse: Path
    landing: Path
    published: Path
    var: Path
    workers: int = 2  # child processes that parse workbooks (CAX_WORKERS)
    # Days after a period's end by which its report is due (reporting completeness). Daily ID-card
    # figures arrive in half-monthly workbooks, so a day is due 16 days after it.
    monthly_deadline_days: int = 5
    daily_deadline_days: int = 16
    limits: Limits = field(default_factory=Limits)
    published_storage_version: str = PUBLISHED_STORAGE_VERSION  # CAX_PUBLISHED_STORAGE_VERSION

    @property
    def staging(self) -> Path:
        """Per-run intermediate files (extracted rows as Parquet)."""
        return self.var / "staging"

    @property
    def data_docs(self) -> Path:
        return self.var / "data_docs"

    @property
    def docs(self) -> Path:
        """The data dictionary ``cax docs`` writes by default (data_dictionary.md and .html)."""
        return self.var / "docs"

    @property
    def feedback(self) -> Path:
        """Feedback workbooks for the provinces, one folder per province."""
        return self.var / "feedback"

    @property
    def alerts(self) -> Path:
        """One text file per failure of the nightly pipeline (etl.alerts)."""
        return self.var / "alerts"


def load_settings(warehouse: Path | str | None = None) -> Settings:
    """Settings from the environment; an explicit ``warehouse`` wins over ``CAX_WAREHOUSE``.

    An explicit ``warehouse`` D/X.duckdb (``--warehouse``) keeps its whole night beside it: unless
    ``CAX_PUBLISHED`` or ``CAX_VAR`` say otherwise, its analysts' copy is D/published/X.duckdb and its
    staging, feedback and data docs go under D/, so a scratch warehouse never replaces the default
    analysts' copy. For var/warehouse.duckdb that is the default layout.
    Raises SettingError for a numeric setting that is not one (checked here, before any work)."""
    lock_wait_seconds()  # read when a loader waits; checked now, before anything is written
    load_batch_files()  # likewise, read when a night loads
    if warehouse:
        chosen = Path(warehouse)
        var = _path("CAX_VAR", str(chosen.parent))
        published = _path("CAX_PUBLISHED", str(chosen.parent / "published" / chosen.name))
    else:
        var = _path("CAX_VAR", "var")
        chosen = _path("CAX_WAREHOUSE", str(var / "warehouse.duckdb"))
        published = _path("CAX_PUBLISHED", str(var / "published" / "warehouse.duckdb"))
    return Settings(
        warehouse=chosen,
        landing=_path("CAX_LANDING", str(var / "landing")),
        published=published,
        var=var,
        workers=int(number_setting("CAX_WORKERS", min(2, os.cpu_count() or 1))),
        monthly_deadline_days=int(number_setting("CAX_MONTHLY_DEADLINE_DAYS", 5, minimum=0)),
        daily_deadline_days=int(number_setting("CAX_DAILY_DEADLINE_DAYS", 16, minimum=0)),
        limits=Limits.from_environment(),
        published_storage_version=_storage_version("CAX_PUBLISHED_STORAGE_VERSION", PUBLISHED_STORAGE_VERSION),
    )


# Read where they are used, at the moment they are used (tests and operators change them between
# calls), but only here.
def lock_wait_seconds() -> float:
    """How long a loader waits for another one to finish with the warehouse (CAX_LOCK_WAIT_S, 300 s)."""
    return number_setting("CAX_LOCK_WAIT_S", 300.0, minimum=0, whole=False)


def load_batch_files() -> int:
    """How many files the loader takes in per transaction (CAX_LOAD_BATCH_FILES, 500): a loader
    killed half-way loses at most that many, which the next night takes in again. A batch costs
    ~70 ms beyond its rows on a year's warehouse: a year of daily files loads in 9 s at 500, 13 s at
    200, 39 s at 50."""
    return int(number_setting("CAX_LOAD_BATCH_FILES", 500))


def alert_recipients() -> list[str]:
    """Who is mailed when the nightly pipeline fails (CAX_ALERT_TO, comma-separated; none when unset).
    SettingError for an entry that is not a mail address."""
    names = [n.strip() for n in (os.environ.get("CAX_ALERT_TO") or "").split(",") if n.strip()]
    wrong = [n for n in names if not re.fullmatch(r"[^@\s]+@[^@\s]+", n)]
    if wrong:
        raise SettingError(f"CAX_ALERT_TO: {', '.join(map(repr, wrong))} is not a mail address / "
                           "không phải địa chỉ thư (expected name@host, separated by commas)")
    return names


def expectations_dir() -> Path:
    """Folder of the rule files: ``$CAX_EXPECTATIONS``, else ``expectations/`` at the project's root."""
    return _path("CAX_EXPECTATIONS", str(Path(__file__).resolve().parents[1] / "expectations"))


def debug() -> bool:
    """CAX_DEBUG set: the command line shows tracebacks instead of one line per failure."""
    return bool(os.environ.get("CAX_DEBUG"))
