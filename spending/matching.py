"""Which plan line each payment pays for, what the plan expected by a date, and which payments to look at.

Pure functions over plain facts (no database), so the rules read in one place and test without fixtures.

Matching: a payment matches a line when the line's organisation (or its listing's title, or its own description)
appears in the payment's payee or description, allowing for card terminals that cut names short; among the lines
that match by name, the one whose amount and rhythm (weekly, monthly...) fit best wins. Without a name match the
payment stays unmatched: an amount alone says too little (a £12 art class and a £12 round at the pub).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from spending.models import FlagCode

PENNY = Decimal("0.01")
OVER_LINE_MARGIN = Decimal("1.20")  # a line is flagged when its spending is more than 20 % ahead of its plan

# Merchant category codes a personal budget can never pay (API.md), by what they are, for plain words.
PROHIBITED_MERCHANTS: dict[str, str] = {
    **dict.fromkeys(("7995", "7800", "7801", "7802"), "gambling"),
    **dict.fromkeys(("5813", "5921"), "alcohol"),
    "5993": "tobacco",
    **dict.fromkeys(("6010", "6011", "6051"), "cash"),
    **dict.fromkeys(("8011", "8021", "8031", "8062", "8071"), "health care"),
}

# Words that say nothing about who was paid: legal forms and joining words.
STOPWORDS = frozenset({"the", "ltd", "limited", "and", "of", "cic", "plc", "llp", "uk", "co", "inc", "a", "for", "gb"})
TIMES_A_YEAR = {"weekly": 52, "monthly": 12, "yearly": 1, "once": 1}


@dataclass(frozen=True)
class LineFacts:
    id: int
    names: tuple[tuple[str, ...], ...]  # token lists: the organisation, the listing's title, the line's description
    per_payment: Decimal  # unit cost x units: what one payment should be
    frequency: str
    annual_cost: Decimal


@dataclass(frozen=True)
class PaymentFacts:
    id: int
    date: date
    amount: Decimal  # money out positive
    payee: str
    description: str
    merchant_category_code: str = ""
    line_id: int | None = None
    by_hand: bool = False


@lru_cache(maxsize=4096)  # a statement repeats the same few payees and descriptions thousands of times
def tokens(text: str) -> tuple[str, ...]:
    text = text.casefold().replace("&", " and ").replace("'", "").replace("\u2019", "")
    return tuple(word for word in re.split(r"[^0-9a-z]+", text) if word and word not in STOPWORDS)


def line_names(*texts: str) -> tuple[tuple[str, ...], ...]:
    return tuple(found for found in (tokens(text) for text in texts if text) if found)


def _found_in(name: tuple[str, ...], text: tuple[str, ...]) -> bool:
    """The name's words in a row in the text; the text may cut the name short (a card terminal's 22 characters),
    as long as enough of it is there to be sure."""
    for start in range(len(text)):
        whole = chars = position = 0
        index = start
        while position < len(name) and index < len(text):
            if text[index] == name[position]:
                whole, chars, position, index = whole + 1, chars + len(name[position]), position + 1, index + 1
            elif len(text[index]) >= 3 and name[position].startswith(text[index]):
                chars, position = chars + len(text[index]), position + 1
                break  # the name was cut here
            else:
                break
        if whole and chars >= 4 and (position == len(name) or chars >= 10):
            return True
    return False


def names_match(line: LineFacts, payee: tuple[str, ...], text: tuple[str, ...]) -> bool:
    if any(_found_in(name, text) for name in line.names):
        return True
    # A payee of two words or more ("Jane Smith") inside a line's description ("Personal assistant, Jane Smith").
    return len(payee) >= 2 and any(_found_in(payee, name) for name in line.names)


def _amount_score(line: LineFacts, amount: Decimal) -> int:
    amount = abs(amount)
    if amount == line.per_payment.quantize(PENNY, rounding=ROUND_HALF_UP):
        return 2
    if line.per_payment and abs(amount - line.per_payment) <= line.per_payment * Decimal("0.15"):
        return 1
    return 0


def _rhythm_score(line: LineFacts, day: date, previous: date | None) -> int:
    """1 when the gap since this line's last payment fits its frequency (the first payment always fits)."""
    if previous is None:
        return 1
    gap = (day - previous).days
    if line.frequency == "weekly":
        return int(gap >= 4 and min(gap % 7, 7 - gap % 7) <= 2)
    if line.frequency == "monthly":
        return int(gap >= 24 and min(gap % 30, 30 - gap % 30) <= 5)
    if line.frequency == "yearly":
        return int(gap >= 330)
    return 0  # a one-off paid twice does not fit


