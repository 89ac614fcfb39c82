"""Plan and line rules: transitions, versions, agreement, listing lines, validation."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from config.errors import InvalidTransition, NotAllowed
from plans import services
from plans.models import Decision, Plan, PlanStatus, PlanVersion
from plans.services import PlanError
from providers.models import ListingStatus
from tests.plans.factories import BudgetFactory, EngagementFactory, LineFactory, ListingFactory, PlanFactory
from tests.plans.helpers import agree, plan_events, share


def submit(plan, client):
    agree(plan, client)
    return services.plan_submit(plan=plan, by=client)


def set_status(plan, status):
    """Put the plan in a state as the workflow would (a plan past draft has been submitted)."""
    Plan.objects.filter(pk=plan.pk).update(status=status, first_submitted_at=timezone.now())
    plan.refresh_from_db()


def test_version_starts_at_one_and_advances_on_the_first_edit_after_a_submission(plan, client_user, broker_user):
    submit(plan, client_user)
    set_status(plan, PlanStatus.CHANGES_REQUESTED)  # as the workflow would
    services.plan_update(plan=plan, by=broker_user, summary="One")
    services.plan_update(plan=plan, by=broker_user, summary="Two")
    plan.refresh_from_db()
    assert (plan.version, plan.status) == (2, PlanStatus.DRAFT)
    submit(plan, client_user)
    assert list(PlanVersion.objects.filter(plan=plan).values_list("number", flat=True)) == [1, 2]
    assert PlanVersion.objects.get(plan=plan, number=1).snapshot["summary"] == ""


def test_edits_before_the_first_submission_stay_on_version_one(plan, broker_user):
    services.plan_update(plan=plan, by=broker_user, summary="A")
    services.line_add(
        plan=plan,
        by=broker_user,
        description="Bus fares",
        category="transport",
        unit_cost=Decimal("4.00"),
        frequency="weekly",
    )
    plan.refresh_from_db()
    assert plan.version == 1


@pytest.mark.parametrize("write", ["update", "add", "change", "remove"])
def test_any_write_clears_agreement_and_reopens_changes_requested(plan, client_user, broker_user, write):
    agree(plan, client_user)
    set_status(plan, PlanStatus.CHANGES_REQUESTED)
    line = plan.lines.get()
    {
        "update": lambda: services.plan_update(plan=plan, by=broker_user, summary="x"),
        "add": lambda: services.line_add(
            plan=plan, by=broker_user, description="Gym", category="gym", unit_cost=Decimal("20"), frequency="monthly"
        ),
        "change": lambda: services.line_update(line=line, by=broker_user, units=Decimal("3")),
        "remove": lambda: services.line_remove(line=line, by=broker_user),
    }[write]()
    plan.refresh_from_db()
    assert plan.client_agreed_at is None and plan.agreed_digest == "" and plan.shared_at is None
    assert plan.status == PlanStatus.DRAFT
    assert plan_events(plan).last().from_state == PlanStatus.CHANGES_REQUESTED


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        ("draft", True),
        ("submitted", True),
        ("changes_requested", True),
        ("in_review", False),
        ("approved", False),
        ("declined", False),
        ("withdrawn", False),
    ],
)
def test_withdraw_transitions(plan, broker_user, status, allowed):
    set_status(plan, status)
    if allowed:
        assert services.plan_withdraw(plan=plan, by=broker_user).status == PlanStatus.WITHDRAWN
        assert plan_events(plan).last().from_state == status
    else:
        with pytest.raises(InvalidTransition):
            services.plan_withdraw(plan=plan, by=broker_user)


@pytest.mark.parametrize("status", ["submitted", "in_review", "changes_requested", "approved", "declined", "withdrawn"])
def test_submit_and_agree_refused_outside_draft(plan, client_user, status):
    digest = share(plan).shared_digest
    set_status(plan, status)
    with pytest.raises(InvalidTransition):
        services.plan_agree(plan=plan, by=client_user, digest=digest)
    with pytest.raises(InvalidTransition):
        services.plan_submit(plan=plan, by=client_user)


def test_submit_refuses_an_agreement_to_an_older_version(plan, client_user, broker_user):
    submit(plan, client_user)
    set_status(plan, PlanStatus.CHANGES_REQUESTED)
    services.plan_update(plan=plan, by=broker_user, summary="new")
    with pytest.raises(PlanError) as refused:
        services.plan_submit(plan=plan, by=broker_user)
    assert refused.value.code == "not_agreed"


def test_check_failed_comes_before_not_agreed(plan, client_user):
    plan.lines.all().delete()
    with pytest.raises(PlanError) as refused:
        services.plan_submit(plan=plan, by=client_user)
    assert refused.value.code == "check_failed"
    assert {issue["code"] for issue in refused.value.extra["issues"]} == {"no_lines", "outcome_not_covered"}
    assert not PlanVersion.objects.exists() and Plan.objects.get(pk=plan.pk).status == "draft"


def test_plan_create_needs_an_active_engagement_and_the_clients_current_budget(broker_user, client_user):
    old = BudgetFactory(client=client_user)
    with pytest.raises(NotAllowed):
        services.plan_create(by=broker_user, client=client_user, budget=old)
    EngagementFactory(client=client_user, broker=broker_user)
    current = BudgetFactory(client=client_user)
    with pytest.raises(PlanError, match="current"):
        services.plan_create(by=broker_user, client=client_user, budget=old)
    with pytest.raises(PlanError):
        services.plan_create(by=broker_user, client=client_user, budget=BudgetFactory())
    assert services.plan_create(by=broker_user, client=client_user, budget=current).status == "draft"


def test_a_listing_line_copies_what_was_left_out_and_sent_fields_win(api, plan, broker_user):
    listing = ListingFactory(title="Park run club", category="sports_club", cost=Decimal("3.00"))
    response = api(broker_user).post(
        f"/api/v1/plans/{plan.pk}/lines",
        {"listing": listing.pk, "description": "Saturday park run", "unit_cost": "0.00", "frequency": "weekly"},
        format="json",
    )
    assert response.status_code == 201
    line = response.json()
    assert (line["description"], line["category"], line["unit_cost"], line["units"], line["annual_cost"]) == (
        "Saturday park run",
        "sports_club",
        "0.00",
        "1.00",
        "0.00",
    )
    assert line["listing"] == listing.pk


@pytest.mark.parametrize(
    "change",
    [
        {"status": ListingStatus.DRAFT},
        {"status": ListingStatus.ARCHIVED},
        {"organization__verified_at": None},
    ],
)
def test_only_public_listings_can_be_added_and_the_check_flags_ones_that_stop_being_public(
    api, plan, broker_user, change
):
    listing = ListingFactory()
    services.line_add(plan=plan, by=broker_user, listing=listing, frequency="weekly")
    if "organization__verified_at" in change:
        type(listing.organization).objects.filter(pk=listing.organization_id).update(verified_at=None)
    else:
        type(listing).objects.filter(pk=listing.pk).update(**change)
    issues = api(broker_user).get(f"/api/v1/plans/{plan.pk}/check").json()["issues"]
    assert {"listing_unavailable"} == {i["code"] for i in issues if i["severity"] == "error"}
    response = api(broker_user).post(
        f"/api/v1/plans/{plan.pk}/lines", {"listing": listing.pk, "frequency": "weekly"}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "listing_unavailable"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"units": "0"}, "units"),
        ({"units": "1.255"}, "units"),
        ({"unit_cost": "-1.00"}, "unit_cost"),
        ({"frequency": "daily"}, "frequency"),
        ({"category": "holiday"}, "category"),
        ({"outcomes": ["flying"]}, "outcomes"),
        ({"listing": 999999}, "listing"),
    ],
)
def test_line_validation(api, plan, broker_user, body, field):
    data = {"description": "Gym", "category": "gym", "unit_cost": "20.00", "units": "1", "frequency": "monthly", **body}
    response = api(broker_user).post(f"/api/v1/plans/{plan.pk}/lines", data, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert plan.lines.count() == 1


def test_line_outcomes_must_be_assessed(api, plan, broker_user):
    data = {
        "description": "Cooking class",
        "category": "education",
        "unit_cost": "20.00",
        "frequency": "monthly",
        "outcomes": ["nutrition"],
    }
    response = api(broker_user).post(f"/api/v1/plans/{plan.pk}/lines", data, format="json")
    assert response.status_code == 400 and response.json()["code"] == "outcome_not_assessed"


def test_plan_outcomes_descriptions(api, plan, broker_user):
    response = api(broker_user).patch(
        f"/api/v1/plans/{plan.pk}",
        {"outcomes": [{"code": "relationships", "description": "See my brother every month"}]},
        format="json",
    )
    assert response.status_code == 200
    assert {"code": "relationships", "description": "See my brother every month"} in response.json()["outcomes"]
    bad = api(broker_user).patch(f"/api/v1/plans/{plan.pk}", {"outcomes": [{"code": "toilet"}]}, format="json")
    assert bad.status_code == 400


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"council": "surrey"}, "council"),
        ({"eligibility": "urgent"}, "eligibility"),
        ({"annual_amount": "-5.00"}, "annual_amount"),
        ({"annual_amount": "12.345"}, "annual_amount"),
        ({"outcomes": []}, "outcomes"),
        ({"outcomes": ["happiness"]}, "outcomes"),
        ({"payment_route": "cash"}, "payment_route"),
        ({"review_on": "2024-01-01"}, "review_on"),
        ({"assessed_on": "yesterday"}, "assessed_on"),
        ({"client_contribution": "5000.00"}, "client_contribution"),
    ],
)
def test_budget_validation(api, reviewer_user, client_user, body, field):
    data = {
        "client": client_user.pk,
        "council": "kent",
        "eligibility": "critical",
        "annual_amount": "2400.00",
        "assessed_on": "2025-01-01",
        "review_on": "2026-01-01",
        "outcomes": ["hygiene"],
        "payment_route": "managed_account",
        **body,
    }
    response = api(reviewer_user).post("/api/v1/budgets", data, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_budget_only_for_clients_and_corrections_become_current(api, reviewer_user, client_user, broker_user):
    from plans.selectors import budget_current

    data = {
        "council": "kent",
        "eligibility": "critical",
        "annual_amount": "2400.00",
        "assessed_on": "2025-01-01",
        "review_on": "2026-01-01",
        "outcomes": ["hygiene"],
        "payment_route": "managed_account",
    }
    assert (
        api(reviewer_user).post("/api/v1/budgets", {**data, "client": broker_user.pk}, format="json").status_code == 400
    )
    first = api(reviewer_user).post("/api/v1/budgets", {**data, "client": client_user.pk}, format="json").json()
    second = (
        api(reviewer_user)
        .post("/api/v1/budgets", {**data, "client": client_user.pk, "annual_amount": "2600.00"}, format="json")
        .json()
    )
    assert budget_current(client_user).pk == second["id"] != first["id"]
    assert api(client_user).get("/api/v1/budgets").json()["count"] == 2


def test_plan_list_query_count_does_not_grow_with_plans(api, broker_user, django_assert_max_num_queries):
    for _ in range(5):
        LineFactory.create_batch(2, plan=PlanFactory(broker=broker_user))
    with django_assert_max_num_queries(8):
        response = api(broker_user).get("/api/v1/plans")
    assert response.json()["count"] == 5


def test_decision_unique_per_version(plan, client_user):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    Decision.objects.create(plan=plan, version=1, outcome="approved", decided_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(plan=plan, version=1, outcome="declined", decided_at=timezone.now())


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_line_adds_keep_both_lines(client_user, broker_user):
    plan = PlanFactory(budget__client=client_user, broker=broker_user)
    barrier = threading.Barrier(2)
    errors = []

    def add(n):
        try:
            barrier.wait()
            services.line_add(
                plan=plan,
                by=broker_user,
                description=f"Line {n}",
                category="gym",
                unit_cost=Decimal("1.00"),
                frequency="weekly",
            )
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(plan.lines.values_list("description", flat=True)) == ["Line 0", "Line 1"]
    assert plan_events(plan).filter(action="line_added").count() == 2
