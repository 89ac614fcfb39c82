"""Council rules in one place: the routes each council offers, its contacts and its wording; budgets that break
them are refused on `payment_route`, through the API and the budget page."""

import pytest

from plans import councils
from plans.models import Budget

pytestmark = pytest.mark.django_db

BODY = {
    "council": "medway",
    "eligibility": "moderate",
    "annual_amount": "1500.00",
    "assessed_on": "2025-02-01",
    "review_on": "2026-02-01",
    "outcomes": ["work_education_volunteering"],
}


def test_medway_with_the_kent_card_is_refused_on_payment_route(api, client_user, reviewer_user):
    response = api(reviewer_user).post(
        "/api/v1/budgets", {**BODY, "client": client_user.pk, "payment_route": "kent_card"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["payment_route"] == [
        "Medway Council does not offer the Kent Card. Choose a direct payment or a council-managed account."
    ]
    assert not Budget.objects.exists()


@pytest.mark.parametrize(
    ("council", "route"),
    [
        ("kent", "kent_card"),
        ("kent", "direct_payment"),
        ("kent", "managed_account"),
        ("medway", "direct_payment"),
        ("medway", "managed_account"),
    ],
)
def test_every_route_a_council_offers_is_accepted(api, client_user, reviewer_user, council, route):
    body = {**BODY, "client": client_user.pk, "council": council, "payment_route": route}
    assert api(reviewer_user).post("/api/v1/budgets", body, format="json").status_code == 201


def test_the_routes_are_the_contracts():
    assert councils.council_for("kent").routes == ("kent_card", "direct_payment", "managed_account")
    assert councils.council_for("medway").routes == ("direct_payment", "managed_account")
    assert councils.route_refusal("kent", "kent_card") is None
    assert councils.route_refusal("medway", "kent_card")


def test_the_database_refuses_a_medway_kent_card_too(client_user, reviewer_user):
    from django.db import IntegrityError, transaction

    from tests.plans.factories import BudgetFactory

    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetFactory(client=client_user, council="medway", payment_route="kent_card")


def test_medways_contact_is_the_self_directed_support_team_from_the_source_documents():
    medway = councils.council_for("medway").contact
    assert medway.team == "Self Directed Support Team" and medway.phone == "01634 334466" and medway.confirmed
    kent = councils.council_for("kent").contact
    # The source documents give no Kent number: the one shown is marked as an example until confirmed.
    assert not kent.confirmed and kent.note


def test_the_budget_page_puts_the_reason_on_the_payment_route_and_keeps_what_was_typed(
    client, client_user, reviewer_user
):
    client.force_login(reviewer_user)
    form = {
        "council": "medway",
        "eligibility": "moderate",
        "annual_amount": "1500.00",
        "client_contribution": "0.00",
        "assessed_on": "2025-02-01",
        "review_on": "2026-02-01",
        "outcomes": ["work_education_volunteering"],
        "payment_route": "kent_card",
    }
    response = client.post(f"/budgets/clients/{client_user.pk}/", form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Medway Council does not offer the Kent Card" in page
    assert 'href="#id_payment_route' in page  # the error summary links to the field
    assert 'value="1500.00"' in page
    assert not Budget.objects.exists()
