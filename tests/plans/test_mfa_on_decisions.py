"""Every service that decides refuses a sign-in that did not use the second factor (on in production), whatever
the path: the service itself, the API, the pages and the Django admin's actions."""

import pytest
from rest_framework.test import APIClient

from audit.context import acting
from charter import services as charter_services
from charter.models import Signature
from config.errors import SecondFactorRequired
from plans import services as plan_services
from plans.models import Plan
from providers import services as provider_services
from providers.models import Organization
from tests.brokers.factories import broker_with_profile, sign
from tests.mfa import (
    api_token_password_only,
    api_token_with_mfa,
    enrol_totp,
    session_password_only,
    session_with_mfa,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def guard_on(settings):
    settings.MFA_REQUIRED_FOR_DECISIONS = True


@pytest.fixture
def pending_signature(db) -> Signature:
    return sign(broker_with_profile())


@pytest.fixture
def plan_in_review(submitted_plan, reviewer_user) -> Plan:
    from plans.tasks import process_submission

    process_submission(submitted_plan.pk, submitted_plan.version)
    plan = Plan.objects.get(pk=submitted_plan.pk)
    assert plan.reviewer_id == reviewer_user.pk
    return plan


def budget_fields(client_user):
    from datetime import date
    from decimal import Decimal

    return {
        "client": client_user, "council": "kent", "eligibility": "substantial", "annual_amount": Decimal("2000.00"),
        "assessed_on": date(2026, 11, 1), "review_on": date(2027, 11, 1), "outcomes": ["relationships"],
        "payment_route": "kent_card",
    }  # fmt: skip


def decisions(plan, reviewer, admin, signature, organization, client_user):
    """Each deciding service, as a call that needs nothing but the second factor to succeed."""
    return {
        "plan_decide": lambda: plan_services.plan_decide(plan=plan, by=reviewer, outcome="approved", note=""),
        "budget_record": lambda: plan_services.budget_record(by=reviewer, **budget_fields(client_user)),
        "signature_verify": lambda: charter_services.signature_verify(signature=signature, by=admin),
        "signature_suspend": lambda: charter_services.signature_suspend(signature=signature, by=admin, reason="x"),
        "organization_verify": lambda: provider_services.organization_verify(organization=organization, by=admin),
    }


@pytest.mark.parametrize(
    "name", ["plan_decide", "budget_record", "signature_verify", "signature_suspend", "organization_verify"]
)
def test_every_deciding_service_refuses_a_sign_in_without_the_second_factor(
    guard_on, name, plan_in_review, reviewer_user, admin_user, pending_signature, client_user
):
    organization = Organization.objects.create(name="Arts for All")
    calls = decisions(plan_in_review, reviewer_user, admin_user, pending_signature, organization, client_user)
    actor = admin_user if name.startswith(("signature", "organization")) else reviewer_user
    enrol_totp(actor)  # enrolled, but this sign-in stopped at the password
    with acting(session=session_password_only(actor)), pytest.raises(SecondFactorRequired):
        calls[name]()
    with acting(session=session_with_mfa(actor)):
        calls[name]()


def test_plan_decide_refuses_an_unknown_outcome_plainly(plan_in_review, reviewer_user):
    from plans.services import PlanError

    with pytest.raises(PlanError) as refused:
        plan_services.plan_decide(plan=plan_in_review, by=reviewer_user, outcome="maybe")
    assert refused.value.code == "invalid_outcome"


@pytest.mark.parametrize(
    "action,body",
    [("approve", {"note": "ok"}), ("request-changes", {"reasons": ["more detail"]}), ("decline", {"reasons": ["no"]})],
)
def test_the_api_refuses_decisions_from_a_password_only_token(guard_on, plan_in_review, reviewer_user, action, body):
    secret = enrol_totp(reviewer_user)
    url = f"/api/v1/plans/{plan_in_review.pk}/{action}"
    refused = APIClient(HTTP_X_SESSION_TOKEN=api_token_password_only_after_mfa(reviewer_user)).post(
        url, body, format="json"
    )
    assert refused.status_code == 403 and refused.json()["code"] == "mfa_required", refused.content
    assert Plan.objects.get(pk=plan_in_review.pk).status == "in_review"
    allowed = APIClient(HTTP_X_SESSION_TOKEN=api_token_with_mfa(reviewer_user, secret)).post(url, body, format="json")
    assert allowed.status_code == 200, allowed.content


def api_token_password_only_after_mfa(user):
    """A token from before the person enrolled: its sign-in used the password only."""
    from allauth.mfa.models import Authenticator

    saved = list(Authenticator.objects.filter(user=user))
    Authenticator.objects.filter(user=user).delete()
    token = api_token_password_only(user)
    for authenticator in saved:
        authenticator.pk = None
        authenticator.save()
    return token


def test_charter_and_organisation_decisions_in_the_api_need_the_second_factor(
    guard_on, api, admin_user, pending_signature
):
    organization = Organization.objects.create(name="Arts for All")
    client = api(admin_user)  # force_authenticate: no session at all, so no second factor
    base = f"/api/v1/charter/signatures/{pending_signature.pk}"
    for url, body in ((f"{base}/verify", {}), (f"{base}/suspend", {"reason": "x"}), (f"{base}/suspend", {})):
        response = client.post(url, body, format="json")
        assert response.status_code == 403 and response.json()["code"] == "mfa_required", (url, response.content)
    response = client.post(f"/api/v1/organizations/{organization.pk}/verify")
    assert response.status_code == 403 and response.json()["code"] == "mfa_required"
    assert Signature.objects.get(pk=pending_signature.pk).status == "pending"
    assert not Organization.objects.get(pk=organization.pk).verified_at


def test_deciding_pages_send_an_admin_without_mfa_to_enrol(guard_on, client, admin_user, pending_signature):
    organization = Organization.objects.create(name="Arts for All")
    client.force_login(admin_user)
    for url in (f"/charter/review/{pending_signature.pk}/verify/", f"/provider/verify/{organization.pk}/"):
        response = client.post(url)
        assert response.status_code == 302 and "/2fa/totp/activate" in response["Location"], url
    assert Signature.objects.get(pk=pending_signature.pk).status == "pending"
    assert not Organization.objects.get(pk=organization.pk).verified_at


def test_deciding_pages_ask_an_enrolled_admin_to_use_the_code(guard_on, client, admin_user, pending_signature):
    enrol_totp(admin_user)
    client.force_login(admin_user)  # a session that never used the second factor
    response = client.post(f"/charter/review/{pending_signature.pk}/verify/")
    assert response.status_code == 302 and "/2fa/reauthenticate" in response["Location"]
    assert Signature.objects.get(pk=pending_signature.pk).status == "pending"


def test_admin_actions_go_through_the_services_and_their_second_factor_rule(guard_on, client, admin_user):
    organization = Organization.objects.create(name="Arts for All")
    client.force_login(admin_user)
    response = client.post(
        "/admin/providers/organization/",
        {"action": "verify", "_selected_action": [organization.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert not Organization.objects.get(pk=organization.pk).verified_at
    assert "authenticator app" in response.content.decode()
