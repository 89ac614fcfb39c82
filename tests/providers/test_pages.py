import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils.html import escape

from providers.models import Listing, Organization
from tests.providers.factories import ListingFactory, OrganizationFactory, days_ago

pytestmark = pytest.mark.django_db


def test_search_page_filters_live_in_the_url_and_show_facets(client):
    ListingFactory(title="Gentle yoga", category="yoga", area="thanet", postcode="CT9 1AA")
    ListingFactory(title="Chatham gym", category="gym", area="medway", postcode="ME4 4AA")
    ListingFactory(title="Secret draft", status="draft")
    page = client.get("/listings/").content.decode()
    assert "Gentle yoga" in page and "Chatham gym" in page and "Secret draft" not in page
    assert 'href="?category=yoga"' in page
    filtered = client.get("/listings/?q=yogga&area=thanet").content.decode()
    assert "Gentle yoga" in filtered and "Chatham gym" not in filtered
    assert 'value="yogga"' in filtered  # the form keeps what was asked
    empty = client.get("/listings/?q=zzzzqqq").content.decode()
    assert "No activities match your search" in empty


def test_search_page_paginates(client):
    ListingFactory.create_batch(25)
    first = client.get("/listings/").content.decode()
    assert "Page 2 of 2" in first
    assert client.get("/listings/?page=2").status_code == 200


def test_listing_page_shows_html_as_text_and_flags_stale(client):
    listing = ListingFactory(description="<b>bold</b> <script>alert(1)</script>", last_reviewed_on=days_ago(300))
    page = client.get(f"/listings/{listing.id}/").content.decode()
    assert "&lt;script&gt;" in page and "<script>alert(1)" not in page
    assert "This may be out of date" in page


def test_a_draft_page_is_404_to_others(client, draft, other_provider):
    assert client.get(f"/listings/{draft.id}/").status_code == 404
    client.force_login(other_provider)
    assert client.get(f"/listings/{draft.id}/").status_code == 404
    assert client.get(f"/provider/listings/{draft.id}/").status_code == 404


def test_signed_in_people_report_a_listing_as_out_of_date(client, client_user, published):
    page = client.get(f"/listings/{published.id}/").content.decode()
    assert "Report that this looks out of date" not in page  # anonymous: sign in first
    client.force_login(client_user)
    response = client.post(f"/listings/{published.id}/report/", {"note": "It moved"}, follow=True)
    assert "Thank you" in response.content.decode()
    assert published.stale_reports.get().note == "It moved"


def test_a_provider_creates_an_organisation_and_a_listing_and_publishes_it(client, provider_user):
    client.force_login(provider_user)
    response = client.post("/provider/organisations/new/", {"name": "Deal Art Club", "charity_number": "1112223"})
    organization = Organization.objects.get(name="Deal Art Club")
    assert response.url == f"/provider/organisations/{organization.id}/"
    response = client.post(f"/provider/organisations/{organization.id}/listings/new/", {"title": "Sketching"})
    listing = Listing.objects.get(title="Sketching")
    editor = client.get(response.url).content.decode()
    assert "Before you can publish" in editor and "Enter the postcode" in editor
    refused = client.post(f"/provider/listings/{listing.id}/publish/", follow=True).content.decode()
    assert "Add these before publishing" in refused and "what the cost is for" in refused
    fields = {
        "title": "Sketching",
        "description": "Draw",
        "category": "art_class",
        "cost": "0.00",
        "cost_unit": "session",
        "postcode": "CT14 6AA",
        "contact_phone": "01304 000000",
    }
    client.post(f"/provider/listings/{listing.id}/", fields)
    listing.refresh_from_db()
    assert listing.area == "dover" and listing.cost == 0
    client.post(f"/provider/listings/{listing.id}/publish/")
    listing.refresh_from_db()
    assert listing.status == "published"
    assert "Sketching" not in client.get("/listings/").content.decode()  # not verified yet


def test_the_editor_asks_for_the_area_when_the_district_is_shared(client, provider_user, draft):
    client.force_login(provider_user)
    page = client.post(
        f"/provider/listings/{draft.id}/", {"title": draft.title, "postcode": "CT3 1AA", "area": draft.area}
    ).content.decode()
    assert "covers more than one area" in page
    assert "nhsuk-error-summary" in page


def test_admins_verify_organisations_from_their_page(client, admin_user, provider_user):
    organization = OrganizationFactory(verified_at=None, name="Waiting Org")
    client.force_login(provider_user)
    assert client.get("/provider/verify/").status_code == 403  # signed in, not staff: refused
    client.force_login(admin_user)
    page = client.get("/provider/verify/").content.decode()
    assert "Waiting Org" in page and "No members yet" in page  # never a blank value
    client.post(f"/provider/verify/{organization.id}/")
    organization.refresh_from_db()
    assert organization.verified_by == admin_user


def test_the_dashboard_panel_flags_stale_listings_and_drafts(provider_user, organization):
    ListingFactory(organization=organization, title="Old walk", last_reviewed_on=days_ago(200))
    ListingFactory(organization=organization, title="Half-done class", status="draft")
    request = RequestFactory().get("/dashboard/")
    request.user = provider_user
    html = Template("{% load providers_tags %}{% provider_dashboard %}").render(Context({"request": request}))
    assert "Check “Old walk”" in html and "Finish and publish “Half-done class”" in html
    assert escape(organization.name) in html


def test_a_listing_without_a_title_says_what_to_enter_at_the_top_of_the_page(client, provider_user, organization):
    client.force_login(provider_user)
    page = client.post(f"/provider/organisations/{organization.pk}/listings/new/", {"title": ""}).content.decode()
    assert "This field is required" not in page and "Enter a title" in page
    assert "<title>Error: Add a listing" in page
    assert page.index("nhsuk-error-summary") < page.index("<h1")
