"""Issue 17 for provider pages: Publish saves first, specific error messages, plain money and dates, tap to call."""

import datetime
import re
from decimal import Decimal

import pytest

from providers.models import Listing
from providers.oruk import service_summary
from providers.templatetags.providers_tags import cost_display, tel_href
from tests.providers.factories import ListingFactory

pytestmark = pytest.mark.django_db

COMPLETE = {
    "title": "Seaside sketching",
    "description": "Draw the pier with others.",
    "category": "art_class",
    "cost": "0.00",
    "cost_unit": "session",
    "postcode": "CT14 6AA",
    "contact_phone": "01304 000000",
}


def error_texts(page: str) -> list[str]:
    """What a person reads in the error summary and beside the fields (not the HTML's names)."""
    found = re.findall(r'<li><a href="#[^"]*">([^<]*)</a></li>', page)
    found += re.findall(r'<span class="nhsuk-error-message"[^>]*><span[^>]*>Error:</span> ([^<]*)</span>', page)
    return found


@pytest.fixture
def editor(client, provider_user, draft):
    client.force_login(provider_user)
    return client


def test_publish_above_the_form_saves_what_was_typed_then_publishes(editor, draft):
    response = editor.post(f"/provider/listings/{draft.pk}/", {**COMPLETE, "then": "publish"}, follow=True)
    draft.refresh_from_db()
    assert (draft.status, draft.title, draft.postcode, draft.area) == (
        "published",
        "Seaside sketching",
        "CT14 6AA",
        "dover",
    )
    assert "Listing published." in response.content.decode()


def test_publish_with_something_missing_keeps_the_input_and_says_what_is_missing(editor, draft):
    typed = {"title": "Half done", "description": "Typed before pressing Publish", "then": "publish"}
    response = editor.post(f"/provider/listings/{draft.pk}/", typed)
    page = response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.description == "Typed before pressing Publish"  # saved, not lost
    assert response.status_code == 200 and "<title>Error: " in page
    assert "Typed before pressing Publish" in page
    errors = error_texts(page)
    assert "Choose a category" in errors and "Enter the postcode where the activity happens" in errors
    assert "Enter a contact email address or phone number" in errors


def test_an_invalid_field_is_explained_and_nothing_is_published(editor, draft):
    response = editor.post(f"/provider/listings/{draft.pk}/", {**COMPLETE, "cost": "lots", "then": "publish"})
    errors = error_texts(response.content.decode())
    assert errors and all("required" not in error.lower() for error in errors)
    assert "Enter the cost in pounds, like 12.50, or 0.00 if it is free" in errors
    assert Listing.objects.get(pk=draft.pk).status == "draft"


def test_confirm_and_archive_save_first_too(editor, organization):
    listing = ListingFactory(organization=organization, title="Old title")
    editor.post(f"/provider/listings/{listing.pk}/", {**COMPLETE, "title": "New title", "then": "confirm"})
    listing.refresh_from_db()
    assert listing.title == "New title" and listing.last_reviewed_on == datetime.date.today()
    editor.post(f"/provider/listings/{listing.pk}/", {**COMPLETE, "title": "Newer title", "then": "archive"})
    listing.refresh_from_db()
    assert (listing.title, listing.status) == ("Newer title", "archived")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "Enter a title, like “Gentle yoga for beginners”"),
        ("title", "x" * 201, "The title must be 200 characters or fewer"),
        ("cost", "-1", "The cost must be 0.00 or more (0.00 if it is free)"),
        ("cost", "10000.01", "The cost must be £10,000.00 or less"),
        ("cost", "1.234", "Enter the cost in pounds and pence, like 12.50"),
        ("cost_unit", "fortnight", "Choose what the cost is for, such as per session or once"),
        ("category", "casino", "Choose a category from the list"),
        ("contact_email", "not-an-email", "Enter an email address in the correct format, like name@example.org"),
        ("postcode", "CT1", "Enter a full UK postcode, like CT1 2AB"),
        ("title", "Two\nlines", "The title must be on one line, without special characters"),
    ],
)
def test_every_field_has_its_own_message(editor, draft, field, value, message):
    page = editor.post(f"/provider/listings/{draft.pk}/", {**COMPLETE, field: value}).content.decode()
    errors = error_texts(page)
    assert message in errors
    assert not any("cost_unit" in error or "This field" in error or "Select a valid" in error for error in errors)


def test_publishing_from_a_bare_button_names_fields_in_plain_words(editor, draft):
    Listing.objects.filter(pk=draft.pk).update(cost=None, cost_unit="")
    page = editor.post(f"/provider/listings/{draft.pk}/publish/", follow=True).content.decode()
    assert "what the cost is for" in page and "cost_unit" not in page.split("<main", 1)[1].split("<form", 1)[0]


def test_fields_needed_to_publish_say_so_instead_of_optional(editor, draft):
    page = editor.get(f"/provider/listings/{draft.pk}/").content.decode()
    for label in ("Description", "Category", "Cost in pounds", "The cost is", "Postcode where it happens"):
        assert f"{label} (needed to publish)" in page and f"{label} (optional)" not in page
    assert "Contact email (email or phone needed to publish)" in page
    assert "When it happens (optional)" in page  # really optional


def test_money_reads_plainly():
    assert cost_display(Listing(cost=Decimal("0.00"), cost_unit="session")) == "Free"
    assert cost_display(Listing(cost=Decimal("45.00"), cost_unit="once")) == "£45.00 once"
    assert cost_display(Listing(cost=Decimal("1250.00"), cost_unit="week")) == "£1,250.00 per week"
    assert cost_display(Listing(cost=None)) == "Cost not given"
    listing = ListingFactory(cost=Decimal("1250.00"), cost_unit="once")
    assert service_summary(listing)["fees"] == "£1,250.00 once"


def test_provider_tables_fit_a_phone_show_long_dates_and_phone_numbers_call(editor, organization):
    listing = ListingFactory(
        organization=organization, last_reviewed_on=datetime.date(2026, 11, 1), contact_phone="01227 555 0101"
    )
    detail = editor.get(f"/provider/organisations/{organization.pk}/").content.decode()
    assert "nhsuk-table-responsive" in detail and "1 November 2026" in detail
    public = editor.get(f"/listings/{listing.pk}/").content.decode()
    assert 'href="tel:012275550101"' in public
    assert tel_href("+44 1227 555 0101") == "+4412275550101"
