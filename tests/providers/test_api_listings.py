import pytest
from django.utils import timezone

from audit.selectors import events_of
from providers.models import Category, Listing, StaleReport
from tests.providers.factories import ListingFactory, OrganizationFactory, days_ago

pytestmark = pytest.mark.django_db
URL = "/api/v1/listings"
COMPLETE = {
    "title": "Watercolour for beginners",
    "description": "Paint with others. Materials included.",
    "category": "art_class",
    "cost": "12.50",
    "cost_unit": "session",
    "postcode": "ct1 2ab",
    "contact_email": "art@example.org",
}


def create(api, user, organization, **fields):
    return api(user).post(URL, {"organization": organization.id, **fields}, format="json")


def test_categories_are_a_public_plain_list(api):
    response = api().get("/api/v1/categories")
    assert response.status_code == 200
    codes = [row["code"] for row in response.json()]
    assert set(Category.values) == set(codes) and {"art_class", "gym", "yoga", "walking_group"} <= set(codes)
    assert api().get("/api/v1/categories/").status_code == 200


def test_a_member_drafts_a_listing_whose_area_comes_from_the_postcode(api, provider_user, organization):
    response = create(api, provider_user, organization, **COMPLETE)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft" and body["organization"] == {"id": organization.id, "name": organization.name}
    assert body["area"] == "canterbury" and body["postcode"] == "CT1 2AB"
    assert body["cost"] == "12.50" and body["stale"] is False
    assert events_of("listing", body["id"]).filter(action="created", by=provider_user, via="api").exists()


def test_free_is_a_valid_price(api, provider_user, organization):
    response = create(api, provider_user, organization, **{**COMPLETE, "cost": "0.00"})
    assert response.status_code == 201 and response.json()["cost"] == "0.00"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("cost", "-1.00"),
        ("cost", "10000.01"),
        ("cost", "abc"),
        ("category", "gambling"),
        ("area", "london"),
        ("cost_unit", "fortnight"),
        ("postcode", "CT1 2A"),
        ("postcode", "NOT A POSTCODE"),
        ("contact_email", "not-an-email"),
    ],
)
def test_bad_values_are_refused_naming_the_field(api, provider_user, organization, field, value):
    response = create(api, provider_user, organization, **{**COMPLETE, field: value})
    assert response.status_code == 400
    assert field in response.json()
    assert not Listing.objects.exists()


@pytest.mark.parametrize("postcode", ["CT3 1AA", "TN12 6AA", "DA1 4AA"])
def test_a_shared_district_needs_the_area_chosen(api, provider_user, organization, postcode):
    response = create(api, provider_user, organization, **{**COMPLETE, "postcode": postcode})
    assert response.status_code == 400 and "area" in response.json()
    chosen = create(api, provider_user, organization, **{**COMPLETE, "postcode": postcode, "area": "kent"})
    assert chosen.status_code == 201 and chosen.json()["area"] == "kent"


def test_a_district_outside_kent_and_medway_needs_the_area(api, provider_user, organization):
    assert create(api, provider_user, organization, **{**COMPLETE, "postcode": "DA7 4AA"}).status_code == 400
    response = create(api, provider_user, organization, **{**COMPLETE, "postcode": "DA7 4AA", "area": "dartford"})
    assert response.status_code == 201


def test_changing_the_postcode_derives_the_area_again(api, provider_user, draft):
    response = api(provider_user).patch(f"{URL}/{draft.id}", {"postcode": "ME4 4AA"}, format="json")
    assert response.status_code == 200 and response.json()["area"] == "medway"


@pytest.mark.parametrize("role", ["client", "broker", "reviewer"])
def test_other_roles_cannot_create_listings(api, all_roles, organization, role):
    assert create(api, all_roles[role], organization, **COMPLETE).status_code == 403


def test_only_members_create_listings(api, other_provider, organization, admin_user):
    assert create(api, other_provider, organization, **COMPLETE).status_code == 403
    hidden = OrganizationFactory(verified_at=None)
    assert create(api, other_provider, hidden, **COMPLETE).status_code == 400  # cannot even see it
    assert create(api, admin_user, organization, **COMPLETE).status_code == 201
    assert api().post(URL, {"organization": organization.id, **COMPLETE}, format="json").status_code == 401


@pytest.mark.parametrize("role", ["anonymous", "client", "broker", "provider", "reviewer"])
def test_a_draft_is_404_to_everyone_outside_its_organisation(api, all_roles, other_organization, role):
    draft = ListingFactory(organization=other_organization, status="draft", published_at=None)
    user = None if role == "anonymous" else all_roles[role]
    assert api(user).get(f"{URL}/{draft.id}").status_code == 404
    if user is not None:
        assert api(user).patch(f"{URL}/{draft.id}", {"title": "x"}, format="json").status_code == 404
        assert api(user).post(f"{URL}/{draft.id}/publish").status_code == 404


def test_members_and_admins_see_drafts(api, provider_user, admin_user, draft):
    assert api(provider_user).get(f"{URL}/{draft.id}").status_code == 200
    assert api(admin_user).get(f"{URL}/{draft.id}/").status_code == 200


