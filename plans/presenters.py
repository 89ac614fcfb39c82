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
from plans.record import agreed_by, agreed_by_words


def outcome_label(code: str) -> str:
    return Outcome(code).label if code in Outcome.values else code


# Everyday names of the Care Act outcomes, for what clients read; brokers and reviewers keep the full names.
OUTCOME_SHORT_NAMES = {
    Outcome.NUTRITION: "Eating and drinking well",
    Outcome.HYGIENE: "Keeping clean",
    Outcome.TOILET: "Using the toilet",
    Outcome.CLOTHING: "Getting dressed",
    Outcome.HOME_SAFETY: "Being safe at home",
    Outcome.HABITABLE_HOME: "Looking after your home",
    Outcome.RELATIONSHIPS: "Family and friends",
    Outcome.WORK_EDUCATION_VOLUNTEERING: "Work, learning or volunteering",
    Outcome.COMMUNITY_AND_RECREATION: "Getting out and about",
    Outcome.CARING_FOR_CHILD: "Caring for a child",
}


def outcome_short(code: str) -> str:
    return OUTCOME_SHORT_NAMES.get(code, outcome_label(code))  # type: ignore[call-overload]


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


def kmpt_usual_time() -> str:
    """How long KMPT usually takes, from the queue's own rule (a plan waiting longer is overdue)."""
    from plans.selectors import OVERDUE_AFTER_WORKING_DAYS

    return f"usually within {OVERDUE_AFTER_WORKING_DAYS} working days"


def changes_needed(plan: Plan, decision: Decision | None) -> bool:
    """KMPT (or the automatic checks) asked for changes, and the plan is with the broker again."""
    return (
        decision is not None
        and decision.outcome == PlanStatus.CHANGES_REQUESTED
        and plan.status in (PlanStatus.CHANGES_REQUESTED, PlanStatus.DRAFT)
    )


def _steps_after_changes(plan: Plan, decision: Decision) -> list[Step]:
    """After "changes requested" the plan starts its way again: nothing after the request is done yet. (The old
    agreement still stands on the plan until the broker's first change, but it is not an agreement to the changes.)"""
    agreed = plan.status == PlanStatus.DRAFT and bool(
        plan.shared_at and plan.agreed_digest and plan.agreed_digest == plan.shared_digest
    )
    who = "KMPT" if decision.by_id else "The automatic checks"
    return [
        Step(
            f"{who} asked for changes to version {decision.version}",
            "stopped",
            "The reasons are below.",
        ),
        Step(
            "Plan changed and agreed by the client",
            "done" if agreed else "current",
            "The broker changes the plan with the client, who agrees to it again.",
        ),
        Step("Sent to KMPT again", "todo", f"KMPT reviews the changed plan, {kmpt_usual_time()}."),
        Step("Automatic checks", "todo", "Waymark checks the costs and what the budget can pay for."),
        Step("In review with KMPT", "todo", "A KMPT reviewer reads the plan."),
        Step("Decided", "todo", "KMPT approves the plan, asks for changes or declines it."),
    ]


def status_steps(plan: Plan, decision: Decision | None) -> list[Step]:
    """Where the plan is on its way to a decision, and what comes next."""
    status = plan.status
    if changes_needed(plan, decision):
        return _steps_after_changes(plan, decision)  # type: ignore[arg-type]
    submitted_now = status in (PlanStatus.SUBMITTED, PlanStatus.IN_REVIEW, PlanStatus.APPROVED, PlanStatus.DECLINED)
    agreed = bool(plan.shared_at and plan.agreed_digest and plan.agreed_digest == plan.shared_digest)
    steps = [
        Step(
            "Plan written and agreed by the client",
            "done" if submitted_now or agreed else "current",
            "The broker writes the plan with the client, who agrees to it.",
        ),
        Step("Sent to KMPT", "done" if submitted_now else "todo", "The plan is sent to KMPT to review."),
    ]
    checks_state = "current" if status == PlanStatus.SUBMITTED else "done" if submitted_now else "todo"
    steps.append(Step("Automatic checks", checks_state, "Waymark checks the costs and what the budget can pay for."))
    if status == PlanStatus.IN_REVIEW:
        review_state = "current"
    elif submitted_now and status != PlanStatus.SUBMITTED:
        review_state = "done"
    else:
        review_state = "todo"
    steps.append(Step("In review with KMPT", review_state, f"A KMPT reviewer reads the plan, {kmpt_usual_time()}."))
    decided = status in (PlanStatus.APPROVED, PlanStatus.DECLINED)
    steps.append(
        Step("Decided", "done" if decided else "todo", "KMPT approves the plan, asks for changes or declines it.")
    )
    return steps


