"""``btoagents scenarios``: the built-in presets with their products and offered load, or
one preset's TOML."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``scenarios`` to the CLI's subcommands."""
    p = subparsers.add_parser(
        "scenarios",
        help="list the built-in presets, or show one's keys",
        description="List the built-in preset scenarios with their product families, "
        "decoupling points and offered load (rho), or print one preset's TOML: a starting "
        "point for a scenario file of your own.",
    )
    p.add_argument("--show", metavar="NAME", help="print preset NAME's TOML")
    return p


def run(args: argparse.Namespace, console: Console) -> int:
    """Print the preset list, or the TOML of the preset ``--show`` names."""
    from btoagents.config import Scenario, preset_names, preset_text
    from btoagents.config.loading import read_scenario_dict

    if args.show:
        print(preset_text(args.show), end="")
        return 0
    for name in preset_names():
        data, _ = read_scenario_dict(name)
        scn = Scenario.model_validate(data)
        families = ", ".join(family_label(f, p, scn.dealers.count) for f, p in scn.products.items())
        console.print(f"[bold]{name}[/bold]: {scn.description}", soft_wrap=True)
        console.print(f"    products: {families}; rho = {scn.offered_load():.2f}", soft_wrap=True)
    console.print("Show one preset's keys with: btoagents scenarios --show NAME")
    return 0


def family_label(name: str, prod: Any, dealers: int) -> str:
    """One product family in the list: variants, strategy, decoupling point and tail."""
    from btoagents.products import decoupling_point

    label = f"{name}: {prod.variants} {prod.strategy}"
    label += f" (decoupling point: {decoupling_point(prod.strategy, dealers)})"
    if prod.tail_share > 0:
        label += f", tail {prod.tail_share:.0%} {prod.tail_strategy}"
    return label
