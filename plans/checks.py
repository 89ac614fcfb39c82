"""The plan check: a pure function over plain data, so the builder, submit and the workflow agree on every rule.

Errors block a submission; warnings never do. Messages are written for the client, who reads them too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from config.choices import Outcome
from plans.models import LINE_CATEGORIES, PROHIBITED_CATEGORIES

ERROR = "error"
WARNING = "warning"

# Words that suggest spending a personal budget may not be used for (DOMAIN.md: gambling, debt repayment,
# alcohol, tobacco, health care). Whole words, any case; a warning only, since "wine tasting club" may be a hobby.
SUSPICIOUS_WORDS = (
    "bet",
    "bets",
    "betting",
    "bookmaker",
    "bookies",
    "casino",
    "casinos",
    "lottery",
    "lotto",
    "poker",
    "bingo",
    "gambling",
    "slots",
    "scratchcard",
    "scratchcards",
    "wine",
    "wines",
    "beer",
    "beers",
    "lager",
    "cider",
    "spirits",
    "vodka",
    "whisky",
    "whiskey",
    "gin",
    "alcohol",
    "cigarette",
    "cigarettes",
    "cigar",
    "cigars",
    "tobacco",
    "vape",
    "vapes",
    "vaping",
    "e-cigarette",
    "loan",
    "loans",
    "debt",
    "debts",
    "arrears",
    "credit card",
    "prescription",
    "prescriptions",
    "medication",
    "medicine",
    "dentist",
    "dental",
)
_SUSPICIOUS = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in SUSPICIOUS_WORDS) + r")(?![\w-])", re.I)


@dataclass(frozen=True)
class LineData:
    id: int | None
    description: str
    category: str
    annual_cost: Decimal
    outcomes: Sequence[str] = ()
    listing_id: int | None = None
    listing_title: str = ""
    listing_unavailable: bool = False
    listing_stale: bool = False
    organization_id: int | None = None
    organization_name: str = ""


@dataclass(frozen=True)
class PlanData:
    budget: Decimal
    assessed_outcomes: Sequence[str]
    lines: Sequence[LineData]
    broker_interest_organization_ids: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Totals:
    annual: Decimal
    budget: Decimal
    remaining: Decimal

    def as_dict(self) -> dict[str, str]:
        return {"annual": f"{self.annual:.2f}", "budget": f"{self.budget:.2f}", "remaining": f"{self.remaining:.2f}"}


@dataclass(frozen=True)
class Issue:
    code: str
    severity: str
    line: int | None
    message: str

    def as_dict(self) -> dict:
        return {"code": self.code, "severity": self.severity, "line": self.line, "message": self.message}


@dataclass(frozen=True)
class CheckResult:
    totals: Totals
    issues: tuple[Issue, ...]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def errors(self) -> tuple[Issue, ...]:
        return tuple(issue for issue in self.issues if issue.severity == ERROR)

    def as_dict(self) -> dict:
        return {"ok": self.ok, "totals": self.totals.as_dict(), "issues": [issue.as_dict() for issue in self.issues]}


def plan_totals(*, budget: Decimal, line_costs: Iterable[Decimal]) -> Totals:
    """The annual total is the sum of the lines' rounded annual costs; what is left is the budget minus it."""
    annual = sum(line_costs, Decimal("0.00"))
    return Totals(annual=annual, budget=budget, remaining=budget - annual)


def suspicious_words(text: str) -> list[str]:
    return sorted({match.group(0).lower() for match in _SUSPICIOUS.finditer(text)})


def _pounds(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


def _line_issues(line: LineData, interest_ids: frozenset[int]) -> list[Issue]:
    issues = []
    name = f"“{line.description}”"
    if line.category in PROHIBITED_CATEGORIES:
        kind = LINE_CATEGORIES[line.category].lower()
        issues.append(
            Issue(
                "prohibited_spend",
                ERROR,
                line.id,
                f"{name} is {kind}. A personal budget cannot pay for gambling, debt repayment, alcohol, "
                "tobacco or health care. Remove this line.",
            )
        )
    if line.listing_id is not None and line.listing_unavailable:
        issues.append(
            Issue(
                "listing_unavailable",
                ERROR,
                line.id,
                f"{name} uses an activity that is no longer listed. Choose another activity or remove this line.",
            )
        )
    words = suspicious_words(line.description)
    if words:
        issues.append(
            Issue(
                "possible_prohibited",
                WARNING,
                line.id,
                f"{name} mentions {', '.join(words)}. Check this is not gambling, debt, alcohol, tobacco "
                "or health care, which a personal budget cannot pay for.",
            )
        )
    if line.organization_id is not None and line.organization_id in interest_ids:
        issues.append(
            Issue(
                "broker_interest",
                WARNING,
                line.id,
                f"{name} is provided by {line.organization_name or 'an organisation'}, which your broker "
                "has a declared link with. You can ask about other choices.",
            )
        )
    if line.listing_id is not None and line.listing_stale and not line.listing_unavailable:
        issues.append(
            Issue(
                "stale_listing",
                WARNING,
                line.id,
                f"{name}: the provider has not confirmed this activity's details for over six months. "
                "Check the price and times with them.",
            )
        )
    return issues


def check_plan(data: PlanData) -> CheckResult:
    """Every rule a plan must meet before KMPT will look at it, and the warnings worth a second look."""
    totals = plan_totals(budget=data.budget, line_costs=(line.annual_cost for line in data.lines))
    issues: list[Issue] = []
    if not data.lines:
        issues.append(Issue("no_lines", ERROR, None, "The plan has nothing in it yet. Add at least one activity."))
    if totals.remaining < 0:
        issues.append(
            Issue(
                "over_budget",
                ERROR,
                None,
                f"The plan costs {_pounds(totals.annual)} a year, which is {_pounds(-totals.remaining)} "
                f"more than the budget of {_pounds(totals.budget)}. Remove or reduce something.",
            )
        )
    covered = {code for line in data.lines for code in line.outcomes}
    for code in data.assessed_outcomes:
        if code not in covered:
            label = Outcome(code).label if code in Outcome.values else code
            issues.append(
                Issue(
                    "outcome_not_covered",
                    ERROR,
                    None,
                    f"Nothing in the plan helps with “{label}”. Add an activity for it, or link an existing one to it.",
                )
            )
    for line in data.lines:
        issues.extend(_line_issues(line, data.broker_interest_organization_ids))
    return CheckResult(totals=totals, issues=tuple(issues))
