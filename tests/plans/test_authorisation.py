"""Every plans endpoint for every role: 401 anonymous, 404 what you cannot see, 403 what you may not do."""

import pytest

from plans import services
from plans.models import Plan
from tests.plans.factories import BudgetFactory, EngagementFactory
from tests.plans.helpers import agree, share

ROLES = ["client", "other_client", "broker", "other_broker", "provider", "reviewer", "admin", "anonymous"]


@pytest.fixture
def people(client_user, broker_user, reviewer_user, others):
    return {"client": client_user, "broker": broker_user, "reviewer": reviewer_user, "anonymous": None, **others}


def call(api, people, role, method, url, data=None):
    return getattr(api(people[role]), method)(url, data, format="json")


def line_body():
    return {
        "description": "Art class",
        "category": "art_class",
        "unit_cost": "5.00",
        "units": "1",
        "frequency": "weekly",
        "outcomes": ["relationships"],
    }


# --- budgets ---


@pytest.mark.parametrize(
    ("role", "expected", "sees_budget"),
    [
        ("client", 200, True),
        ("other_client", 200, False),
        ("broker", 200, True),
        ("other_broker", 200, False),
        ("provider", 403, False),
        ("reviewer", 200, True),
        ("admin", 403, False),
        ("anonymous", 401, False),
    ],
)
def test_budget_list(api, people, role, expected, sees_budget):
    EngagementFactory(client=people["client"], broker=people["broker"])
    EngagementFactory(client=people["other_client"], broker=people["other_broker"], status="requested")
    budget = BudgetFactory(client=people["client"])
    response = call(api, people, role, "get", "/api/v1/budgets")
    assert response.status_code == expected
    if expected == 200:
        ids = [row["id"] for row in response.json()["results"]]
        assert (budget.pk in ids) is sees_budget
        assert len(ids) == int(sees_budget)


@pytest.mark.parametrize(
    ("role", "expected"), [(r, 201 if r == "reviewer" else 401 if r == "anonymous" else 403) for r in ROLES]
)
def test_budget_record(api, people, role, expected):
    body = {
        "client": people["client"].pk,
        "council": "medway",
        "eligibility": "moderate",
        "annual_amount": "1500.00",
        "client_contribution": "120.50",
        "assessed_on": "2025-02-01",
        "review_on": "2026-02-01",
        "outcomes": ["work_education_volunteering"],
        "payment_route": "direct_payment",
    }
    response = call(api, people, role, "post", "/api/v1/budgets", body)
    assert response.status_code == expected
    if expected == 201:
        assert response.json()["client_contribution"] == "120.50"
        assert response.json()["recorded_by"]["id"] == people["reviewer"].pk


# --- creating a plan ---


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("broker", 201),
        ("other_broker", 403),
        ("client", 403),
        ("other_client", 403),
        ("provider", 403),
        ("reviewer", 403),
        ("admin", 403),
        ("anonymous", 401),
    ],
)
def test_plan_create(api, people, role, expected):
    EngagementFactory(client=people["client"], broker=people["broker"])
    budget = BudgetFactory(client=people["client"])
    response = call(api, people, role, "post", "/api/v1/plans", {"client": people["client"].pk, "budget": budget.pk})
    assert response.status_code == expected
    assert Plan.objects.count() == (1 if expected == 201 else 0)


# --- reading ---

READS = ["", "/check", "/lines", "/versions", "/events"]


@pytest.mark.parametrize("suffix", READS)
@pytest.mark.parametrize(
    ("role", "draft", "submitted"),
    [
        ("client", 200, 200),
        ("broker", 200, 200),
        ("reviewer", 404, 200),
        ("other_client", 404, 404),
        ("other_broker", 404, 404),
        ("provider", 404, 404),
        ("admin", 404, 404),
        ("anonymous", 401, 401),
    ],
)
def test_plan_reads(api, people, plan, role, draft, submitted, suffix):
    url = f"/api/v1/plans/{plan.pk}{suffix}"
    assert call(api, people, role, "get", url).status_code == draft
    agree(plan, people["client"])
    services.plan_submit(plan=plan, by=people["client"])
    assert call(api, people, role, "get", url).status_code == submitted


@pytest.mark.parametrize(
    ("role", "count"), [(r, 1 if r in ("client", "broker") else 0) for r in ROLES if r != "anonymous"]
)
def test_plan_list_shows_only_your_plans(api, people, plan, role, count):
    assert call(api, people, role, "get", "/api/v1/plans").json()["count"] == count


