"""Clients KMPT invites (issue 21): a budget recorded for someone with no account starts their journey."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import ClientInvitation, Role, User
from plans.models import Budget
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def budget_body(**who):
    return {
        **who, "council": "kent", "eligibility": "substantial", "annual_amount": "2400.00",
        "assessed_on": "2026-11-01", "review_on": "2027-11-01", "outcomes": ["relationships"],
        "payment_route": "kent_card",
    }  # fmt: skip


def link_from(message) -> str:
    return re.search(r"http://[^/\s]+(/accounts/invitation/[^/\s]+/)", message.body).group(1)


def test_a_budget_for_someone_without_an_account_invites_them(api, reviewer_user, sent):
    with sent() as emails:
        response = api(reviewer_user).post(
            "/api/v1/budgets", budget_body(client_email="Robin@Example.org", client_name="Robin Hale"), format="json"
        )
    assert response.status_code == 201, response.json()
    person = User.objects.get(email="robin@example.org")
    assert response.json()["client"]["id"] == person.pk
    assert (person.role, person.name, person.has_usable_password()) == (Role.CLIENT, "Robin Hale", False)
    message = next(m for m in emails if m.to == ["robin@example.org"])
    assert "KMPT" in message.body and "116 123" in message.body
    assert "2400" not in message.body and "2,400" not in message.body  # nothing of their budget in an email
    # Nobody but reviewers sees them before they sign in; they cannot sign in without the link.
    assert api(UserFactory(role=Role.BROKER)).get("/api/v1/budgets").json()["count"] == 0
    assert not Client().login(email="robin@example.org", password="")

    page = Client()
    link = link_from(message)
    assert "Choose a password" in page.get(link).content.decode()
    assert page.post(link, {"password": "a-long-passphrase-9"}).status_code == 302
    assert page.get("/dashboard/").status_code == 200  # signed in, address verified
    login = api().post(
        "/_allauth/app/v1/auth/login", {"email": "robin@example.org", "password": "a-long-passphrase-9"}, format="json"
    )
    assert login.status_code == 200
    token = login.json()["meta"]["session_token"]
    budgets = api().get("/api/v1/budgets", HTTP_X_SESSION_TOKEN=token).json()
    assert budgets["count"] == 1 and budgets["results"][0]["annual_amount"] == "2400.00"
    assert page.get(link).status_code == 404  # the link works once


def test_an_existing_account_is_linked_never_duplicated(api, reviewer_user, client_user, sent):
    with sent() as emails:
        response = api(reviewer_user).post(
            "/api/v1/budgets", budget_body(client_email=client_user.email.upper(), client_name="Someone"), format="json"
        )
    assert response.status_code == 201 and response.json()["client"]["id"] == client_user.pk
    assert User.objects.filter(email__iexact=client_user.email).count() == 1
    assert not ClientInvitation.objects.exists()
    assert not [m for m in emails if "account is ready" in m.subject]  # told of the budget, not invited again


def test_an_expired_link_says_so_and_a_resent_one_works(api, reviewer_user, sent):
    with sent() as emails:
        api(reviewer_user).post("/api/v1/budgets", budget_body(client_email="late@example.org"), format="json")
    old_link = link_from(emails[-1])
    ClientInvitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    page = Client()
    expired = page.post(old_link, {"password": "a-long-passphrase-9"}).content.decode()
    assert "expired" in expired and "key worker" in expired
    person = User.objects.get(email="late@example.org")
    staff = Client()
    staff.force_login(reviewer_user)
    with sent() as emails:
        staff.post(f"/clients/{person.pk}/invitation/resend/")
    new_link = link_from(emails[-1])
    assert new_link != old_link and page.get(old_link).status_code == 404
    assert page.post(new_link, {"password": "a-long-passphrase-9"}).status_code == 302
    assert ClientInvitation.objects.get(user=person).times_sent == 2


def test_a_budget_needs_a_client_or_an_address(api, reviewer_user):
    response = api(reviewer_user).post("/api/v1/budgets", budget_body(), format="json")
    assert response.status_code == 400 and "client" in response.json()
    assert not Budget.objects.exists()


def test_a_weak_password_on_the_invitation_is_refused_plainly(api, reviewer_user, sent):
    with sent() as emails:
        api(reviewer_user).post("/api/v1/budgets", budget_body(client_email="weak@example.org"), format="json")
    html = Client().post(link_from(emails[-1]), {"password": "short"}).content.decode()
    assert "There is a problem" in html and "<title>Error:" in html
    assert not User.objects.get(email="weak@example.org").has_usable_password()


# --- The reviewer's budget page: someone new, by name and email ----------------------------------------------------

PAGE_FORM = {
    "council": "kent", "eligibility": "substantial", "annual_amount": "2400.00", "client_contribution": "0",
    "assessed_on_day": "1", "assessed_on_month": "11", "assessed_on_year": "2026",
    "review_on_day": "1", "review_on_month": "11", "review_on_year": "2027",
    "outcomes": ["relationships"], "payment_route": "kent_card",
}  # fmt: skip


def as_reviewer(reviewer_user) -> Client:
    page = Client()
    page.force_login(reviewer_user)
    return page


def test_the_budget_page_records_a_budget_for_someone_new_and_says_they_were_invited(reviewer_user, sent):
    page = as_reviewer(reviewer_user)
    assert 'href="/budgets/new/"' in page.get("/budgets/").content.decode()
    assert "Full name" in page.get("/budgets/new/").content.decode()
    with sent() as emails:
        response = page.post(
            "/budgets/new/", {**PAGE_FORM, "client_name": "Robin Hale", "client_email": "Robin@Example.org"}
        )
    person = User.objects.get(email="robin@example.org")
    assert response.status_code == 302 and response["Location"] == f"/budgets/clients/{person.pk}/"
    assert (person.role, person.name, person.has_usable_password()) == (Role.CLIENT, "Robin Hale", False)
    assert Budget.objects.get(client=person).recorded_by == reviewer_user
    assert [m.to for m in emails if m.subject == "Your Waymark account is ready"] == [["robin@example.org"]]
    confirmation = page.get(response["Location"]).content.decode()
    assert "We have emailed robin@example.org an invitation" in confirmation
    assert "Robin Hale has not set up their account yet" in confirmation  # and the budget page keeps saying so


def test_the_budget_page_links_an_existing_account_never_a_duplicate(reviewer_user, client_user, sent):
    page = as_reviewer(reviewer_user)
    with sent() as emails:
        response = page.post(
            "/budgets/new/", {**PAGE_FORM, "client_name": "Someone Else", "client_email": client_user.email.upper()}
        )
    assert response.status_code == 302 and response["Location"] == f"/budgets/clients/{client_user.pk}/"
    assert User.objects.filter(email__iexact=client_user.email).count() == 1
    assert Budget.objects.filter(client=client_user).count() == 1 and not ClientInvitation.objects.exists()
    assert not [m for m in emails if m.subject == "Your Waymark account is ready"]
    confirmation = page.get(response["Location"]).content.decode()
    assert "already has a Waymark account" in confirmation and "an invitation" not in confirmation


def test_the_new_person_form_says_what_is_missing_in_plain_words(reviewer_user):
    response = as_reviewer(reviewer_user).post("/budgets/new/", {**PAGE_FORM, "client_email": "not-an-email"})
    html = response.content.decode()
    assert response.status_code == 200 and "<title>Error:" in html and "There is a problem" in html
    assert "Enter the person&#x27;s full name" in html
    assert "Enter an email address in the correct format, like name@example.org" in html
    assert 'href="#id_client_name"' in html  # the summary links to the field
    blank = as_reviewer(reviewer_user).post("/budgets/new/", {**PAGE_FORM, "client_name": "Robin"}).content.decode()
    assert "Enter the person&#x27;s email address" in blank
    assert not User.objects.filter(role=Role.CLIENT).exists() and not Budget.objects.exists()


def test_the_services_refusals_go_on_their_fields_and_leave_nobody_behind(reviewer_user, broker_user, sent):
    page = as_reviewer(reviewer_user)
    not_a_client = page.post("/budgets/new/", {**PAGE_FORM, "client_name": "B", "client_email": broker_user.email})
    assert "This address belongs to an account that is not a client" in not_a_client.content.decode()
    with sent() as emails:
        medway = page.post(
            "/budgets/new/",
            {**PAGE_FORM, "council": "medway", "client_name": "Robin Hale", "client_email": "robin@example.org"},
        )
    assert medway.status_code == 200 and "<title>Error:" in medway.content.decode()
    assert 'href="#id_payment_route' in medway.content.decode()
    # The rule refused the budget, so the account and its invitation were never made.
    assert not User.objects.filter(email="robin@example.org").exists() and not emails


@pytest.mark.parametrize("role", [Role.CLIENT, Role.BROKER, Role.PROVIDER])
def test_only_reviewers_open_the_new_person_page(role):
    page = Client()
    page.force_login(UserFactory(role=role))
    assert page.get("/budgets/new/").status_code == 403
    posted = page.post("/budgets/new/", {**PAGE_FORM, "client_name": "Robin", "client_email": "robin@example.org"})
    assert posted.status_code == 403 and not User.objects.filter(email="robin@example.org").exists()
