"""Validation of the model against queueing and inventory theory (``btoagents validate``)."""

from btoagents.validation.cases import Case, all_cases, quick_cases
from btoagents.validation.run import Z_LIMIT, run_case, run_cases

__all__ = ["Case", "Z_LIMIT", "all_cases", "quick_cases", "run_case", "run_cases"]

from btoagents.validation.report import write_report  # noqa: E402

__all__ += ["write_report"]
