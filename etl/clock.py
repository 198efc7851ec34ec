"""The one Vietnam clock. Every timestamp the warehouse stores (received_at, loaded_at, ...) is
Vietnam local time without a zone: Asia/Ho_Chi_Minh is UTC+7 all year (no daylight saving since
1975), so a fixed offset is exact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

VIETNAM = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")


def to_vietnam(moment: datetime) -> datetime:
    """A zone-aware moment as Vietnam local time, zone dropped, to the second."""
    return moment.astimezone(VIETNAM).replace(tzinfo=None, microsecond=0)


def now_vietnam() -> datetime:
    """Now, in Vietnam local time, to the second."""
    return to_vietnam(datetime.now(UTC))


def from_timestamp(seconds: float) -> datetime:
    """A POSIX timestamp (a file's modification time) as Vietnam local time, to the second."""
    return to_vietnam(datetime.fromtimestamp(seconds, UTC))
