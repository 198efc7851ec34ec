"""Validation: the night's rows checked against the rules in ``expectations/``, one batch per dataset."""

from etl.validate.night import validate_stage
from etl.validate.suite import RuleFailure, SuiteError, validate_rows

__all__ = ["RuleFailure", "SuiteError", "validate_rows", "validate_stage"]
