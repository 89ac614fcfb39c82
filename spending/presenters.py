"""How spending reads on the pages: flags and lines in plain words."""

from __future__ import annotations

from typing import Any

from plans.models import PlanLine
from spending.models import FlagCode, Transaction
from spending.services import flag_words


def flag_list(payment: Transaction) -> list[dict[str, Any]]:
    ordered = [code for code in FlagCode.values if code in payment.flags]
    return [{"code": code, **vars(flag_words(code, payment.merchant_category_code))} for code in ordered]


def line_label(line: PlanLine) -> str:
    listing = line.listing
    if listing is not None and listing.organization.name not in line.description:
        return f"{line.description} ({listing.organization.name})"
    return line.description


def _pounds(amount: Any) -> str:
    sign = "\u2212" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


def burn_down_text(spending: Any) -> str:
    """The chart in words: its text alternative, said the same way as the table beside it."""
    period = spending.period
    start, end = f"{period.start:%-d %B %Y}", f"{period.end:%-d %B %Y}"
    text = (
        f"The dashed line spends the budget of {_pounds(spending.budget)} evenly over the year, from {start} to "
        f"nothing left on {end}."
    )
    known = [point for point in spending.points if point.left is not None and point.label != "start"]
    if not known:
        return f"{text} Nothing has been spent yet."
    latest = known[-1]
    difference = latest.left - latest.planned_left
    if difference >= 0:
        compared = f"{_pounds(difference)} more left than on the dashed line"
    else:
        compared = f"{_pounds(-difference)} less left than on the dashed line"
    return (
        f"{text} The solid line is what is actually left: {_pounds(latest.left)} on {latest.day:%-d %B %Y}, {compared}."
    )


FLAG_COUNT_WORDS = {
    FlagCode.PROHIBITED_MERCHANT: (
        "payment looks like",
        "payments look like",
        "something a personal budget cannot pay for",
    ),
    FlagCode.UNPLANNED: ("payment does not", "payments do not", "match anything in the plan"),
    FlagCode.OVER_LINE: ("payment took", "payments took", "a part of the plan past what was planned by now"),
}


def flag_counts(spending: Any) -> list[dict[str, Any]]:
    """[{"code", "count", "text"}] for the flags that are open, in plain words."""
    found = []
    for code, (one, many, rest) in FLAG_COUNT_WORDS.items():
        count = spending.flags.get(code, 0)
        if count:
            found.append({"code": code, "count": count, "text": f"{count} {one if count == 1 else many} {rest}"})
    return found
