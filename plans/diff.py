"""A readable difference between two frozen versions of a plan: lines added, removed and changed, and totals."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from config.choices import Outcome
from plans.models import LINE_CATEGORIES, Frequency

COMPARED = ("description", "category", "unit_cost", "units", "frequency", "outcomes", "annual_cost")
LABELS = {
    "description": "What",
    "category": "Kind of spending",
    "unit_cost": "Cost each time",
    "units": "How many each time",
    "frequency": "How often",
    "outcomes": "What it is for",
    "annual_cost": "Cost a year",
}


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class LineChange:
    description: str
    changes: list[Change]


@dataclass
class VersionDiff:
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[LineChange] = field(default_factory=list)
    totals: list[Change] = field(default_factory=list)
    summary_changed: bool = False
    outcomes_changed: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.added or self.removed or self.changed or self.totals or self.summary_changed or self.outcomes_changed
        )


def _readable(name: str, value: Any) -> str:
    if name in ("unit_cost", "annual_cost"):
        return f"£{Decimal(value):,.2f}"
    if name == "units":
        return f"{Decimal(value).normalize():f}"
    if name == "frequency":
        return Frequency(value).label.lower() if value in Frequency.values else str(value)
    if name == "category":
        return LINE_CATEGORIES.get(value, value)
    if name == "outcomes":
        return "; ".join(Outcome(code).label for code in value if code in Outcome.values) or "nothing chosen"
    return str(value)


def versions_diff(before: dict[str, Any], after: dict[str, Any]) -> VersionDiff:
    """What changed from one snapshot to the next, in words a client can follow."""
    old_lines = {line["id"]: line for line in before.get("lines", [])}
    new_lines = {line["id"]: line for line in after.get("lines", [])}
    diff = VersionDiff(
        added=[line for line_id, line in new_lines.items() if line_id not in old_lines],
        removed=[line for line_id, line in old_lines.items() if line_id not in new_lines],
        summary_changed=before.get("summary", "") != after.get("summary", ""),
    )
    for line_id, new in new_lines.items():
        old = old_lines.get(line_id)
        if old is None:
            continue
        changes = [
            Change(LABELS[name], _readable(name, old.get(name)), _readable(name, new.get(name)))
            for name in COMPARED
            if _readable(name, old.get(name)) != _readable(name, new.get(name))
        ]
        if changes:
            diff.changed.append(LineChange(description=new["description"], changes=changes))
    for name, label in (("annual", "Cost a year"), ("budget", "Budget"), ("remaining", "Left over")):
        old_total, new_total = before["totals"].get(name), after["totals"].get(name)
        if old_total is not None and new_total is not None and Decimal(old_total) != Decimal(new_total):
            diff.totals.append(Change(label, _readable("unit_cost", old_total), _readable("unit_cost", new_total)))
    old_outcomes = {item["code"]: item.get("description", "") for item in before.get("outcomes", [])}
    for item in after.get("outcomes", []):
        if old_outcomes.get(item["code"], "") != item.get("description", ""):
            diff.outcomes_changed.append(
                Outcome(item["code"]).label if item["code"] in Outcome.values else item["code"]
            )
    return diff