def match_payments(payments: Iterable[PaymentFacts], lines: list[LineFacts]) -> dict[int, int | None]:
    """The line each payment not matched by hand pays for (or None), oldest payment first, so that rhythm can
    tell apart two lines with the same organisation."""
    by_id = {line.id: line for line in lines}
    last_paid: dict[int, date] = {}
    found: dict[int, int | None] = {}
    named: dict[tuple[str, str], list[LineFacts]] = {}  # a statement names the same few payees again and again
    for payment in sorted(payments, key=lambda p: (p.date, p.id)):
        if payment.by_hand:
            chosen = payment.line_id if payment.line_id in by_id else None
        else:
            text = (payment.payee, payment.description)
            if text not in named:
                named[text] = _lines_named(payment, lines)
            chosen = _best_line(payment, named[text], last_paid)
            found[payment.id] = chosen
        if chosen is not None and payment.amount > 0:
            last_paid[chosen] = payment.date
    return found


def _lines_named(payment: PaymentFacts, lines: list[LineFacts]) -> list[LineFacts]:
    payee, text = tokens(payment.payee), tokens(f"{payment.payee} {payment.description}")
    return [line for line in lines if names_match(line, payee, text)]


def _best_line(payment: PaymentFacts, lines: list[LineFacts], last_paid: dict[int, date]) -> int | None:
    """Of the lines the payment names (in the plan's order), the one whose amount and rhythm fit best."""
    best: tuple[int, int] | None = None
    for order, line in enumerate(lines):
        score = _amount_score(line, payment.amount) * 2 + _rhythm_score(line, payment.date, last_paid.get(line.id))
        if best is None or score > best[0] or (score == best[0] and order < best[1]):
            best = (score, order)
    return lines[best[1]].id if best is not None else None


# --- What the plan expected by a date ---------------------------------------------------------------------------


def _months_begun(start: date, day: date) -> int:
    months = (day.year - start.year) * 12 + day.month - start.month
    return months + (0 if day.day < start.day else 1)


def planned_to(line: LineFacts, start: date, day: date) -> Decimal:
    """What the plan expected this line to have cost by `day` (inclusive), the plan's year starting on `start`:
    a weekly line one payment for every week begun, a monthly one for every month begun, a one-off or yearly line
    all of it from the first day."""
    if day < start:
        return Decimal("0.00")
    if line.frequency == "weekly":
        planned = line.per_payment * min(52, (day - start).days // 7 + 1)
    elif line.frequency == "monthly":
        planned = line.per_payment * min(12, _months_begun(start, day))
    else:
        planned = line.annual_cost
    return min(planned.quantize(PENNY, rounding=ROUND_HALF_UP), line.annual_cost)


# --- Flags ------------------------------------------------------------------------------------------------------


def flags_for(
    payments: Iterable[PaymentFacts], lines: list[LineFacts], *, start: date, end: date, today: date
) -> dict[int, frozenset[str]]:
    """The open flags of each payment (with its line as finally matched).

    `over_line` marks the payments that took their line more than 20 % ahead of the plan at their date, and only
    while the line is still ahead today: once the plan catches up (or a refund comes back), the flag closes."""
    by_id = {line.id: line for line in lines}
    ordered = sorted(payments, key=lambda p: (p.date, p.id))
    flags: dict[int, set[str]] = {payment.id: set() for payment in ordered}
    spent: dict[int, Decimal] = defaultdict(Decimal)
    pushed_over: dict[int, list[int]] = defaultdict(list)
    for payment in ordered:
        if payment.amount > 0 and payment.merchant_category_code in PROHIBITED_MERCHANTS:
            flags[payment.id].add(FlagCode.PROHIBITED_MERCHANT)
        line = by_id.get(payment.line_id) if payment.line_id is not None else None
        if payment.amount > 0 and line is None:
            flags[payment.id].add(FlagCode.UNPLANNED)
        if line is None or not start <= payment.date <= end:
            continue
        spent[line.id] += payment.amount
        if payment.amount > 0 and spent[line.id] > planned_to(line, start, payment.date) * OVER_LINE_MARGIN:
            pushed_over[line.id].append(payment.id)
    as_of = min(today, end)
    for line_id, payment_ids in pushed_over.items():
        if spent[line_id] > planned_to(by_id[line_id], start, as_of) * OVER_LINE_MARGIN:
            for payment_id in payment_ids:
                flags[payment_id].add(FlagCode.OVER_LINE)
    return {payment_id: frozenset(codes) for payment_id, codes in flags.items()}
