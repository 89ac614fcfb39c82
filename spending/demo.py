"""Demo data: three months of Kent Card payments on client3@example.org's approved plan, imported like any upload.

The statement is `demo_data/kent_card.csv`, a Kent Card export written for a quarter starting on Monday 5 January
2026, with the plan's first two lines' organisations and costs left as `{line1}`, `{line1_cost}`... It is filled
in with the plan's own lines and moved to the plan's first three months (or, for a plan approved less than three
months ago, to the three months up to today), so the weekly payments match the plan, and a refund, a few unplanned
payments and one bet (merchant category 7995) show how matching and flags look. Seeding twice adds nothing.
"""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from accounts.models import User
from plans.models import Plan, PlanLine, PlanStatus
from spending import selectors, services
from spending.models import Statement

CLIENT_EMAIL = "client3@example.org"
FILE_NAME = "kent-card-statement.csv"
TEMPLATE = Path(__file__).resolve().parent / "demo_data" / "kent_card.csv"
TEMPLATE_START = datetime.date(2026, 1, 5)
QUARTER = datetime.timedelta(weeks=13)
# Merchant category codes card terminals give such places.
MCC_FOR_CATEGORY = {"gym": "7997", "yoga": "7997", "sports_club": "7997", "art_class": "8299", "education": "8299"}


def seed() -> None:
    client = User.objects.filter(email=CLIENT_EMAIL).first()
    plan = (
        Plan.objects.filter(client=client, status=PlanStatus.APPROVED).order_by("-updated_at").first()
        if client is not None
        else None
    )
    if plan is None or Statement.objects.filter(plan=plan, file_name=FILE_NAME).exists():
        return
    content = kent_card_statement(plan, today=timezone.localdate())
    services.statement_upload(plan=plan, by=plan.client, file_name=FILE_NAME, content=content)


def _first_day(plan: Plan, today: datetime.date) -> datetime.date:
    start = selectors.plan_period(plan).start
    return start if start + QUARTER <= today else today - QUARTER


def _fill(line: PlanLine | None, prefix: str) -> dict[str, str]:
    if line is None:
        name, cost, category = "Canterbury Community Centre", Decimal("5.00"), "other"
    else:
        name = line.listing.organization.name if line.listing is not None else line.description
        cost, category = line.unit_cost * line.units, line.category
    return {
        prefix: name,
        f"{prefix}_upper": name.upper()[:22],  # card terminals cut merchant names short
        f"{prefix}_cost": f"{cost:.2f}",
        f"{prefix}_mcc": MCC_FOR_CATEGORY.get(category, "8699"),
    }


def kent_card_statement(plan: Plan, *, today: datetime.date) -> bytes:
    """The shipped Kent Card CSV filled in for this plan and moved to its dates (rows after today left out)."""
    lines = [line for line in plan.lines.select_related("listing__organization").order_by("id") if line.unit_cost]
    values = {**_fill(lines[0] if lines else None, "line1"), **_fill(lines[1] if len(lines) > 1 else None, "line2")}
    shift = _first_day(plan, today) - TEMPLATE_START
    reader = csv.reader(io.StringIO(TEMPLATE.read_text(encoding="utf-8")))
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow(next(reader))
    for record in reader:
        day = datetime.datetime.strptime(record[0], "%d/%m/%Y").date() + shift
        if day > today:
            continue
        writer.writerow([day.strftime("%d/%m/%Y"), *(cell.format_map(values) for cell in record[1:])])
    return output.getvalue().encode("utf-8")
