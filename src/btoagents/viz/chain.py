"""A picture of the chain: suppliers, plant, dealers and customers with stock and queues.

Drawn as an SVG string (boxes, arrows and text), so the numbers stay sharp at any size
and the page's text can be read by tests and screen readers.
"""

from __future__ import annotations

from html import escape

import solara
from mesa.visualization.utils import update_counter

from btoagents.model import SupplyChainModel

WIDTH = 700
BOX_W = {"supplier": 150, "plant": 150, "dealer": 165, "customers": 125}
X = {"supplier": 5, "plant": 190, "dealer": 375, "customers": 570}
COLORS = {"supplier": "#fde2c4", "plant": "#cfe3f7", "dealer": "#d5efd2", "customers": "#e6e6e6"}
LINE = 16  # px per text line
MAX_DEALERS = 8  # more are summed into one box


def _box(kind: str, y: float, lines: list[str]) -> tuple[str, float]:
    """An SVG box of ``kind`` at height ``y`` with a bold title line; returns (svg, height)."""
    x, w = X[kind], BOX_W[kind]
    h = LINE * len(lines) + 10
    parts = [
        f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="6" fill="{COLORS[kind]}" '
        'stroke="#555" stroke-width="1"/>'
    ]
    for i, text in enumerate(lines):
        style = 'font-size="13" font-weight="bold"' if i == 0 else 'font-size="12"'
        parts.append(f'<text x="{x + 7}" y="{y + LINE * (i + 1)}" {style}>{escape(text)}</text>')
    return "".join(parts), h


def _arrow(x1: float, y1: float, x2: float, y2: float) -> str:
    return (
        f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#777" stroke-width="1.5" '
        'marker-end="url(#arrow)"/>'
    )


def _column(kind: str, entries: list[list[str]], top: float) -> tuple[list[str], list[float]]:
    """Boxes stacked from ``top``; returns their SVG and the vertical centre of each."""
    svg, centres, y = [], [], top
    for lines in entries:
        box, h = _box(kind, y, lines)
        svg.append(box)
        centres.append(y + h / 2)
        y += h + 10
    return svg, centres


def chain_svg(chain: SupplyChainModel) -> str:
    """The chain's current state as an SVG document (stock on hand and queue sizes)."""
    plant = chain.manufacturer
    wc = plant.workcenter
    suppliers = [
        [
            f"Supplier {s.name}",
            f"stock {sum(s.stock.on_hand)}",
            f"queue {s.workcenter.waiting}, busy {s.workcenter.busy.level:g}/{s.workcenter.lines}",
        ]
        for s in chain.suppliers
        if any(owner is s for owner in chain.supplier_of)  # makes at least one component
    ]
    plant_lines = [
        "Plant",
        f"finished stock {sum(plant.finished.on_hand)}",
        f"components {sum(plant.components.on_hand)}",
        f"lines busy {wc.busy.level:g}/{wc.lines}",
        f"line queue {wc.waiting}",
        f"order bank {plant.in_planning}",
        f"awaiting parts {plant.awaiting_components}",
    ]
    shown = chain.dealers[:MAX_DEALERS] if len(chain.dealers) <= MAX_DEALERS else []
    dealers = [
        [
            f"Dealer {d.index + 1}",
            f"stock {sum(d.stock.on_hand)}, backorders {sum(len(q) for q in d.stock.waiting)}",
        ]
        for d in shown
    ]
    if chain.dealers and not shown:
        dealers = [
            [
                f"{len(chain.dealers)} dealers",
                f"stock {sum(sum(d.stock.on_hand) for d in chain.dealers)}",
                f"backorders {sum(len(q) for d in chain.dealers for q in d.stock.waiting)}",
            ]
        ]
    customers = [
        "Customers",
        f"open orders {chain.open_final}",
        f"delivered {chain.delivered_final}",
        f"lost {chain.lost_final}",
        f"in transit {chain.in_transit_units}",
    ]
    tallest = max(
        sum(LINE * len(b) + 20 for b in suppliers),
        LINE * len(plant_lines) + 20,
        sum(LINE * len(b) + 20 for b in dealers),
        LINE * len(customers) + 20,
    )
    height = tallest + 30

    def top(entries: list[list[str]]) -> float:
        return 25 + (tallest - sum(LINE * len(b) + 20 for b in entries)) / 2

    svg = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" style="max-width:{WIDTH}px" font-family="sans-serif" role="img" '
        'aria-label="supply chain">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
        'fill="#777"/></marker></defs>',
        f'<text x="{WIDTH / 2}" y="15" font-size="12" text-anchor="middle" fill="#555">'
        f"day {chain.cal.now:g}: stock on hand and queue sizes</text>",
    ]
    sup_svg, sup_y = _column("supplier", suppliers, top(suppliers))
    plant_svg, (plant_y,) = _column("plant", [plant_lines], top([plant_lines]))
    deal_svg, deal_y = _column("dealer", dealers, top(dealers))
    cust_svg, (cust_y,) = _column("customers", [customers], top([customers]))
    for y in sup_y:
        svg.append(_arrow(X["supplier"] + BOX_W["supplier"], y, X["plant"], plant_y))
    plant_right = X["plant"] + BOX_W["plant"]
    if deal_y:
        for y in deal_y:
            svg.append(_arrow(plant_right, plant_y, X["dealer"], y))
            svg.append(_arrow(X["dealer"] + BOX_W["dealer"], y, X["customers"], cust_y))
    else:
        svg.append(_arrow(plant_right, plant_y, X["customers"], cust_y))
    svg += sup_svg + plant_svg + deal_svg + cust_svg
    svg.append("</svg>")
    return "".join(svg)


@solara.component
def ChainPicture(model) -> None:
    """The chain picture of a :class:`~btoagents.viz.model.DashboardModel`."""
    update_counter.get()  # Mesa's signal that the model stepped: render again
    chain = model.chain  # read once: a closing session may drop it meanwhile
    if chain is None:
        solara.Text("No chain: the scenario has an error (see the summary).")
        return
    solara.HTML(tag="div", unsafe_innerHTML=chain_svg(chain))
