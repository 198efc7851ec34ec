"""Typed problems of a file as a whole; each says what a person needs to fix it."""

from __future__ import annotations


class RejectedFile(Exception):
    """A file that cannot be taken in at all; ``reason_vi``/``reason_en`` explain why."""

    code = "rejected"

    def __init__(self, reason_en: str, reason_vi: str) -> None:
        super().__init__(reason_en)
        self.reason_en = reason_en
        self.reason_vi = reason_vi


class UnreadableWorkbook(RejectedFile):
    code = "unreadable"


class TimeLimit(UnreadableWorkbook):
    """Parsing ran past CAX_WORKER_TIMEOUT_S: it may have been the machine, busy that night."""

    code = "time_limit"


class MemoryLimit(UnreadableWorkbook):
    """Parsing needed over CAX_WORKER_MEMORY_MB: it may have been the machine, short of memory that night."""

    code = "memory_limit"


class NoRecognisableSheet(RejectedFile):
    code = "no_sheet"


class UnknownProvince(RejectedFile):
    code = "unknown_province"


class UnknownPeriod(RejectedFile):
    code = "unknown_period"


class PasswordProtected(RejectedFile):
    code = "password_protected"


class DuplicateFile(RejectedFile):
    code = "duplicate"


class ChangedFile(RejectedFile):
    code = "changed"


class ImplausiblePeriod(RejectedFile):
    """A sheet whose dates cannot be its report's: an as-of date outside its month, a month in the file
    name that is not the title's, a month after the night or before the programme's records."""

    code = "implausible_period"


class VanishedFile(RejectedFile):
    """A file that was deleted or moved away between the night finding it and reading it."""

    code = "vanished"


class InaccessibleFile(RejectedFile):
    """A file the night cannot open (permission denied, an I/O error, not a regular file)."""

    code = "inaccessible"


# Rejections that say nothing lasting about the file: the machine was busy, or the file was moving. A
# file rejected for one of these is read again the next night, even under the same name; any other
# rejection of the same bytes under the same name stands (a rerun changes nothing).
TRANSIENT = frozenset({TimeLimit.code, MemoryLimit.code, VanishedFile.code, InaccessibleFile.code,
                       ChangedFile.code})


def file_problem(error: OSError) -> RejectedFile:
    """Why a file the night found cannot be read any more, from the operating system's error."""
    if isinstance(error, FileNotFoundError):
        return VanishedFile("the file was deleted or moved after the night found it; nothing of it was read",
                            "tệp đã bị xóa hoặc chuyển đi sau khi được nhận; chưa đọc được gì, đề nghị gửi lại")
    if isinstance(error, PermissionError):
        return InaccessibleFile("the file cannot be opened: permission denied; nothing of it was read",
                                "không có quyền mở tệp; chưa đọc được gì, đề nghị kiểm tra quyền truy cập")
    why = error.strerror or type(error).__name__
    return InaccessibleFile(f"the file cannot be read ({why}); nothing of it was read",
                            "không đọc được tệp (lỗi hệ thống tệp); chưa đọc được gì, đề nghị gửi lại")
