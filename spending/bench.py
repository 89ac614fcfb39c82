"""Benchmarks for `make bench` (tests/perf/bench.py calls both after its HTTP rounds; each needs a database and
leaves nothing).

- `bench_statement_import(rows=10_000)`: upload and import a statement of that many rows, as the task would;
  answers rows per second.
- `bench_spending_view(weeks=52, repeat=30)`: the spending page of a plan with a year of weekly payments on three
  lines, rendered `repeat` times for its client; answers p50 and p95 in milliseconds.

Each runs inside a transaction it rolls back, so the data it makes (and any task it would queue) never stays.
"""

from __future__ import annotations

import datetime
import statistics
import time
import uuid
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.test import Client
from django.utils import timezone

from accounts.models import Role, User
from plans.models import Budget, Decision, Plan, PlanLine, PlanStatus
from providers.models import Listing, ListingStatus, Organization
from spending import services

LINES = [
    ("Kent Wellbeing Collective", "Gentle yoga for beginners", "yoga", Decimal("6.00")),
    ("Thanet Arts Hub", "Open studio art group", "art_class", Decimal("8.50")),
    ("Medway Community Sport Trust", "Swimming sessions", "sports_club", Decimal("5.50")),
]


class _Rollback(Exception):
    pass


def _person(role: str) -> User:
    return User.objects.create_user(email=f"bench-{uuid.uuid4().hex[:12]}@example.org", name="Bench Person", role=role)


def _approved_plan(approved_on: datetime.date) -> Plan:
    """An approved plan with three weekly lines at three organisations, made directly (the workflow is not timed)."""
    client, broker, reviewer = _person(Role.CLIENT), _person(Role.BROKER), _person(Role.REVIEWER)
    budget = Budget.objects.create(
        client=client,
        council="kent",
        eligibility="substantial",
        annual_amount=Decimal("2500.00"),
        assessed_on=approved_on - datetime.timedelta(days=30),
        review_on=approved_on + datetime.timedelta(days=335),
        outcomes=["community_and_recreation"],
        payment_route="kent_card",
        recorded_by=reviewer,
    )
    decided_at = timezone.make_aware(datetime.datetime.combine(approved_on, datetime.time(10)))
    plan = Plan.objects.create(
        client=client,
        broker=broker,
        budget=budget,
        status=PlanStatus.APPROVED,
        reviewer=reviewer,
        first_submitted_at=decided_at,
        submitted_at=decided_at,
    )
    Decision.objects.create(plan=plan, version=1, outcome="approved", by=reviewer, decided_at=decided_at)
    for name, title, category, cost in LINES:
        organisation = Organization.objects.create(name=f"{name} {uuid.uuid4().hex[:4]}", verified_at=decided_at)
        listing = Listing.objects.create(
            organization=organisation,
            title=title,
            category=category,
            cost=cost,
            cost_unit="session",
            status=ListingStatus.PUBLISHED,
            published_at=decided_at,
        )
        PlanLine.objects.create(
            plan=plan,
            description=title,
            category=category,
            listing=listing,
            unit_cost=cost,
            units=Decimal("1"),
            frequency="weekly",
            outcomes=["community_and_recreation"],
        )
    return plan


def _statement(plan: Plan, *, start: datetime.date, rows: int) -> bytes:
    """A bank CSV (UK dates, money out and money in): weekly payments to the plan's organisations, with a
    coffee, a refund now and then, like a real account."""
    lines = list(plan.lines.select_related("listing__organization").order_by("id"))
    out = ["Date,Description,Money Out,Money In,Merchant Category Code,Reference"]
    for number in range(rows):
        day = start + datetime.timedelta(days=number * 364 // rows)
        line = lines[number % len(lines)]
        name = line.listing.organization.name.upper() if line.listing else line.description
        if number % 50 == 49:
            out.append(f"{day:%d/%m/%Y},COSTA COFFEE CANTERBURY,3.20,,5814,BR{number:06d}")
        elif number % 97 == 96:
            out.append(f"{day:%d/%m/%Y},REFUND {name},,{line.unit_cost},8299,BR{number:06d}")
        else:
            out.append(f"{day:%d/%m/%Y},CARD PAYMENT {name},{line.unit_cost},,8299,BR{number:06d}")
    return ("\r\n".join(out) + "\r\n").encode()


def bench_statement_import(rows: int = 10_000) -> dict[str, Any]:
    """Upload and import a `rows`-row statement (the upload's reading, then the task's chunks and matching)."""
    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            start = timezone.localdate() - datetime.timedelta(days=364)
            plan = _approved_plan(start)
            content = _statement(plan, start=start, rows=rows)
            began = time.perf_counter()
            statement = services.statement_upload(plan=plan, by=plan.client, file_name="bench.csv", content=content)
            services.statement_import_run(statement_id=statement.pk)
            seconds = time.perf_counter() - began
            statement.refresh_from_db()
            result = {
                "rows": statement.rows,
                "imported": statement.imported,
                "seconds": round(seconds, 3),
                "rows_per_second": round(statement.rows / seconds, 1),
            }
            raise _Rollback
    except _Rollback:
        pass
    return result


def bench_spending_view(weeks: int = 52, repeat: int = 30) -> dict[str, Any]:
    """The spending page of a plan with `weeks` of weekly payments on each of its three lines, `repeat` times."""
    timings: list[float] = []
    try:
        with transaction.atomic():
            start = timezone.localdate() - datetime.timedelta(weeks=weeks)
            plan = _approved_plan(start)
            content = _statement(plan, start=start, rows=weeks * len(LINES))
            statement = services.statement_upload(plan=plan, by=plan.client, file_name="year.csv", content=content)
            services.statement_import_run(statement_id=statement.pk)
            browser = Client()
            browser.force_login(plan.client)
            url = f"/plans/{plan.pk}/spending/"
            for _ in range(repeat):
                began = time.perf_counter()
                response = browser.get(url)
                timings.append((time.perf_counter() - began) * 1000)
                assert response.status_code == 200, response.status_code
            raise _Rollback
    except _Rollback:
        pass
    ordered = sorted(timings)
    return {
        "payments": weeks * len(LINES),
        "repeat": repeat,
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1),
    }
