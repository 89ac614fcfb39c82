"""Issue 15 for providers: one audit trail, database history, one transition table, an admin without back doors."""

import itertools

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from audit.models import Event
from audit.selectors import events_of, history_outside_services
from config.errors import InvalidTransition, ServiceError
from providers import permissions, services
from providers.models import (
    Listing,
    ListingStatus,
    Membership,
    Organization,
    OrganizationInvite,
    StaleReport,
)
from tests.factories import UserFactory
from tests.providers.factories import ListingFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def actions(record_type, record_id):
    return list(events_of(record_type, record_id).values_list("action", flat=True))


# --- one audit trail ---------------------------------------------------------------------------------------------


def test_listing_services_write_their_events_in_the_one_audit_trail(provider_user, organization):
    listing = services.listing_create(organization=organization, by=provider_user, title="Clay", postcode="CT1 2AB")
    services.listing_update(
        listing=listing,
        by=provider_user,
        description="Pots",
        category="art_class",
        cost="4",
        cost_unit="session",
        contact_email="a@example.org",
    )
    services.listing_publish(listing=listing, by=provider_user)
    services.listing_confirm(listing=listing, by=provider_user)
    services.listing_archive(listing=listing, by=provider_user)
    services.listing_restore(listing=listing, by=provider_user)
    assert actions("listing", listing.pk) == ["created", "updated", "published", "confirmed", "archived", "restored"]
    updated = events_of("listing", listing.pk).get(action="updated")
    assert updated.by == provider_user and set(updated.data["fields"]) >= {"description", "cost"}
    archived = events_of("listing", listing.pk).get(action="archived")
    assert (archived.from_state, archived.to_state) == ("published", "archived")


def test_organisation_changes_write_organization_events(provider_user, admin_user):
    organization = services.organization_create(by=provider_user, name="Deal Arts", charity_number="111")
    services.organization_update(organization=organization, by=provider_user, description="Painting", name="Deal Arts")
    services.organization_verify(organization=organization, by=admin_user)
    services.organization_update(organization=organization, by=provider_user, charity_number="222")
    invite = services.organization_invite(organization=organization, by=provider_user, email="new@example.org")
    invitee = UserFactory(email="new@example.org", role="provider")
    services.invite_accept(invite=invite, by=invitee)
    assert actions("organization", organization.pk) == [
        "created",
        "updated",
        "verified",
        "updated",
        "sent_back",
        "member_invited",
        "member_joined",
    ]
    first_update = events_of("organization", organization.pk).filter(action="updated").first()
    assert first_update.data["fields"] == ["description"]  # only what changed
    verified = events_of("organization", organization.pk).get(action="verified")
    assert (verified.by, verified.from_state, verified.to_state) == (admin_user, "unverified", "verified")
    joined = events_of("organization", organization.pk).get(action="member_joined")
    assert joined.person == invitee and joined.data["invite"] == invite.pk


def test_the_api_and_pages_say_which_channel_made_the_change(api, client, provider_user, organization):
    created = api(provider_user).post(
        "/api/v1/listings", {"organization": organization.pk, "title": "By the API"}, format="json"
    )
    client.force_login(provider_user)
    client.post(f"/provider/organisations/{organization.pk}/listings/new/", {"title": "By a page"})
    page_listing = Listing.objects.get(title="By a page")
    assert events_of("listing", created.json()["id"]).get().via == "api"
    assert events_of("listing", page_listing.pk).get().via == "page"


