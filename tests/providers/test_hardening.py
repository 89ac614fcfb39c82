"""Issue 16 for providers and the feed: verification follows the checked details, invitations need a verified
address, no control characters in one-line fields, bad query parameters and nested JSON are 400, email throttles."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from audit.selectors import events_of
from providers import selectors, services
from providers.models import Listing, Membership, Organization, OrganizationInvite
from tests.factories import UserFactory
from tests.providers.factories import ListingFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def public_titles(api):
    return [row["title"] for row in api().get("/api/v1/listings").json()["results"]]


def feed_names(client):
    return [row["name"] for row in client.get("/openreferral/services").json()["contents"]]


# --- verification follows the checked details ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Someone Else Ltd"),
        ("charity_number", "7654321"),
        ("company_number", "09999999"),
        ("safeguarding_contact_name", "A. Stranger"),
        ("safeguarding_contact_email", "stranger@example.org"),
    ],
)
def test_changing_a_checked_detail_sends_the_organisation_back_for_verification(
    api, client, provider_user, organization, published, field, value
):
    assert public_titles(api) == [published.title] and feed_names(client) == [published.title]
    response = api(provider_user).patch(f"/api/v1/organizations/{organization.pk}", {field: value}, format="json")
    assert response.status_code == 200 and response.json()["verified"] is False
    assert public_titles(api) == [] and feed_names(client) == []  # gone from search and the feed at once
    event = events_of("organization", organization.pk).get(action="sent_back")
    assert (event.from_state, event.to_state, event.by) == ("verified", "unverified", provider_user)
    assert event.data["fields"] == [field] and "Changed details an administrator checks" in event.reason


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("description", "Now with more clay"),
        ("email", "new@example.org"),
        ("phone", "01227 111111"),
        ("website", "https://example.org"),
    ],
)
def test_other_edits_keep_it_verified(api, provider_user, organization, published, field, value):
    response = api(provider_user).patch(f"/api/v1/organizations/{organization.pk}", {field: value}, format="json")
    assert response.status_code == 200 and response.json()["verified"] is True
    assert public_titles(api) == [published.title]
    assert not events_of("organization", organization.pk).filter(action="sent_back").exists()


def test_saving_the_same_checked_details_again_keeps_it_verified(api, provider_user, organization):
    same = {"name": organization.name, "charity_number": organization.charity_number}
    assert api(provider_user).patch(f"/api/v1/organizations/{organization.pk}", same, format="json").json()["verified"]


def test_the_page_says_why_the_organisation_is_checked_again(client, provider_user, organization, published):
    client.force_login(provider_user)
    response = client.post(
        f"/provider/organisations/{organization.pk}/edit/",
        {"name": "A New Name", "charity_number": organization.charity_number},
        follow=True,
    )
    page = response.content.decode()
    assert "an administrator checks" in page and "hidden from search" in page
    organization.refresh_from_db()
    assert organization.verified_at is None


def test_verifying_again_brings_the_listings_back(api, admin_user, provider_user, organization, published):
    services.organization_update(organization=organization, by=provider_user, name="Renamed")
    assert public_titles(api) == []
    services.organization_verify(organization=organization, by=admin_user)
    assert public_titles(api) == [published.title]


# --- invitations need a verified address ---------------------------------------------------------------------------


def test_an_invitation_waits_until_the_address_is_verified(client, provider_user, organization):
    invite = services.organization_invite(organization=organization, by=provider_user, email="new@example.org")
    invitee = UserFactory(email="new@example.org", role="provider", verified_email=False)
    client.force_login(invitee)  # signing in must not accept it: nobody has proved they own the address
    assert not Membership.objects.filter(organization=organization, user=invitee).exists()
    page = client.get(f"/provider/invites/{invite.token}/").content.decode()
    assert "Verify your email address new@example.org first" in page
    refused = client.post(f"/provider/invites/{invite.token}/").content.decode()
    assert "Verify your email address" in refused
    assert not Membership.objects.filter(organization=organization, user=invitee).exists()
    EmailAddress.objects.filter(user=invitee).update(verified=True)
    client.logout()
    client.force_login(invitee)  # signing in after verifying joins
    assert Membership.objects.filter(organization=organization, user=invitee).exists()


def test_a_verified_other_address_does_not_count(provider_user, organization):
    invite = services.organization_invite(organization=organization, by=provider_user, email="two@example.org")
    invitee = UserFactory(email="two@example.org", role="provider", verified_email=False)
    EmailAddress.objects.create(user=invitee, email="one@example.org", verified=True)
    assert services.invites_accept_pending(user=invitee) == 0
    assert OrganizationInvite.objects.get(pk=invite.pk).accepted_at is None


# --- no control characters in one-line fields ----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["Evil\r\nBcc: victim@example.org", "Tab\there", "Bell\x07", "Line\u2028sep"])
def test_control_characters_in_names_and_titles_are_refused_naming_the_field(api, provider_user, organization, value):
    created = api(provider_user).post("/api/v1/organizations", {"name": value}, format="json")
    assert created.status_code == 400 and "one line" in created.json()["name"][0]
    listing = api(provider_user).post(
        "/api/v1/listings", {"organization": organization.pk, "title": value}, format="json"
    )
    assert listing.status_code == 400 and "one line" in listing.json()["title"][0]
    assert not Organization.objects.filter(name=value).exists() and not Listing.objects.filter(title=value).exists()


def test_the_page_explains_a_refused_name(client, provider_user):
    client.force_login(provider_user)
    page = client.post("/provider/organisations/new/", {"name": "Two\r\nlines"}).content.decode()
    assert "must be on one line" in page and "nhsuk-error-summary" in page


def test_descriptions_keep_their_line_breaks(api, provider_user, organization):
    response = api(provider_user).post(
        "/api/v1/listings",
        {"organization": organization.pk, "title": "Fine", "description": "One.\r\nTwo."},
        format="json",
    )
    assert response.status_code == 201


def test_emails_that_embed_a_name_saved_before_the_rule_never_fail(
    provider_user, organization, eager_celery, django_capture_on_commit_callbacks
):
    Organization.objects.filter(pk=organization.pk).update(name="Old\r\nBcc: victim@example.org")
    organization.refresh_from_db()
    listing = ListingFactory(organization=organization)
    Listing.objects.filter(pk=listing.pk).update(
        title="Old\ntitle", last_reviewed_on=timezone.localdate() - datetime.timedelta(days=160)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.organization_invite(organization=organization, by=provider_user, email="x@example.org")
        services.freshness_reminders_send()
    subjects = [message.subject for message in mail.outbox]
    assert "Join Old Bcc: victim@example.org on Waymark" in subjects
    assert "Is “Old title” still accurate?" in subjects
    assert all("\n" not in subject and "\r" not in subject for subject in subjects)


# --- query parameters and JSON bodies -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/listings?organization=%C2%B2", "organization"),
        ("/api/v1/listings?organization=99999999999999999999", "organization"),
        ("/api/v1/listings?max_cost=abc", "max_cost"),
        ("/api/v1/listings?max_cost=NaN", "max_cost"),
        ("/api/v1/listings?category=nope", "category"),
        ("/api/v1/listings?status=%00", "status"),
        ("/api/v1/listings?q=%00yoga", "q"),
        ("/api/v1/listings?area=mars", "area"),
        ("/api/v1/organizations?member=x", "member"),
    ],
)
def test_bad_query_parameters_are_400_naming_the_parameter(api, provider_user, url, parameter):
    response = api(provider_user).get(url)
    assert response.status_code == 400, response.content
    assert parameter in response.json()


def test_member_me_and_status_still_filter(api, provider_user, organization, draft, published):
    OrganizationFactory()
    mine = api(provider_user).get("/api/v1/organizations?member=me").json()["results"]
    assert [row["id"] for row in mine] == [organization.pk]
    drafts = api(provider_user).get(f"/api/v1/listings?organization={organization.pk}&status=draft").json()
    assert [row["id"] for row in drafts["results"]] == [draft.pk]


@pytest.mark.parametrize(
    ("method", "url"),
    [("post", "/api/v1/organizations"), ("post", "/api/v1/listings"), ("patch", "/api/v1/listings/{listing}")],
)
def test_deeply_nested_json_is_400(api, provider_user, published, method, url):
    body = "[" * 100_000 + "]" * 100_000
    response = getattr(api(provider_user), method)(
        url.format(listing=published.pk), body, content_type="application/json"
    )
    assert response.status_code == 400


# --- tighter limits on what emails other people --------------------------------------------------------------------


@pytest.fixture
def email_limit(settings):
    """Only the email scope limited (two an hour), as production limits it more loosely."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"person": None, "address": None, "email": "2/hour", "render": None},
    }


