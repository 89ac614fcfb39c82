"""Every action that decides something sits behind the MFA guard (on in production): API and pages alike."""

import pytest
from allauth.mfa.models import Authenticator

from charter.models import Signature
from plans import services as plan_services
from plans.models import Plan
from providers.models import Organization
from tests.brokers.factories import broker_with_profile, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def guard_on(settings):
    settings.MFA_REQUIRED_FOR_DECISIONS = True


def with_mfa(user):
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    return user


@pytest.fixture
def pending_signature(db) -> Signature:
    return sign(broker_with_profile())


@pytest.fixture
def plan_in_review(submitted_plan, reviewer_user) -> Plan:
    from plans.tasks import process_submission

    plan_services.plan_claim(plan=submitted_plan, by=reviewer_user)
    process_submission(submitted_plan.pk, submitted_plan.version)
    return Plan.objects.get(pk=submitted_plan.pk)


def assert_mfa_required(response):
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "mfa_required"


@pytest.mark.parametrize(
    "action,body",
    [("approve", {"note": "ok"}), ("request-changes", {"reasons": ["more detail"]}), ("decline", {"reasons": ["no"]})],
)
def test_plan_decisions_need_mfa(guard_on, api, plan_in_review, reviewer_user, action, body):
    assert_mfa_required(api(reviewer_user).post(f"/api/v1/plans/{plan_in_review.pk}/{action}", body, format="json"))
    assert Plan.objects.get(pk=plan_in_review.pk).status == "in_review"
    with_mfa(reviewer_user)
    assert (
        api(reviewer_user).post(f"/api/v1/plans/{plan_in_review.pk}/{action}", body, format="json").status_code == 200
    )


def test_recording_a_budget_needs_mfa_but_reading_does_not(guard_on, api, reviewer_user, client_user):
    body = {
        "client": client_user.pk, "council": "kent", "eligibility": "substantial", "annual_amount": "2000.00",
        "assessed_on": "2026-11-01", "review_on": "2027-11-01", "outcomes": ["relationships"],
        "payment_route": "kent_card",
    }  # fmt: skip
    assert api(reviewer_user).get("/api/v1/budgets").status_code == 200
    assert_mfa_required(api(reviewer_user).post("/api/v1/budgets", body, format="json"))
    with_mfa(reviewer_user)
    assert api(reviewer_user).post("/api/v1/budgets", body, format="json").status_code == 201


def test_charter_verify_and_suspend_need_mfa(guard_on, api, admin_user, pending_signature):
    base = f"/api/v1/charter/signatures/{pending_signature.pk}"
    assert_mfa_required(api(admin_user).post(f"{base}/verify"))
    assert_mfa_required(api(admin_user).post(f"{base}/suspend", {"reason": "x"}, format="json"))
    with_mfa(admin_user)
    assert api(admin_user).post(f"{base}/verify").json()["status"] == "verified"


def test_organisation_verification_needs_mfa(guard_on, api, admin_user):
    organization = Organization.objects.create(name="Arts for All")
    assert_mfa_required(api(admin_user).post(f"/api/v1/organizations/{organization.pk}/verify"))
    assert not Organization.objects.get(pk=organization.pk).verified_at


def test_deciding_pages_send_an_admin_without_mfa_to_enrol(guard_on, client, admin_user, pending_signature):
    organization = Organization.objects.create(name="Arts for All")
    client.force_login(admin_user)
    for url in (f"/charter/review/{pending_signature.pk}/verify/", f"/provider/verify/{organization.pk}/"):
        response = client.post(url)
        assert response.status_code == 302 and "/2fa/totp/activate" in response["Location"], url
    assert Signature.objects.get(pk=pending_signature.pk).status == "pending"
    assert not Organization.objects.get(pk=organization.pk).verified_at
