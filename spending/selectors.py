"""Reads: every statement, payment and spending figure that reaches a person starts from the plans they may see.

A plan's statements and spending follow the plan's visibility (`plans.selectors.plans_visible_to`), whoever asks.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from plans.models import Plan, PlanLine
from plans.selectors import plans_visible_to
from spending.matching import LineFacts, PaymentFacts, line_names, planned_to
from spending.models import FlagCode, Statement, Transaction

ZERO = Decimal("0.00")


def spending_plans_visible_to(user: User) -> QuerySet[Plan]:
    """The plans whose statements and spending this person may see: exactly the plans they may see."""
    return plans_visible_to(user)


def statements_visible_to(user: User) -> QuerySet[Statement]:
    return Statement.objects.filter(plan__in=spending_plans_visible_to(user).values("pk")).defer("content")


def transactions_visible_to(user: User) -> QuerySet[Transaction]:
    return Transaction.objects.filter(plan__in=spending_plans_visible_to(user).values("pk")).select_related("line")


def statements_of(plan: Plan) -> QuerySet[Statement]:
    return Statement.objects.filter(plan=plan).defer("content").select_related("uploaded_by")


def transactions_of(plan: Plan, *, flagged: bool = False, unmatched: bool = False) -> QuerySet[Transaction]:
    transactions = Transaction.objects.filter(plan=plan).select_related("line")
    if flagged:
        transactions = transactions.exclude(flags=[])
    if unmatched:
        transactions = transactions.filter(line__isnull=True)
    return transactions.order_by("-date", "-id")


# --- The plan's year ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive: the day before the anniversary of the approval

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _anniversary(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def plan_period(plan: Plan) -> Period:
    """The plan's year: from KMPT's approval (the decision's date) to the day before its anniversary."""
    approvals = [decision for decision in plan.decisions.all() if decision.outcome == "approved"]
    approved_at = approvals[-1].decided_at if approvals else plan.updated_at
    start = timezone.localdate(approved_at)
    return Period(start=start, end=_anniversary(start) - datetime.timedelta(days=1))


# --- Facts for matching and flags ---------------------------------------------------------------------------------


def line_facts(line: PlanLine) -> LineFacts:
    listing = line.listing
    organisation = listing.organization.name if listing is not None else ""
    return LineFacts(
        id=line.pk,
        names=line_names(organisation, listing.title if listing is not None else "", line.description),
        per_payment=line.unit_cost * line.units,
        frequency=line.frequency,
        annual_cost=line.annual_cost,
    )


def plan_lines(plan: Plan) -> list[PlanLine]:
    return list(PlanLine.objects.filter(plan=plan).select_related("listing__organization").order_by("id"))


def payment_facts(plan: Plan) -> list[PaymentFacts]:
    rows = Transaction.objects.filter(plan=plan).values_list(
        "id", "date", "amount", "payee", "description", "merchant_category_code", "line_id", "match_source"
    )
    return [
        PaymentFacts(
            id=pk,
            date=day,
            amount=amount,
            payee=payee,
            description=description,
            merchant_category_code=mcc,
            line_id=line_id,
            by_hand=source == "by_hand",
        )
        for pk, day, amount, payee, description, mcc, line_id, source in rows
    ]


# --- Spending against the plan ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineSpending:
    line: PlanLine
    planned_to_date: Decimal
    spent: Decimal

    @property
    def annual_cost(self) -> Decimal:
        return self.line.annual_cost

    @property
    def left(self) -> Decimal:
        return self.line.annual_cost - self.spent

    @property
    def ahead(self) -> bool:
        return self.spent > self.planned_to_date * Decimal("1.20")


@dataclass(frozen=True)
class ChartPoint:
    day: datetime.date
    label: str
    planned_left: Decimal
    left: Decimal | None  # None for dates still to come
    spent: Decimal | None
    today: bool = False


@dataclass
class Spending:
    period: Period
    as_of: datetime.date
    budget: Decimal
    planned_to_date: Decimal
    spent: Decimal
    unmatched_total: Decimal
    lines: list[LineSpending]
    flags: dict[str, int]
    payments_flagged: int = 0
    points: list[ChartPoint] = field(default_factory=list)

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.spent

    @property
    def started(self) -> bool:
        return self.as_of >= self.period.start

    def as_dict(self) -> dict[str, Any]:
        """The contract's shape, money as strings."""
        return {
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            "budget": _money(self.budget),
            "planned_to_date": _money(self.planned_to_date),
            "spent": _money(self.spent),
            "remaining": _money(self.remaining),
            "lines": [
                {
                    "line": item.line.pk,
                    "description": item.line.description,
                    "annual_cost": _money(item.annual_cost),
                    "planned_to_date": _money(item.planned_to_date),
                    "spent": _money(item.spent),
                    "left": _money(item.left),
                }
                for item in self.lines
            ],
            "unmatched_total": _money(self.unmatched_total),
            "flags": dict(self.flags),
        }


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def plan_spending(plan: Plan, *, today: datetime.date | None = None) -> Spending:
    """Spent against planned for the plan's year up to today: overall, per line, unmatched, flags, the chart."""
    period = plan_period(plan)
    as_of = min(today or timezone.localdate(), period.end)
    lines = list(plan.lines.all())
    facts = {line.pk: line_facts(line) for line in lines}
    rows = list(
        Transaction.objects.filter(plan=plan, date__range=(period.start, period.end))
        .order_by("date", "id")
        .values_list("date", "amount", "line_id", "flags")
    )
    spent_by_line: dict[int | None, Decimal] = {}
    flags = dict.fromkeys(FlagCode.values, 0)
    for _day, amount, line_id, codes in rows:
        key = line_id if line_id in facts else None
        spent_by_line[key] = spent_by_line.get(key, ZERO) + amount
        for code in codes:
            flags[code] = flags.get(code, 0) + 1
    per_line = [
        LineSpending(
            line=line,
            planned_to_date=planned_to(facts[line.pk], period.start, as_of),
            spent=spent_by_line.get(line.pk, ZERO),
        )
        for line in lines
    ]
    budget = plan.budget.annual_amount
    return Spending(
        period=period,
        as_of=as_of,
        budget=budget,
        planned_to_date=sum((item.planned_to_date for item in per_line), ZERO),
        spent=sum(spent_by_line.values(), ZERO),
        unmatched_total=spent_by_line.get(None, ZERO),
        lines=per_line,
        flags=flags,
        payments_flagged=sum(1 for _day, _amount, _line, codes in rows if codes),
        points=burn_down(period, budget, [(day, amount) for day, amount, _line, _codes in rows], today=as_of),
    )


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def burn_down(
    period: Period, budget: Decimal, payments: list[tuple[datetime.date, Decimal]], *, today: datetime.date
) -> list[ChartPoint]:
    """What was left of the budget at the start and at the end of each month of the plan's year (and today),
    against the straight line that spends it evenly over the year. Both the chart and its table are drawn from
    these points, so they always say the same."""
    ends = [add_months(period.start, months) - datetime.timedelta(days=1) for months in range(1, 13)]
    ends[-1] = period.end
    days = sorted({*ends, today} if period.start <= today < period.end else set(ends))
    points = [ChartPoint(day=period.start, label="start", planned_left=budget, left=budget, spent=ZERO)]
    for day in days:
        planned_left = (budget * (1 - Decimal((day - period.start).days + 1) / period.days)).quantize(Decimal("0.01"))
        if day > today:
            points.append(ChartPoint(day=day, label="", planned_left=planned_left, left=None, spent=None))
            continue
        spent = sum((amount for paid_on, amount in payments if paid_on <= day), ZERO)
        points.append(
            ChartPoint(
                day=day,
                label="today" if day == today else "",
                planned_left=planned_left,
                left=budget - spent,
                spent=spent,
                today=day == today,
            )
        )
    return points
