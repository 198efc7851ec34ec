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
