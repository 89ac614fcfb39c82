"""The reviewer's page of a client's representatives and legal authorities (`/clients/<id>/representatives/`):
reached from the budget pages, where a reviewer records an authority, sends an invitation again and revokes."""

import datetime

import pytest
from django.test import Client

from accounts.models import ClientInvitation, Representative, Role
from accounts.services import client_invite, representative_accept
from plans.models import Plan
from tests.factories import UserFactory
from tests.plans.factories import BudgetFactory

pytestmark = pytest.mark.django_db

AUTHORITY = {
    "name": "Pat Jones", "email": "pat.jones@example.org", "relationship": "deputy",
    "reference": "COP-1234567", "valid_from": "2026-01-01", "valid_until": "2027-12-31",
}  # fmt: skip


def as_user(user) -> Client:
    page = Client()
    page.force_login(user)
    return page


def test_the_budget_pages_lead_a_reviewer_to_the_clients_representatives(reviewer_user, client_user):
    BudgetFactory(client=client_user, recorded_by=reviewer_user)
    page = as_user(reviewer_user)
    here = f'href="/clients/{client_user.pk}/representatives/"'
    assert here in page.get(f"/budgets/clients/{client_user.pk}/").content.decode()
    assert here in page.get("/budgets/", {"q": client_user.email}).content.decode()
    html = page.get(f"/clients/{client_user.pk}/representatives/").content.decode()
    assert f"People who act for {client_user.name}" in html
    assert f'href="/budgets/clients/{client_user.pk}/"' in html  # and back


def test_a_reviewer_records_a_legal_authority_through_the_page(reviewer_user, client_user, sent):
    page = as_user(reviewer_user)
    with sent() as emails:
        response = page.post(f"/clients/{client_user.pk}/representatives/", AUTHORITY)
    assert response.status_code == 302 and response["Location"] == f"/clients/{client_user.pk}/representatives/"
    rep = Representative.objects.get(client=client_user)
    assert (rep.relationship, rep.reference, rep.valid_from, rep.valid_until, rep.status) == (
        "deputy", "COP-1234567", datetime.date(2026, 1, 1), datetime.date(2027, 12, 31), "invited"
    )  # fmt: skip
    assert sorted(rep.scope) == ["agree", "message", "view"] and rep.invited_by == reviewer_user
    assert [m.to for m in emails] == [["pat.jones@example.org"]]
    html = page.get(response["Location"]).content.decode()
    assert "The authority is recorded. We have emailed Pat Jones." in html
    assert "Deputy" in html and "COP-1234567, from 1 January 2026 to 31 December 2027" in html


def test_the_authority_form_says_what_is_missing(reviewer_user, client_user):
    form = {**AUTHORITY, "reference": "", "valid_from": "", "relationship": ""}
    html = as_user(reviewer_user).post(f"/clients/{client_user.pk}/representatives/", form).content.decode()
    assert "<title>Error:" in html and "There is a problem" in html
    for message in ("Enter the reference of the authority", "Enter the date the authority starts", "Choose the kind"):
        assert message in html
    ends_first = {**AUTHORITY, "valid_until": "2025-12-31"}
    html = as_user(reviewer_user).post(f"/clients/{client_user.pk}/representatives/", ends_first).content.decode()
    assert "The end date cannot be before the start date." in html
    assert not Representative.objects.exists()


def test_a_reviewer_sends_an_invited_client_a_new_invitation_from_the_page(reviewer_user, sent):
    person, _ = client_invite(by=reviewer_user, email="robin@example.org", name="Robin Hale")
    page = as_user(reviewer_user)
    html = page.get(f"/clients/{person.pk}/representatives/").content.decode()
    assert "Robin Hale has not signed in yet" in html and "Send a new invitation" in html
    with sent() as emails:
        response = page.post(f"/clients/{person.pk}/invitation/resend/")
    assert response.status_code == 302 and response["Location"] == f"/clients/{person.pk}/representatives/"
    assert ClientInvitation.objects.get(user=person).times_sent == 2
    assert [m.to for m in emails] == [["robin@example.org"]]
    assert "We have sent Robin Hale a new link." in page.get(response["Location"]).content.decode()


def test_the_resend_never_sends_anyone_to_another_site(reviewer_user):
    person, _ = client_invite(by=reviewer_user, email="robin@example.org", name="Robin Hale")
    page = as_user(reviewer_user)
    away = page.post(f"/clients/{person.pk}/invitation/resend/", {"next": "https://example.com/phish"})
    assert away["Location"] == f"/clients/{person.pk}/representatives/"
    home = page.post(f"/clients/{person.pk}/invitation/resend/", {"next": f"/budgets/clients/{person.pk}/"})
    assert home["Location"] == f"/budgets/clients/{person.pk}/"


def test_a_reviewer_revokes_a_representative_through_the_page(api, plan, reviewer_user, client_user):
    carer = UserFactory(name="Sam Taylor")
    page = as_user(reviewer_user)
    page.post(f"/clients/{client_user.pk}/representatives/", {**AUTHORITY, "email": carer.email, "name": carer.name})
    rep = Representative.objects.get(client=client_user)
    representative_accept(representative=rep, by=carer)
    assert api(carer).get(f"/api/v1/plans/{plan.pk}").status_code == 200

    listing = page.get(f"/clients/{client_user.pk}/representatives/").content.decode()
    assert f'href="/account/representatives/{rep.pk}/revoke/"' in listing
    confirm = page.get(f"/account/representatives/{rep.pk}/revoke/").content.decode()
    assert "Stop Sam Taylor" in confirm and f'href="/clients/{client_user.pk}/representatives/"' in confirm
    response = page.post(f"/account/representatives/{rep.pk}/revoke/")
    assert response["Location"] == f"/clients/{client_user.pk}/representatives/"
    rep.refresh_from_db()
    assert (rep.status, rep.revoked_by) == ("revoked", reviewer_user)
    assert api(carer).get(f"/api/v1/plans/{plan.pk}").status_code == 404  # at once
    assert Plan.objects.filter(pk=plan.pk).exists()


@pytest.mark.parametrize("role", [Role.CLIENT, Role.BROKER, Role.PROVIDER, "admin", "the client", "their deputy"])
def test_nobody_but_reviewers_uses_the_page(role, reviewer_user, client_user):
    person, _ = client_invite(by=reviewer_user, email="robin@example.org", name="Robin Hale")
    deputy = UserFactory(name="Pat Jones")
    as_user(reviewer_user).post(f"/clients/{person.pk}/representatives/", {**AUTHORITY, "email": deputy.email})
    rep = Representative.objects.get(client=person)
    representative_accept(representative=rep, by=deputy)
    someone = {
        "admin": lambda: UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True),
        "the client": lambda: person,
        "their deputy": lambda: deputy,
    }.get(role, lambda: UserFactory(role=role))()
    page = as_user(someone)
    for client_id in (person.pk, client_user.pk, 999_999):  # the same answer whether or not the id is a client
        assert page.get(f"/clients/{client_id}/representatives/").status_code == 403
        assert page.post(f"/clients/{client_id}/representatives/", AUTHORITY).status_code == 403
        assert page.post(f"/clients/{client_id}/invitation/resend/").status_code == 403
    assert Representative.objects.count() == 1 and ClientInvitation.objects.get(user=person).times_sent == 1
    if someone != person:  # the client may revoke their own helper; nobody else but a reviewer
        assert page.post(f"/account/representatives/{rep.pk}/revoke/").status_code in (403, 404)
        rep.refresh_from_db()
        assert rep.status == "active"
