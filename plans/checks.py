"""The plan check: a pure function over plain data, so the builder, submit and the workflow agree on every rule.

Errors block a submission; warnings never do. Messages are written for the client, who reads them too.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
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
_SUSPICIOUS_SINGLE = frozenset(word for word in SUSPICIOUS_WORDS if " " not in word and "-" not in word)
_SUSPICIOUS_PAIRS = frozenset(tuple(word.replace("-", " ").split()) for word in SUSPICIOUS_WORDS if " " in word)
# Digits people type for letters ("b3tting", "cas1no"), read back as letters on a second look.
_LOOKALIKES = str.maketrans("013457@$", "oieastas")
# One slip of the keyboard (a letter dropped or doubled, two swapped: "lotery", "casnio") is caught in these long,
# distinctive words only. Never a changed letter: "pottery" is not "lottery", "rambling" is not "gambling".
_FUZZY_WORDS = frozenset(
    {"gambling", "betting", "casino", "lottery", "bookmaker", "cigarette", "tobacco", "alcohol", "scratchcard",
     "prescription", "medication", "whisky", "whiskey"}
)  # fmt: skip


def _words(text: str) -> list[str]:
    """Lower-case words with accents and punctuation stripped: "Wine&Beer", "e-cigarette", "CASINO's"."""
    folded = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return [word for word in re.split(r"[^a-z0-9@$]+", folded.replace("'s ", " ")) if word]


def _one_slip(word: str, target: str) -> bool:
    """True when `word` is `target` with one letter added or dropped, or two neighbours swapped."""
    if abs(len(word) - len(target)) > 1 or word == target:
        return word == target
    if len(word) == len(target):
        diffs = [i for i, (a, b) in enumerate(zip(word, target, strict=True)) if a != b]
        return len(diffs) == 2 and diffs[1] == diffs[0] + 1 and word[diffs[0]] == target[diffs[1]]
    short, long = sorted((word, target), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


@functools.lru_cache(maxsize=65536)
def _suspicious(word: str) -> bool:
    # Cached: the fuzzy comparison costs ~0.3 ms a word, and plans reuse the same few thousand words (a 50-line check
    # spent most of its time here, issue 19).
    for candidate in dict.fromkeys((word, word.translate(_LOOKALIKES))):
        singular = candidate[:-1] if candidate.endswith("s") else candidate
        if candidate in _SUSPICIOUS_SINGLE or singular in _SUSPICIOUS_SINGLE:
            return True
        if any(_one_slip(candidate, target) or _one_slip(singular, target) for target in _FUZZY_WORDS):
            return True
    return False


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
    # False once KMPT has recorded a newer budget for the client: the plan must move to it.
    budget_current: bool = True


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


def suspicious_words(*texts: str) -> list[str]:
    """The words that suggest spending a budget may not pay for, whatever the case, punctuation or a slip."""
    found: set[str] = set()
    for text in texts:
        words = _words(text)
        found.update(word for word in words if _suspicious(word))
        found.update(" ".join(pair) for pair in itertools.pairwise(words) if pair in _SUSPICIOUS_PAIRS)
    return sorted(found)


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
    # A prohibited category is already an error; its name is not also a warning.
    category_name = "" if line.category in PROHIBITED_CATEGORIES else str(LINE_CATEGORIES.get(line.category, ""))
    words = suspicious_words(line.description, line.listing_title, category_name)
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
    if not data.budget_current:
        issues.append(
            Issue(
                "budget_superseded",
                ERROR,
                None,
                "KMPT has recorded a newer personal budget. The broker must move the plan to the current budget "
                "before it can be shared or sent.",
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
