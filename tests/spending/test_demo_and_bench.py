"""The demo's Kent Card statement for client3, and the benchmarks `make bench` runs (here at a small size)."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Role
from spending import bench, demo
from spending.models import Statement, Transaction
from tests.factories import UserFactory
from tests.plans.factories import PlanFactory
from tests.spending.conftest import approve, lines_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def client3(reviewer_user):
    client = UserFactory(role=Role.CLIENT, email=demo.CLIENT_EMAIL)
    plan = PlanFactory(budget__client=client, budget__recorded_by=reviewer_user)
    lines_for(plan)
    return client, plan


def test_the_demo_imports_three_months_of_kent_card_payments_with_a_flag_once(client3, reviewer_user):
    _client, plan = client3
    approve(plan, reviewer_user, on=timezone.localdate() - datetime.timedelta(days=120))

    demo.seed()
    demo.seed()

    statement = Statement.objects.get(plan=plan)
    assert (statement.status, statement.rejected, statement.duplicates) == ("done", [], 0)
    payments = Transaction.objects.filter(plan=plan)
    dates = sorted(payments.values_list("date", flat=True))
    assert (dates[-1] - dates[0]).days >= 80  # three months of weekly payments
    assert payments.filter(amount__lt=0).count() == 1  # a refund
    bet = payments.get(merchant_category_code="7995")
    assert "prohibited_merchant" in bet.flags
    art = plan.lines.get(listing__organization__name="Thanet Arts Hub")
    assert payments.filter(line=art, amount__gt=0).count() == 13  # and the refund came back to it
    assert statement.matched >= 26


def test_the_demo_works_for_a_plan_approved_today_and_does_nothing_without_client3(client3, reviewer_user):
    demo.seed()  # client3's plan is not approved yet
    assert not Statement.objects.exists()
    _client, plan = client3
    approve(plan, reviewer_user, on=timezone.localdate())
    demo.seed()
    assert Transaction.objects.filter(plan=plan).count() >= 30


def test_the_import_benchmark_runs_and_leaves_nothing(plan):
    result = bench.bench_statement_import(rows=2_500)
    assert result["imported"] == result["rows"] == 2_500
    assert result["rows_per_second"] > 0
    assert not Statement.objects.filter(file_name="bench.csv").exists()


def test_the_spending_view_benchmark_runs_and_leaves_nothing():
    result = bench.bench_spending_view(weeks=8, repeat=3)
    assert result["payments"] == 24
    assert 0 < result["p50_ms"] <= result["p95_ms"]
    assert not Statement.objects.exists()
