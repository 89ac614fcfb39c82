"""The issue's 'done when', through the API: build from listings, see refusals, fix, agree, submit, frozen."""

from decimal import Decimal

from plans.models import Plan, PlanStatus, PlanVersion
from tests.plans.factories import EngagementFactory, ListingFactory


def test_broker_builds_a_plan_from_listings_and_submits_it(api, client_user, broker_user, reviewer_user):
    EngagementFactory(client=client_user, broker=broker_user)
    yoga = ListingFactory(title="Gentle yoga", category="yoga", cost=Decimal("8.50"))
    reviewer, broker, client = api(reviewer_user), api(broker_user), api(client_user)

    budget = reviewer.post(
        "/api/v1/budgets",
        {
            "client": client_user.pk,
            "council": "kent",
            "eligibility": "substantial",
            "annual_amount": "1000.00",
            "assessed_on": "2025-03-01",
            "review_on": "2026-03-01",
            "outcomes": ["community_and_recreation", "relationships"],
            "payment_route": "kent_card",
        },
        format="json",
    )
    assert budget.status_code == 201, budget.json()
    assert budget.json()["client_contribution"] == "0.00"

    created = broker.post("/api/v1/plans", {"client": client_user.pk, "budget": budget.json()["id"]}, format="json")
    assert created.status_code == 201, created.json()
    plan = created.json()
    assert plan["status"] == "draft" and plan["version"] == 1
    url = f"/api/v1/plans/{plan['id']}"

    line = broker.post(
        f"{url}/lines",
        {"listing": yoga.pk, "units": "2", "frequency": "weekly", "outcomes": ["community_and_recreation"]},
        format="json",
    ).json()
    assert line["description"] == "Gentle yoga" and line["category"] == "yoga" and line["unit_cost"] == "8.50"
    assert line["annual_cost"] == "884.00"
    pub = broker.post(
        f"{url}/lines",
        {
            "description": "Pub quiz beer money",
            "category": "alcohol",
            "unit_cost": "5.00",
            "units": "1",
            "frequency": "weekly",
            "outcomes": ["relationships"],
        },
        format="json",
    ).json()

    check = broker.get(f"{url}/check").json()
    assert check["ok"] is False
    codes = {(issue["code"], issue["line"]) for issue in check["issues"]}
    assert ("over_budget", None) in codes and ("prohibited_spend", pub["id"]) in codes
    assert ("possible_prohibited", pub["id"]) in codes
    assert check["totals"] == {"annual": "1144.00", "budget": "1000.00", "remaining": "-144.00"}

    not_shareable = broker.post(f"{url}/share")
    assert not_shareable.status_code == 400 and not_shareable.json()["code"] == "check_failed"
    nothing_shared = client.post(f"{url}/agree", {"digest": "anything"}, format="json")
    assert nothing_shared.status_code == 409 and nothing_shared.json()["code"] == "not_shared"
    refused = client.post(f"{url}/submit")
    assert refused.status_code == 400 and refused.json()["code"] == "check_failed"
    assert {issue["code"] for issue in refused.json()["issues"]} >= {"over_budget", "prohibited_spend"}

    assert broker.delete(f"{url}/lines/{pub['id']}").status_code == 204
    broker.post(
        f"{url}/lines",
        {
            "description": "Coffee with a friend after the group",
            "category": "other",
            "unit_cost": "3.00",
            "units": "1",
            "frequency": "monthly",
            "outcomes": ["relationships"],
        },
        format="json",
    )
    assert broker.get(f"{url}/check").json()["ok"] is True
    not_agreed = client.post(f"{url}/submit")
    assert not_agreed.status_code == 400 and not_agreed.json()["code"] == "not_agreed"

    shared = broker.post(f"{url}/share").json()["shared"]
    assert client.post(f"{url}/agree", {}, format="json").status_code == 400  # the digest is required
    assert client.post(f"{url}/agree", {"digest": shared["digest"]}, format="json").status_code == 200
    submitted = client.post(f"{url}/submit")
    assert submitted.status_code == 202, submitted.json()
    assert submitted.json()["status"] == "submitted" and submitted.json()["version"] == 1

    version = PlanVersion.objects.get(plan_id=plan["id"], number=1)
    assert version.snapshot["totals"]["annual"] == "920.00"
    assert [line["description"] for line in version.snapshot["lines"]] == [
        "Gentle yoga",
        "Coffee with a friend after the group",
    ]
    assert version.snapshot["check"]["ok"] is True
    assert reviewer.get(f"{url}/versions/1").json()["snapshot"] == version.snapshot
    assert Plan.objects.get(pk=plan["id"]).status == PlanStatus.SUBMITTED
    events = [e["action"] for e in client.get(f"{url}/events").json()["results"]]
    assert events[0] == "created" and events[-1] == "submitted"
