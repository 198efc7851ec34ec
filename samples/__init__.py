"""Sample submissions for demos, tests and benchmarks: synthetic provincial workbooks of both
eras with a truth file. Not the product: `etl` never imports it, and its extra dependencies are
the optional group `samples` (`uv sync --extra samples`, or `pip install -e '.[samples]'`)."""

from samples.generator import ALL_KINDS, BROKEN_FILES, BROKEN_PASSWORD, DEPARTURES, FAULTS, generate_samples

__all__ = ["ALL_KINDS", "BROKEN_FILES", "BROKEN_PASSWORD", "DEPARTURES", "FAULTS", "generate_samples"]
