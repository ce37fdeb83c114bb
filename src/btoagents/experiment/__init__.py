"""The experiment harness: designs, runs with common random numbers, executors, a resumable
Parquet store, and analysis."""

from btoagents.experiment.status import status
from btoagents.experiment.store import ResultStore, load_results
from btoagents.experiment.sweep import SweepSummary, prepare, sweep

__all__ = ["ResultStore", "SweepSummary", "load_results", "prepare", "status", "sweep"]
