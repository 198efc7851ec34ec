"""Extraction: workbooks as provinces send them -> typed rows with resolved unit codes."""

from etl.extract.errors import RejectedFile
from etl.extract.submission import SubmissionExtract, WorkbookExtract, extract_workbook, rows_frame

__all__ = ["RejectedFile", "SubmissionExtract", "WorkbookExtract", "extract_workbook", "rows_frame"]