@pytest.mark.django_db(transaction=True)
def test_the_old_listing_events_are_copied_into_the_audit_trail():
    """The data migration: rows of the old ListingEvent table become `listing` events, once."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("providers", "0003_history_words_freshness")])
    old_apps = executor.loader.project_state([("providers", "0003_history_words_freshness")]).apps
    actor = UserFactory(role="provider")
    organization = old_apps.get_model("providers", "Organization").objects.create(name="Old Org")
    listing = old_apps.get_model("providers", "Listing").objects.create(organization=organization, title="Old")
    old_apps.get_model("providers", "ListingEvent").objects.create(
        listing=listing, actor_id=actor.pk, action="publish", from_status="draft", to_status="published"
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    moved = Event.objects.get(record_type="listing", record_id=listing.pk)
    assert (moved.action, moved.by_id, moved.from_state, moved.to_state) == (
        "published",
        actor.pk,
        "draft",
        "published",
    )
    refreshed = Listing.objects.get(pk=listing.pk)
    assert refreshed.service_at_location_uuid is not None  # filled for the feed's look-up


# --- database history ----------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # the raw SQL runs in its own transaction, as it would from a shell
def test_a_raw_sql_update_leaves_a_history_row_that_no_service_wrote(provider_user, organization):
    listing = services.listing_create(organization=organization, by=provider_user, title="Tracked")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE providers_listing SET title = 'Changed behind our back' WHERE id = %s", [listing.pk])
        cursor.execute("UPDATE providers_organization SET charity_number = '999' WHERE id = %s", [organization.pk])
    history = (
        apps.get_model("providers", "ListingHistory")
        .objects.filter(pgh_obj=listing)
        .order_by("pgh_created_at", "pgh_id")
    )
    by_service, by_sql = history[0], history.last()
    assert by_service.pgh_context.metadata["service"] == "listing_create"
    assert by_sql.title == "Changed behind our back"
    assert list(history_outside_services(history)) == [by_sql]
    organization_history = apps.get_model("providers", "OrganizationHistory").objects.filter(pgh_obj=organization)
    assert history_outside_services(organization_history).order_by("pgh_id").last().charity_number == "999"


# --- one transition table ------------------------------------------------------------------------------------------


ACTIONS = {
    "publish": services.listing_publish,
    "archive": services.listing_archive,
    "restore": services.listing_restore,
    "confirm": services.listing_confirm,
}


@pytest.mark.parametrize(("status", "action"), list(itertools.product(ListingStatus.values, ACTIONS)))
def test_what_the_pages_offer_is_exactly_what_the_services_allow(provider_user, organization, status, action):
    listing = ListingFactory(organization=organization, status=status)
    offered = getattr(permissions.listing_abilities(provider_user, listing), action)
    try:
        ACTIONS[action](listing=listing, by=provider_user)
        allowed = True
    except InvalidTransition:
        allowed = False
    assert offered == allowed


def test_people_outside_the_organisation_are_offered_nothing(other_provider, published):
    abilities = permissions.listing_abilities(other_provider, published)
    assert not (abilities.edit or abilities.any_state_change) and abilities.report


def test_verification_uses_its_table_and_refuses_twice(admin_user):
    organization = OrganizationFactory(verified_at=None)
    assert permissions.organization_abilities(admin_user, organization).verify
    services.organization_verify(organization=organization, by=admin_user)
    assert not permissions.organization_abilities(admin_user, organization).verify
    with pytest.raises(InvalidTransition):
        services.organization_verify(organization=organization, by=admin_user)


# --- an admin without back doors -----------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_an_organisation_cannot_be_verified_or_edited_through_the_admin_form(admin_client, provider_user):
    organization = OrganizationFactory(verified_at=None, name="Waiting", members=[provider_user])
    url = reverse("admin:providers_organization_change", args=[organization.pk])
    assert admin_client.get(url).status_code == 200  # it can be read
    response = admin_client.post(url, {"name": "Renamed", "verified_at_0": "2026-01-01", "verified_at_1": "10:00"})
    assert response.status_code == 403
    organization.refresh_from_db()
    assert (organization.name, organization.verified_at) == ("Waiting", None)
    assert admin_client.post(reverse("admin:providers_organization_add"), {"name": "New"}).status_code == 403
    delete = reverse("admin:providers_organization_delete", args=[organization.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Organization.objects.filter(pk=organization.pk).exists()


@pytest.mark.parametrize(
    ("model", "make", "change"),
    [
        ("listing", lambda org, user: ListingFactory(organization=org), {"title": "Hijacked", "status": "archived"}),
        ("membership", lambda org, user: Membership.objects.get(organization=org, user=user), {"user": ""}),
        (
            "stalereport",
            lambda org, user: StaleReport.objects.create(listing=ListingFactory(organization=org), note="old"),
            {"note": "rewritten"},
        ),
        (
            "organizationinvite",
            lambda org, user: OrganizationInvite.objects.create(organization=org, email="a@example.org", token="t"),
            {"email": "b@example.org"},
        ),
    ],
)
def test_workflow_records_are_read_only_in_the_admin(admin_client, provider_user, model, make, change):
    organization = OrganizationFactory(members=[provider_user])
    record = make(organization, provider_user)
    record.refresh_from_db()
    before = {field.attname: getattr(record, field.attname) for field in record._meta.concrete_fields}
    url = reverse(f"admin:providers_{model}_change", args=[record.pk])
    assert admin_client.post(url, change).status_code == 403
    record.refresh_from_db()
    after = {field.attname: getattr(record, field.attname) for field in record._meta.concrete_fields}
    assert after == before
    assert (
        admin_client.post(reverse(f"admin:providers_{model}_delete", args=[record.pk]), {"post": "yes"}).status_code
        == 403
    )


def test_the_admin_verify_action_calls_the_service_and_reports_refusals(admin_client, admin_user):
    waiting = OrganizationFactory(verified_at=None, name="Waiting Org")
    response = admin_client.post(
        reverse("admin:providers_organization_changelist"),
        {"action": "verify", "_selected_action": [waiting.pk]},
        follow=True,
    )
    assert "1 organisation(s) verified" in response.content.decode()
    event = events_of("organization", waiting.pk).get(action="verified")
    assert (event.by, event.via) == (admin_user, "admin")


def test_the_admin_pages_show_the_audit_trail(admin_client, provider_user, organization):
    listing = services.listing_create(organization=organization, by=provider_user, title="Shown")
    page = admin_client.get(reverse("admin:providers_listing_change", args=[listing.pk])).content.decode()
    assert "Audit trail" in page and "created" in page


def test_a_refused_service_changes_nothing_and_writes_no_event(provider_user, organization):
    listing = ListingFactory(organization=organization, status="draft", description="")
    with pytest.raises(ServiceError):
        services.listing_publish(listing=listing, by=provider_user)
    assert actions("listing", listing.pk) == []
    assert Listing.objects.get(pk=listing.pk).status == "draft"
