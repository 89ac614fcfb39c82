import pytest
from django.core import mail

from providers.models import Membership, Organization, OrganizationInvite
from tests.factories import UserFactory
from tests.providers.factories import OrganizationFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/organizations"


def test_anonymous_gets_401(api):
    assert api().get(URL).status_code == 401


@pytest.mark.parametrize("role", ["client", "broker", "provider", "reviewer", "admin"])
def test_everyone_signed_in_sees_verified_organisations_but_only_admins_see_others_unverified(api, all_roles, role):
    verified = OrganizationFactory(name="Verified")
    unverified = OrganizationFactory(name="Unverified", verified_at=None)
    response = api(all_roles[role]).get(URL)
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert verified.id in ids
    assert (unverified.id in ids) == (role == "admin")
    assert api(all_roles[role]).get(f"{URL}/{unverified.id}").status_code == (200 if role == "admin" else 404)


def test_members_see_their_unverified_organisation_and_member_me_lists_only_theirs(api, provider_user, organization):
    mine = OrganizationFactory(verified_at=None, members=[provider_user])
    OrganizationFactory()
    response = api(provider_user).get(URL + "?member=me")
    assert {row["id"] for row in response.json()["results"]} == {organization.id, mine.id}
    assert all(row["is_member"] for row in response.json()["results"])
    assert api(provider_user).get(f"{URL}/{mine.id}/").status_code == 200


def test_a_provider_creates_an_organisation_and_becomes_its_member(api, provider_user):
    response = api(provider_user).post(URL, {"name": "Dover Arts", "charity_number": "1100001"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["verified"] is False and body["verified_at"] is None and body["is_member"] is True
    assert Membership.objects.filter(organization_id=body["id"], user=provider_user).exists()


@pytest.mark.parametrize("role", ["client", "broker", "reviewer"])
def test_other_roles_cannot_create_an_organisation(api, all_roles, role):
    response = api(all_roles[role]).post(URL, {"name": "Nope"}, format="json")
    assert response.status_code == 403
    assert not Organization.objects.filter(name="Nope").exists()


def test_an_organisation_needs_a_name(api, provider_user):
    response = api(provider_user).post(URL, {"name": ""}, format="json")
    assert response.status_code == 400 and "name" in response.json()


def test_members_edit_their_organisation_others_get_403_or_404(api, provider_user, other_provider, organization):
    assert (
        api(provider_user).patch(f"{URL}/{organization.id}", {"phone": "01227 000000"}, format="json").json()["phone"]
        == "01227 000000"
    )
    assert api(other_provider).patch(f"{URL}/{organization.id}", {"name": "Taken"}, format="json").status_code == 403
    hidden = OrganizationFactory(verified_at=None)
    assert api(other_provider).patch(f"{URL}/{hidden.id}", {"name": "Taken"}, format="json").status_code == 404
    organization.refresh_from_db()
    assert organization.name != "Taken"


def test_an_admin_verifies_once_and_others_may_not(api, admin_user, provider_user, client_user):
    organization = OrganizationFactory(verified_at=None, members=[provider_user])
    assert api(provider_user).post(f"{URL}/{organization.id}/verify").status_code == 403
    assert api(client_user).post(f"{URL}/{organization.id}/verify").status_code == 404
    response = api(admin_user).post(f"{URL}/{organization.id}/verify/")
    assert response.status_code == 200 and response.json()["verified"] is True
    organization.refresh_from_db()
    assert organization.verified_by == admin_user
    again = api(admin_user).post(f"{URL}/{organization.id}/verify")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


def test_a_member_invites_by_email_and_the_invitee_joins_when_they_sign_in(
    api, client, provider_user, other_provider, organization, eager_celery, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://waymark.kent.example"
    invitee_email = "new.colleague@example.org"
    with django_capture_on_commit_callbacks(execute=True):
        response = api(provider_user).post(f"{URL}/{organization.id}/invites", {"email": invitee_email}, format="json")
    assert response.status_code == 201, response.json()
    assert (
        api(other_provider)
        .post(f"{URL}/{organization.id}/invites", {"email": "x@example.org"}, format="json")
        .status_code
        == 403
    )
    invite = OrganizationInvite.objects.get(email=invitee_email)
    assert mail.outbox[-1].to == [invitee_email]
    assert f"https://waymark.kent.example/provider/invites/{invite.token}/" in mail.outbox[-1].body  # SITE_URL
    assert "116 123" in mail.outbox[-1].body and "999" in mail.outbox[-1].body  # every email carries the crisis lines
    invitee = UserFactory(email=invitee_email, role="provider")
    client.force_login(invitee)  # signing in accepts the invitation
    assert Membership.objects.filter(organization=organization, user=invitee).exists()
    invite.refresh_from_db()
    assert invite.accepted_by == invitee


def test_an_invitation_for_another_email_cannot_be_accepted(client, provider_user, organization):
    invite = OrganizationInvite.objects.create(organization=organization, email="someone@example.org", token="t0k")
    stranger = UserFactory(role="provider")
    client.force_login(stranger)
    response = client.post(f"/provider/invites/{invite.token}/")
    assert response.status_code == 200 and "different email" in response.content.decode()
    assert not Membership.objects.filter(organization=organization, user=stranger).exists()


def test_an_organisations_invitations_are_a_paginated_list(api, provider_user, organization):
    member = api(provider_user)
    for n in range(3):
        sent = member.post(f"{URL}/{organization.id}/invites", {"email": f"p{n}@example.org"}, format="json")
        assert sent.status_code == 201
    body = member.get(f"{URL}/{organization.id}/invites", {"page_size": 2}).json()
    assert body["count"] == 3 and body["next"] and len(body["results"]) == 2