def test_invitations_are_rate_limited_as_email(api, email_limit, provider_user, organization):
    member = api(provider_user)
    url = f"/api/v1/organizations/{organization.pk}/invites"
    codes = [member.post(url, {"email": f"p{n}@example.org"}, format="json").status_code for n in range(3)]
    assert codes == [201, 201, 429]
    assert member.get(url).status_code == 200  # reading them is not limited as email


def test_out_of_date_reports_are_rate_limited_as_email(api, email_limit, client_user, published):
    reporter = api(client_user)
    url = f"/api/v1/listings/{published.pk}/report-stale"
    codes = [reporter.post(url, {"note": "x"}, format="json").status_code for _ in range(3)]
    assert codes == [201, 201, 429]


# --- for other apps ----------------------------------------------------------------------------------------------


def test_organizations_verified_lists_only_verified_ones():
    verified = OrganizationFactory(name="B verified")
    OrganizationFactory(name="A unverified", verified_at=None)
    assert list(selectors.organizations_verified()) == [verified]


# --- the Open Referral feed ----------------------------------------------------------------------------------------


def test_modified_after_includes_a_service_modified_at_that_very_moment(client, published):
    moment = timezone.now().replace(microsecond=0)
    Listing.objects.filter(pk=published.pk).update(updated_at=moment)
    Organization.objects.filter(pk=published.organization_id).update(updated_at=moment - datetime.timedelta(days=1))
    body = client.get("/openreferral/services", {"modified_after": moment.isoformat()}).json()
    assert [row["id"] for row in body["contents"]] == [str(published.uuid)]


