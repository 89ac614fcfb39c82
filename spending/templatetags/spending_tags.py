"""Spending for other pages to include: `{% load spending_tags %}`.

- `{% spending_summary plan %}`: a short panel (spent, left, what needs a look, a link to the spending page) for the
  plan pages (client, broker, reviewer). Shows nothing until the plan is approved.
- `{% spending_chart plan %}`: the burn-down chart with its table, self-contained (no links or scripts), for the
  spending page and the plan's PDF. Also nothing until the plan is approved.

Both take a `Plan`, or a plan's frozen snapshot (a dict holding its `id`, as the PDF has). They read no person from
the context: the page or PDF that includes them has already checked that its reader may see the plan.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from plans.models import Plan
from plans.selectors import plans_with_details
from spending import charts, permissions, presenters, selectors

register = template.Library()


@register.filter
def pounds(value: Any) -> str:
    """£1,234.50 from a Decimal, a number or a string, with a real minus sign."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return ""
    sign = "\u2212" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


@register.filter
def plain_money(value: Any) -> str:
    """1234.50 for data attributes (what tests and scripts compare)."""
    try:
        return f"{Decimal(str(value)):.2f}"
    except (InvalidOperation, ValueError):
        return ""


def _plan(plan: Any) -> Plan | None:
    if isinstance(plan, Plan):
        return plan
    plan_id = plan.get("id") if isinstance(plan, dict) else None
    return plans_with_details().filter(pk=plan_id).first() if isinstance(plan_id, int) else None


def _spending(plan: Any) -> tuple[Plan | None, selectors.Spending | None]:
    found = _plan(plan)
    if found is None or not permissions.spending_started(found):
        return found, None
    return found, selectors.plan_spending(found)


@register.inclusion_tag("spending/_summary.html")
def spending_summary(plan: Any) -> dict[str, Any]:
    found, spending = _spending(plan)
    return {"plan": found, "spending": spending}


@register.inclusion_tag("spending/_chart.html")
def spending_chart(plan: Any) -> dict[str, Any]:
    found, spending = _spending(plan)
    chart = charts.burn_down_chart(spending.period, spending.budget, spending.points) if spending else None
    text = presenters.burn_down_text(spending) if spending else ""
    return {"plan": found, "spending": spending, "chart": chart, "chart_text": text}