@pytest.mark.parametrize("role", ["client", "broker", "provider", "reviewer"])
def test_another_organisations_published_listing_is_403_on_writes(api, all_roles, other_organization, role):
    listing = ListingFactory(organization=other_organization)
    user = all_roles[role]
    assert api(user).get(f"{URL}/{listing.id}").status_code == 200
    assert api(user).patch(f"{URL}/{listing.id}", {"title": "Hijacked"}, format="json").status_code == 403
    for action in ("archive", "confirm", "publish"):
        assert api(user).post(f"{URL}/{listing.id}/{action}").status_code == 403
    listing.refresh_from_db()
    assert listing.title != "Hijacked" and listing.status == "published"


def test_anyone_reads_a_public_listing_anonymously(api, published):
    body = api().get(f"{URL}/{published.id}").json()
    expected = {
        "id",
        "organization",
        "title",
        "description",
        "category",
        "cost",
        "cost_unit",
        "area",
        "postcode",
        "schedule",
        "accessibility",
        "contact_email",
        "contact_phone",
        "status",
        "last_reviewed_on",
        "stale",
    }
    assert expected <= set(body)


def test_publishing_needs_every_field_and_names_what_is_missing(api, provider_user, organization):
    listing_id = create(api, provider_user, organization, title="Half done").json()["id"]
    response = api(provider_user).post(f"{URL}/{listing_id}/publish")
    assert response.status_code == 400
    body = response.json()
    for field in ("description", "category", "cost", "cost_unit", "postcode", "contact_email"):
        assert field in body["missing"] and field in body
    assert "title" not in body["missing"]
    assert Listing.objects.get(pk=listing_id).status == "draft"


def test_publish_archive_restore_and_the_refused_transitions(api, provider_user, organization):
    listing_id = create(
        api, provider_user, organization, **{**COMPLETE, "contact_email": "", "contact_phone": "01227 000000"}
    ).json()["id"]
    member = api(provider_user)
    assert member.post(f"{URL}/{listing_id}/archive").status_code == 409  # a draft is not archived
    assert member.post(f"{URL}/{listing_id}/restore").status_code == 409
    published = member.post(f"{URL}/{listing_id}/publish/")
    assert published.status_code == 200 and published.json()["status"] == "published"
    again = member.post(f"{URL}/{listing_id}/publish")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    assert member.post(f"{URL}/{listing_id}/archive").json()["status"] == "archived"
    assert member.post(f"{URL}/{listing_id}/archive").status_code == 409
    assert member.post(f"{URL}/{listing_id}/confirm").status_code == 409
    assert member.post(f"{URL}/{listing_id}/restore").json()["status"] == "draft"
    actions = list(events_of("listing", listing_id).values_list("action", "from_state", "to_state"))
    assert ("published", "draft", "published") in actions and ("restored", "archived", "draft") in actions


def test_a_refused_transition_says_why_in_plain_english(api, provider_user, organization):
    listing_id = create(api, provider_user, organization, **COMPLETE).json()["id"]
    member = api(provider_user)
    archive = member.post(f"{URL}/{listing_id}/archive").json()
    restore = member.post(f"{URL}/{listing_id}/restore").json()
    assert archive["detail"] == "Only a published listing can be archived; this listing is draft."
    assert restore["detail"] == "Only an archived listing can be restored; this listing is draft."


def test_confirm_marks_the_listing_checked_today_and_resolves_reports(api, provider_user, organization, client_user):
    listing = ListingFactory(organization=organization, last_reviewed_on=days_ago(400))
    assert api().get(f"{URL}/{listing.id}").json()["stale"] is True
    api(client_user).post(f"{URL}/{listing.id}/report-stale", {"note": "Phone number is wrong"}, format="json")
    response = api(provider_user).post(f"{URL}/{listing.id}/confirm")
    assert response.status_code == 200
    assert response.json()["last_reviewed_on"] == timezone.localdate().isoformat()
    assert response.json()["stale"] is False
    assert not StaleReport.objects.filter(resolved_at__isnull=True).exists()


def test_publishing_in_an_unverified_organisation_is_allowed_but_not_public(api, provider_user, admin_user):
    organization = OrganizationFactory(verified_at=None, members=[provider_user])
    listing_id = create(api, provider_user, organization, **COMPLETE).json()["id"]
    assert api(provider_user).post(f"{URL}/{listing_id}/publish").status_code == 200
    assert api().get(f"{URL}/{listing_id}").status_code == 404
    assert api().get(URL).json()["count"] == 0
    api(admin_user).post(f"/api/v1/organizations/{organization.id}/verify")
    assert api().get(f"{URL}/{listing_id}").status_code == 200
    assert api().get(URL).json()["count"] == 1


def test_html_is_kept_as_text(api, provider_user, organization):
    body = create(api, provider_user, organization, **{**COMPLETE, "description": "<script>alert(1)</script>"}).json()
    assert body["description"] == "<script>alert(1)</script>"


def test_reports_need_a_sign_in_and_reach_the_provider_and_admins(
    api, client_user, provider_user, other_provider, admin_user, published
):
    assert api().post(f"{URL}/{published.id}/report-stale", {}, format="json").status_code == 401
    response = api(client_user).post(f"{URL}/{published.id}/report-stale", {"note": "Closed now"}, format="json")
    assert response.status_code == 201 and response.json()["note"] == "Closed now"
    assert api(provider_user).get("/api/v1/stale-reports").json()["count"] == 1
    assert api(admin_user).get("/api/v1/stale-reports").json()["count"] == 1
    assert api(other_provider).get("/api/v1/stale-reports").json()["count"] == 0
    assert api(client_user).get("/api/v1/stale-reports").json()["count"] == 0
