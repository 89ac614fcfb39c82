"""The user admin: admins find people by role, email or name, and add reviewers who can log in at once."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.urls import reverse

from accounts.models import Role, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_the_list_filters_by_role(admin_client):
    reviewer = UserFactory(role=Role.REVIEWER, email="rev@example.org")
    UserFactory(role=Role.BROKER, email="brok@example.org")
    html = admin_client.get(reverse("admin:accounts_user_changelist"), {"role__exact": "reviewer"}).content.decode()
    assert reviewer.email in html and "brok@example.org" not in html


@pytest.mark.parametrize("query", ["Quentin", "quentin@example", "Blake"])
def test_the_list_searches_email_and_name(admin_client, query):
    UserFactory(email="quentin@example.org", name="Quentin Blake")
    UserFactory(email="other@example.org", name="Other Person")
    html = admin_client.get(reverse("admin:accounts_user_changelist"), {"q": query}).content.decode()
    assert "quentin@example.org" in html and "other@example.org" not in html


def test_the_list_shows_and_filters_who_has_mfa(admin_client):
    user = UserFactory(email="secure@example.org")
    UserFactory(email="plain@example.org")
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    changelist = reverse("admin:accounts_user_changelist")
    response = admin_client.get(changelist, {"mfa": "yes"})
    html = response.content.decode()
    assert "secure@example.org" in html and "plain@example.org" not in html
    assert response.context["cl"].result_list[0].mfa_enrolled is True
    html = admin_client.get(changelist, {"mfa": "no"}).content.decode()
    assert "plain@example.org" in html and "secure@example.org" not in html


def test_an_admin_adds_a_reviewer_with_a_verified_email(admin_client):
    response = admin_client.get(reverse("admin:accounts_user_add"))
    assert response.status_code == 200
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New.Reviewer@Example.org",
            "name": "New Reviewer",
            "role": "reviewer",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="new.reviewer@example.org")
    assert user.role == Role.REVIEWER and user.check_password("a-long-pass-phrase")
    assert EmailAddress.objects.filter(user=user, email=user.email, verified=True, primary=True).exists()


def test_an_email_already_used_is_refused(admin_client):
    UserFactory(email="taken@example.org")
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "Taken@example.org",
            "role": "client",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert response.status_code == 200 and "already has an account" in response.content.decode()


def test_the_change_page_opens(admin_client):
    user = UserFactory()
    assert admin_client.get(reverse("admin:accounts_user_change", args=[user.pk])).status_code == 200


@pytest.mark.parametrize("role", [Role.CLIENT, Role.BROKER, Role.PROVIDER, Role.REVIEWER])
def test_only_staff_reach_the_user_admin(client, role):
    client.force_login(UserFactory(role=role))
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 302 and "/login/" in response.url
