"""Figures: one function per figure, reading stored results only (never simulating)."""

from btoagents.figures.frontier import plot_inventory_lead_time

__all__ = ["plot_inventory_lead_time"]
