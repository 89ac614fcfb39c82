import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible
from tests.factories import UserFactory
from tests.providers.factories import ListingFactory, OrganizationFactory, days_ago


def sign_in(page, live_server, user) -> None:
    """A session for `user` in the browser (the login form itself is tested with accounts)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.clear_cookies()
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


@pytest.fixture
def listings(transactional_db):
    organization = OrganizationFactory(name="Thanet Arts Hub")
    ListingFactory(organization=organization, title="Gentle yoga", category="yoga", area="thanet", postcode="CT9 1AA")
    ListingFactory(organization=organization, title="Open studio", category="art_class", area="thanet")
    ListingFactory(
        organization=organization,
        title="Old walk",
        category="walking_group",
        area="canterbury",
        last_reviewed_on=days_ago(300),
    )


def test_anyone_searches_with_a_misspelling_filters_by_facet_and_the_back_button_keeps_it(live_server, page, listings):
    page.goto(f"{live_server.url}/listings/")
    assert_accessible(page, "listing-search")
    page.get_by_label("What are you looking for?").fill("yogga")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_test_id("result-count")).to_have_text("1 activity found")
    page.get_by_role("link", name="Gentle yoga").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gentle yoga")
    assert_accessible(page, "listing-detail")
    page.go_back()
    expect(page.get_by_label("What are you looking for?")).to_have_value("yogga")
    page.get_by_label("What are you looking for?").fill("")
    page.get_by_role("button", name="Search").click()
    page.get_by_test_id("facet-category").get_by_role("link", name="Walking group").click()
    expect(page).to_have_url(re.compile(r"category=walking_group"))
    expect(page.get_by_text("May be out of date")).to_be_visible()
    assert_accessible(page, "listing-search-filtered")


def test_a_provider_adds_an_organisation_and_a_listing_an_admin_verifies_it_and_people_find_it(
    live_server, page, transactional_db
):
    provider = UserFactory(role="provider", email="maker@example.org")
    admin = UserFactory(role="admin", is_staff=True, is_superuser=True, email="boss@example.org")
    sign_in(page, live_server, provider)
    page.goto(f"{live_server.url}/provider/")
    assert_accessible(page, "provider-home")
    page.get_by_role("link", name="Add an organisation").click()
    page.get_by_label("Organisation name").fill("Deal Art Club")
    page.get_by_label("Registered charity number").fill("1112223")
    page.get_by_role("button", name="Save").click()
    assert_accessible(page, "organisation")
    page.get_by_role("link", name="Add a listing").click()
    page.get_by_label("Title").fill("Seaside sketching")
    page.get_by_role("button", name="Save draft").click()
    # Publish sits above the form: what was typed is saved first, and what is missing is explained beside it.
    page.get_by_label("Description (needed to publish)").fill("Draw the pier with others. Pencils provided.")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Choose a category")).to_be_visible()
    expect(page.get_by_label("Description (needed to publish)")).to_have_value(
        "Draw the pier with others. Pencils provided."
    )
    expect(page.get_by_test_id("preview")).to_contain_text("Draw the pier")  # saved, not only kept in the form
    assert_accessible(page, "listing-editor-errors")
    page.get_by_label("Category").select_option("art_class")
    page.get_by_label("Cost in pounds").fill("0.00")
    page.get_by_label("The cost is").select_option("session")
    page.get_by_label("Postcode where it happens").fill("ct14 6aa")
    page.get_by_label("Contact phone").fill("01304 000000")
    page.get_by_role("button", name="Publish").click()  # no separate save: Publish saves first
    expect(page.get_by_text("Listing published.")).to_be_visible()
    expect(page.get_by_test_id("preview")).to_contain_text("Free")
    assert_accessible(page, "listing-editor-published")

    sign_in(page, live_server, admin)
    page.goto(f"{live_server.url}/provider/verify/")
    assert_accessible(page, "organisations-to-verify")
    page.get_by_role("button", name="Verify Deal Art Club").click()
    expect(page.get_by_text("Deal Art Club is verified")).to_be_visible()

    page.goto(f"{live_server.url}/listings/?q=sketching&area=dover")
    expect(page.get_by_role("link", name="Seaside sketching")).to_be_visible()


def test_provider_pages_fit_a_phone_without_sideways_scrolling(live_server, page, transactional_db):
    provider = UserFactory(role="provider", email="narrow@example.org")
    organization = OrganizationFactory(name="Folkestone and Hythe Community Wellbeing Collective", members=[provider])
    listing = ListingFactory(
        organization=organization,
        title="Chair yoga and gentle stretching for people recovering from illness",
        cost="1250.00",
        cost_unit="once",
        contact_phone="01303 555 0101",
    )
    ListingFactory(organization=organization, title="A draft still being written", status="draft")
    sign_in(page, live_server, provider)
    page.set_viewport_size({"width": 375, "height": 800})
    for path, name in (
        ("/provider/", "provider-home-375"),
        (f"/provider/organisations/{organization.pk}/", "organisation-375"),
        (f"/provider/listings/{listing.pk}/", "listing-editor-375"),
        (f"/listings/{listing.pk}/", "listing-detail-375"),
        ("/listings/", "listing-search-375"),
    ):
        page.goto(live_server.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 375px"
        assert_accessible(page, name)
        if path == f"/listings/{listing.pk}/":
            expect(page.get_by_role("link", name="01303 555 0101")).to_have_attribute("href", "tel:013035550101")
