"""Care across the site (issue 17): crisis lines and phone numbers tap to call, labels say what a field is needed
for, and each dashboard says one "What to do next", fitted to the person (a carer is not told to find a broker)."""

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Relationship, Representative, RepresentativeStatus
from tests.factories import UserFactory
from tests.providers.factories import ListingFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def page_for(user, path: str) -> str:
    browser = Client()
    if user is not None:
        browser.force_login(user)
    response = browser.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def test_the_crisis_bar_on_every_page_calls_111_and_999_with_a_tap():
    for user, path in ((None, "/"), (UserFactory(role="client"), "/dashboard/")):
        bar = page_for(user, path).split('class="waymark-crisis-bar"', 1)[1].split("</aside>", 1)[0]
        assert '<a href="tel:111">111</a>' in bar and '<a href="tel:999">999</a>' in bar


def test_the_clients_help_card_and_the_crisis_page_link_every_number():
    dashboard = page_for(UserFactory(role="client"), "/dashboard/")
    assert '<a href="tel:116123">116 123</a>' in dashboard.split("If you need to talk to someone", 1)[1]
    crisis = page_for(None, "/help-now/")
    for number in ("999", "111", "116123"):
        assert f'href="tel:{number}"' in crisis


def test_server_error_pages_link_999_too(client):
    from django.template.loader import render_to_string

    for template in ("500.html", "503.html", "403_csrf.html"):
        html = render_to_string(template)
        assert '<a href="tel:999">999</a>' in html and '<a href="tel:111">111</a>' in html, template


def test_an_organisations_phone_taps_to_call_for_its_members_and_the_admin_who_verifies_it(admin_user):
    provider = UserFactory(role="provider")
    organization = OrganizationFactory(members=[provider], phone="01227 555 0199", verified_at=None)
    detail = page_for(provider, f"/provider/organisations/{organization.pk}/")
    assert '<a href="tel:012275550199">01227 555 0199</a>' in detail
    queue = page_for(admin_user, "/provider/verify/")
    assert '<a href="tel:012275550199">01227 555 0199</a>' in queue


def test_broker_profile_fields_needed_to_be_listed_say_so_instead_of_optional(charter):
    html = page_for(UserFactory(role="broker"), "/brokers/me/")
    for label in ("Name shown to people", "About you", "Hourly rate, in pounds"):
        assert f"{label} (needed to be listed)</label>" in html and f"{label} (optional)" not in html
    assert "Areas you work in (needed to be listed)</legend>" in html
    assert "Specialisms</legend>" in html  # really optional, and a legend never said "(optional)"


def test_a_broker_dashboard_says_what_to_do_next_once_naming_the_task_list_step(charter):
    html = page_for(UserFactory(role="broker"), "/dashboard/")
    assert html.count(">What to do next</h2>") == 1
    steps = html.split('data-testid="next-steps"', 1)[1]
    assert "Complete your profile" in steps and "Getting listed in the directory" in html
    # Nobody to plan with and not listed: no activities to find yet, and no links to "0 unread messages"
    assert "Find activities for people" not in steps and "No requests or clients yet" in html
    assert ">0 unread messages" not in html and ">0 requests" not in html


def test_a_provider_with_one_draft_is_sent_straight_to_it():
    provider = UserFactory(role="provider")
    organization = OrganizationFactory(members=[provider])
    draft = ListingFactory(organization=organization, status="draft", title="Seaside sketching")
    html = page_for(provider, "/dashboard/")
    steps = html.split('data-testid="next-steps"', 1)[1]
    assert f'href="/provider/listings/{draft.pk}/"' in steps and "Seaside sketching" in steps
    assert html.count(">What to do next</h2>") == 1


def test_a_carer_is_sent_to_the_person_they_help_not_told_to_find_a_broker():
    person = UserFactory(role="client", name="Robin Hale")
    carer = UserFactory(role="client", name="Sam Taylor")
    Representative.objects.create(
        client=person, person=carer, email=carer.email, name=carer.name, relationship=Relationship.CARER,
        scope=["view", "message"], status=RepresentativeStatus.ACTIVE, invited_by=person, accepted_at=timezone.now(),
    )  # fmt: skip
    html = page_for(carer, "/dashboard/")
    steps = html.split('data-testid="next-steps"', 1)[1].split("</h2>", 1)[0]
    first = steps.split('class="nhsuk-card__link"', 1)[1].split("</a>", 1)[0]
    assert "People you help" in first and "Robin Hale" in steps
    assert "Find a support broker" not in html and "KMPT records your personal budget" not in html
    assert "Your support plan" not in html and 'href="/people-i-help/"' in html


@pytest.fixture
def charter(db):
    from charter.demo import seed

    seed()