def status_context(plan: Plan, decision: Decision | None, *, audience: str) -> dict[str, Any]:
    """What the status tracker shows, worded for its reader: `audience` is "client" or "broker"."""
    return {
        "decision": decision,
        "steps": status_steps(plan, decision),
        "polling": polling(plan),
        "status_token": status_token(plan),
        "changes_needed": changes_needed(plan, decision),
        "usual_time": kmpt_usual_time(),
        "audience": audience,
    }


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
            "code": item["code"],
            "label": outcome_label(item["code"]),
            "short": outcome_short(item["code"]),
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


# --- After approval: how the money is paid, reviews in plain words, the plan's thread -----------------------------


@dataclass
class PaymentInfo:
    """How a client's money is paid and who to ask, from their council's rules (`plans.councils`)."""

    council: Any  # councils.Council
    route: str
    words: str

    @property
    def contact(self) -> Any:
        return self.council.contact

    @property
    def kent_card(self) -> bool:
        return self.route == "kent_card"


def payment_info(budget: Any) -> PaymentInfo | None:
    """From a Budget or a frozen record's budget (a dict)."""
    from plans import councils

    if budget is None:
        return None
    council = budget["council"] if isinstance(budget, dict) else budget.council
    route = budget["payment_route"] if isinstance(budget, dict) else budget.payment_route
    if council not in councils.COUNCILS:
        return None
    return PaymentInfo(councils.council_for(council), route, councils.payment_words(council, route))


PROGRESS_WORDS = {"achieved": "achieved", "partly": "partly achieved", "not_yet": "not achieved yet"}
RESULT_WORDS = {
    "continue": "Carry on with the plan as it is.",
    "revise": "Change the plan: the broker works out the changes with the client and sends them to KMPT.",
    "end": "The plan ends. There are no more reviews of it.",
}


@dataclass
class ReviewView:
    """One review, in plain words."""

    review: Any  # PlanReview
    outcomes: list[dict[str, str]]
    result_words: str
    views: list[Any]

    @property
    def ended(self) -> bool:
        return self.review.result == "end"


def outcome_progress(outcomes: list[dict[str, str]]) -> list[dict[str, str]]:
    """A review's outcomes, each with its name and progress in words."""
    return [
        {
            "code": item["code"],
            "label": outcome_label(item["code"]),
            "progress": item["progress"],
            "progress_words": PROGRESS_WORDS.get(item["progress"], item["progress"]),
            "note": item.get("note", ""),
        }
        for item in outcomes
    ]


def review_view(review: Any) -> ReviewView:
    outcomes = outcome_progress(review.outcomes)
    return ReviewView(review, outcomes, RESULT_WORDS.get(review.result, ""), list(review.views_before.all()))


def views_by_outcome(views: Any, codes: list[str]) -> list[dict[str, Any]]:
    """The open views grouped under each assessed outcome, for the reviewer."""
    grouped: dict[str, list[Any]] = {code: [] for code in codes}
    for view in views:
        grouped.setdefault(view.outcome, []).append(view)
    return [{"code": code, "label": outcome_label(code), "views": grouped[code]} for code in grouped]


def agreed_by_text(plan: Plan) -> str:
    """ "Sam Taylor, carer, for Alex Morgan" (or the client's name): the PDF's words for who agreed."""
    return agreed_by_words(agreed_by(plan), plan.client.name)


@dataclass(frozen=True)
class Agreement:
    """Who agreed to the shared plan, as the reader of the client's page sees it: "You" and "", or
    "Sam Taylor, carer," and " for you", or "You" and " for Alex Morgan"."""

    who: str
    for_whom: str


def agreement_for(plan: Plan, reader: Any) -> Agreement:
    agreed = agreed_by(plan)
    if agreed is None:  # the client agreed themself
        return Agreement("You" if reader.pk == plan.client_id else plan.client.name or "They", "")
    who = "You" if agreed["id"] == reader.pk else f"{agreed['name']}, {agreed['relationship']},"
    return Agreement(who, " for you" if reader.pk == plan.client_id else f" for {agreed['for']}")