def test_plan_list_anonymous(api, plan):
    assert api().get("/api/v1/plans").status_code == 401


def test_reviewer_lists_submitted_plans(api, people, plan):
    agree(plan, people["client"])
    services.plan_submit(plan=plan, by=people["client"])
    assert call(api, people, "reviewer", "get", "/api/v1/plans").json()["count"] == 1


# --- writing ---

WRITES = [
    ("patch", "", {"summary": "Getting out more"}, 200),
    ("post", "/lines", "line", 201),
    ("patch", "/lines/{line}", {"units": "2"}, 200),
    ("delete", "/lines/{line}", None, 204),
]


@pytest.mark.parametrize(("method", "suffix", "body", "ok"), WRITES)
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("broker", "ok"),
        ("client", 403),
        ("other_client", 404),
        ("other_broker", 404),
        ("provider", 404),
        ("reviewer", 404),
        ("admin", 404),
        ("anonymous", 401),
    ],
)
def test_plan_writes_in_draft(api, people, plan, role, expected, method, suffix, body, ok):
    line = plan.lines.get()
    url = f"/api/v1/plans/{plan.pk}" + suffix.format(line=line.pk)
    response = call(api, people, role, method, url, line_body() if body == "line" else body)
    assert response.status_code == (ok if expected == "ok" else expected)


@pytest.mark.parametrize(("method", "suffix", "body", "ok"), WRITES)
@pytest.mark.parametrize(
    ("role", "expected"), [("broker", 409), ("client", 403), ("reviewer", 403), ("other_broker", 404)]
)
def test_plan_writes_after_submission(api, people, submitted_plan, role, expected, method, suffix, body, ok):
    line = submitted_plan.lines.get()
    url = f"/api/v1/plans/{submitted_plan.pk}" + suffix.format(line=line.pk)
    response = call(api, people, role, method, url, line_body() if body == "line" else body)
    assert response.status_code == expected
    if expected == 409:
        assert response.json()["code"] == "invalid_transition"
    assert Plan.objects.get(pk=submitted_plan.pk).status == "submitted"


# --- actions ---


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("client", 200),
        ("broker", 403),
        ("other_client", 404),
        ("other_broker", 404),
        ("provider", 404),
        ("reviewer", 404),
        ("admin", 404),
        ("anonymous", 401),
    ],
)
def test_agree(api, people, plan, role, expected):
    digest = share(plan).shared_digest
    assert call(api, people, role, "post", f"/api/v1/plans/{plan.pk}/agree", {"digest": digest}).status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("client", 403),
        ("broker", 200),
        ("other_client", 404),
        ("other_broker", 404),
        ("provider", 404),
        ("reviewer", 404),
        ("admin", 404),
        ("anonymous", 401),
    ],
)
def test_share(api, people, plan, role, expected):
    assert call(api, people, role, "post", f"/api/v1/plans/{plan.pk}/share").status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("client", 202),
        ("broker", 202),
        ("other_client", 404),
        ("other_broker", 404),
        ("provider", 404),
        ("reviewer", 404),
        ("admin", 404),
        ("anonymous", 401),
    ],
)
def test_submit(api, people, plan, role, expected):
    agree(plan, people["client"])
    assert call(api, people, role, "post", f"/api/v1/plans/{plan.pk}/submit").status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("client", 200),
        ("broker", 200),
        ("other_client", 404),
        ("other_broker", 404),
        ("provider", 404),
        ("reviewer", 404),
        ("admin", 404),
        ("anonymous", 401),
    ],
)
def test_withdraw(api, people, plan, role, expected):
    assert call(api, people, role, "post", f"/api/v1/plans/{plan.pk}/withdraw").status_code == expected


@pytest.mark.parametrize(("action", "expected"), [("agree", 403), ("submit", 403), ("withdraw", 403)])
def test_reviewer_cannot_act_for_the_client(api, people, submitted_plan, action, expected):
    assert call(api, people, "reviewer", "post", f"/api/v1/plans/{submitted_plan.pk}/{action}").status_code == expected


def test_trailing_slash_works(api, people, plan):
    assert call(api, people, "client", "get", f"/api/v1/plans/{plan.pk}/check/").status_code == 200
    assert call(api, people, "client", "get", "/api/v1/budgets/").status_code == 200
