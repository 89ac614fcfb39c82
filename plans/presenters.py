"""Shapes for the plan pages: budget meter, lines grouped by outcome with their check issues, and status steps.

Pure reads over a plan, its check and its decisions; no rule is decided here (the check and services decide)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from config.choices import Outcome
from plans.checks import CheckResult, Issue, Totals
from plans.models import Decision, Plan, PlanLine, PlanStatus


def outcome_label(code: str) -> str:
    return Outcome(code).label if code in Outcome.values else code


@dataclass
class Meter:
    budget: Decimal
    used: Decimal
    left: Decimal
    contribution: Decimal = Decimal("0.00")

    @property
    def over(self) -> bool:
        return self.left < 0

    @property
    def over_by(self) -> Decimal:
        return -self.left

    @property
    def maximum(self) -> Decimal:
        """The meter's scale reaches past the budget when the plan is over it, so the overspend shows in red."""
        return max(self.budget, self.used, Decimal("0.01"))

    @property
    def nearly_full(self) -> Decimal:
        return (self.budget * Decimal("0.9")).quantize(Decimal("0.01"))

    @property
    def percent_used(self) -> int:
        if self.budget <= 0:
            return 100 if self.used > 0 else 0
        return int((self.used / self.budget * 100).to_integral_value())


def meter_for(totals: Totals, contribution: Decimal = Decimal("0.00")) -> Meter:
    return Meter(budget=totals.budget, used=totals.annual, left=totals.remaining, contribution=contribution)


@dataclass
class LineView:
    line: PlanLine
    issues: list[Issue]
    also_for: list[str]

    @property
    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.severity == "error"]


@dataclass
class OutcomeGroup:
    code: str
    label: str
    own_words: str
    lines: list[LineView] = field(default_factory=list)
    also_served_by: list[str] = field(default_factory=list)  # lines shown under another outcome that serve this one


def line_groups(plan: Plan, check: CheckResult) -> list[OutcomeGroup]:
    """Each line under the first assessed outcome it serves (the others named beside it); the rest under
    "Other costs"."""
    by_line: dict[int | None, list[Issue]] = defaultdict(list)
    for issue in check.issues:
        by_line[issue.line].append(issue)
    assessed = list(plan.budget.outcomes)
    groups = {
        code: OutcomeGroup(code, outcome_label(code), plan.outcome_descriptions.get(code, "")) for code in assessed
    }
    other = OutcomeGroup("", "Other costs", "")
    for line in plan.lines.all():
        served = [code for code in line.outcomes if code in groups]
        group = groups[served[0]] if served else other
        group.lines.append(LineView(line, by_line.get(line.pk, []), [outcome_label(code) for code in served[1:]]))
        for code in served[1:]:
            groups[code].also_served_by.append(line.description)
    return [*groups.values(), *([other] if other.lines else [])]


def general_issues(check: CheckResult) -> list[Issue]:
    return [issue for issue in check.issues if issue.line is None]


@dataclass
class Step:
    label: str
    state: str  # done, current, stopped, todo
    hint: str = ""


def status_steps(plan: Plan, decision: Decision | None) -> list[Step]:
    """Where the plan is on its way to a decision, and what comes next."""
    status = plan.status
    submitted_now = status in (PlanStatus.SUBMITTED, PlanStatus.IN_REVIEW, PlanStatus.APPROVED, PlanStatus.DECLINED)
    decided_this_version = decision is not None and decision.version == plan.version
    if status == PlanStatus.CHANGES_REQUESTED and decided_this_version:
        submitted_now = True
    agreed = plan.agreed_version == plan.version and plan.client_agreed_at is not None
    steps = [
        Step(
            "Plan written and agreed by the client",
            "done" if submitted_now or agreed else "current",
            "The broker writes the plan with the client, who agrees to it.",
        ),
        Step("Sent to KMPT", "done" if submitted_now else "todo", "The plan is sent to KMPT to review."),
    ]
    checks_failed = status == PlanStatus.CHANGES_REQUESTED and decided_this_version and decision.by_id is None  # type: ignore[union-attr]
    if status == PlanStatus.SUBMITTED:
        checks_state = "current"
    elif checks_failed:
        checks_state = "stopped"
    else:
        checks_state = "done" if submitted_now else "todo"
    steps.append(Step("Automatic checks", checks_state, "Waymark checks the costs and what the budget can pay for."))
    if status == PlanStatus.IN_REVIEW:
        review_state = "current"
    elif submitted_now and status != PlanStatus.SUBMITTED and not checks_failed:
        review_state = "done"
    else:
        review_state = "todo"
    steps.append(Step("In review with KMPT", review_state, "A KMPT reviewer reads the plan."))
    decided = status in (PlanStatus.APPROVED, PlanStatus.DECLINED) or (decided_this_version and not checks_failed)
    steps.append(
        Step("Decided", "done" if decided else "todo", "KMPT approves the plan, asks for changes or declines it.")
    )
    return steps


def polling(plan: Plan) -> bool:
    """The live status keeps asking only while the workflow can still move the plan on its own."""
    return plan.status in (PlanStatus.SUBMITTED, PlanStatus.IN_REVIEW)


def status_token(plan: Plan) -> str:
    return f"{plan.status}-{plan.version}-{plan.reviewer_id or 0}"


def snapshot_groups(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """A frozen version's lines grouped like the builder's, from plain JSON."""
    outcomes = snapshot.get("outcomes", [])
    groups: dict[str, dict[str, Any]] = {
        item["code"]: {
            "label": outcome_label(item["code"]),
            "own_words": item.get("description", ""),
            "lines": [],
            "also_served_by": [],
        }
        for item in outcomes
    }
    other: dict[str, Any] = {"label": "Other costs", "own_words": "", "lines": []}
    for line in snapshot.get("lines", []):
        served = [code for code in line.get("outcomes", []) if code in groups]
        (groups[served[0]] if served else other)["lines"].append(line)
        for code in served[1:]:
            groups[code]["also_served_by"].append(line["description"])
    return [*groups.values(), *([other] if other["lines"] else [])]