def test_a_change_to_the_organisation_moves_its_services_last_modified(client, provider_user, organization, published):
    long_ago = timezone.now() - datetime.timedelta(days=30)
    Listing.objects.filter(pk=published.pk).update(updated_at=long_ago)
    Organization.objects.filter(pk=organization.pk).update(updated_at=long_ago)
    since = (timezone.now() - datetime.timedelta(minutes=1)).isoformat()
    assert client.get("/openreferral/services", {"modified_after": since}).json()["empty"] is True
    services.organization_update(organization=organization, by=provider_user, description="Now on Sundays too")
    body = client.get("/openreferral/services", {"modified_after": since}).json()
    assert [row["id"] for row in body["contents"]] == [str(published.uuid)]
    detail = client.get(f"/openreferral/services/{published.uuid}").json()
    assert detail["last_modified"] >= since and detail["organization"]["description"] == "Now on Sundays too"


@pytest.mark.parametrize(
    "path",
    [
        "/openreferral/services/not-a-uuid",
        "/openreferral/organizations/123",
        "/openreferral/service_at_locations/x/",
        "/openreferral/nothing-here",
        "/openreferral/services/17ef6120-ad6c-4878-a1ed-ebd60e98d7ab/extra",
    ],
)
def test_every_feed_answer_is_json_with_cors_even_a_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json()["code"] == "not_found"
