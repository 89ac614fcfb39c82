"""The burn-down chart's geometry: where each of the table's points sits in the SVG. No drawing rules elsewhere.

The chart and the table beside it are both drawn from `selectors.burn_down`'s points, so their numbers agree.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from spending.selectors import ChartPoint, Period, add_months

WIDTH, HEIGHT = 640, 340
LEFT, RIGHT, TOP, BOTTOM = 84, 20, 20, 56


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    point: ChartPoint


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    planned_line: str  # SVG polyline points
    actual_line: str
    dots: list[Dot]
    y_ticks: list[Tick]
    x_ticks: list[Tick]


def _pounds(amount: Decimal) -> str:
    sign = "\u2212" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.0f}"


def burn_down_chart(period: Period, budget: Decimal, points: list[ChartPoint]) -> Chart:
    known = [point.left for point in points if point.left is not None]
    top = max([budget, *known, Decimal("1")])
    bottom = min([Decimal("0"), *known])
    span_days = max(period.days, 1)
    right, lower = WIDTH - RIGHT, HEIGHT - BOTTOM

    def x_at(offset: int) -> float:
        return round(LEFT + (right - LEFT) * offset / span_days, 1)

    def x(point: ChartPoint) -> float:
        return x_at(0 if point.label == "start" else (point.day - period.start).days + 1)

    def y(amount: Decimal) -> float:
        return round(lower - (lower - TOP) * float((amount - bottom) / (top - bottom)), 1)

    dots = [Dot(x(point), y(point.left), point) for point in points if point.left is not None]
    quarters = [bottom + (top - bottom) * Decimal(step) / 4 for step in range(5)]
    quarter_ends = [add_months(period.start, months) - datetime.timedelta(days=1) for months in (3, 6, 9)]
    x_ticks = [Tick(x_at(0), period.start.strftime("%b %Y"))] + [
        Tick(x_at((day - period.start).days + 1), day.strftime("%b %Y")) for day in [*quarter_ends, period.end]
    ]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        plot_left=LEFT,
        plot_right=right,
        plot_top=TOP,
        plot_bottom=lower,
        planned_line=" ".join(f"{x(point)},{y(point.planned_left)}" for point in points),
        actual_line=" ".join(f"{dot.x},{dot.y}" for dot in dots),
        dots=dots,
        y_ticks=[Tick(y(amount), _pounds(amount)) for amount in quarters],
        x_ticks=x_ticks,
    )
