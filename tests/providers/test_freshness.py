import datetime
import time

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from providers.models import Listing
from providers.postcodes import area_for_postcode, likeliest_area, outward_code, postcode_normalise
from providers.selectors import listing_is_stale
from providers.services import freshness_reminders_send, listing_confirm
from providers.tasks import send_freshness_reminders
from tests.providers.factories import ListingFactory, days_ago

pytestmark = pytest.mark.django_db


def test_stale_after_180_days_from_confirmation_or_first_publication():
    today = timezone.localdate()
    assert not listing_is_stale(Listing(last_reviewed_on=today - datetime.timedelta(days=179)), today)
    assert listing_is_stale(Listing(last_reviewed_on=today - datetime.timedelta(days=180)), today)
    published_long_ago = timezone.now() - datetime.timedelta(days=181)
    assert listing_is_stale(Listing(published_at=published_long_ago), today)
    assert not listing_is_stale(Listing(), today)  # a draft never published


def test_reminders_go_once_per_period_to_the_members(
    provider_user, organization, eager_celery, django_capture_on_commit_callbacks
):
    due = ListingFactory(organization=organization, title="Due", last_reviewed_on=days_ago(150))
    ListingFactory(organization=organization, title="Not yet", last_reviewed_on=days_ago(149))
    ListingFactory(organization=organization, title="A draft", status="draft", last_reviewed_on=days_ago(300))
    with django_capture_on_commit_callbacks(execute=True):
        assert freshness_reminders_send() == 1
    assert [message.to for message in mail.outbox] == [[provider_user.email]]
    assert "Due" in mail.outbox[0].subject and f"/provider/listings/{due.id}/" in mail.outbox[0].body
    assert freshness_reminders_send() == 0  # the same period: nothing more
    listing_confirm(listing=due, by=provider_user)
    later = timezone.localdate() + datetime.timedelta(days=150)
    assert freshness_reminders_send(today=later) == 2  # "Not yet" is due now, and "Due" again after confirming
    due.refresh_from_db()
    assert due.reminder_sent_for == timezone.localdate()


def test_the_beat_schedule_runs_the_reminders():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "providers.tasks.send_freshness_reminders" in tasks


@pytest.mark.worker
def test_the_reminder_task_on_a_real_worker_emails_the_provider(celery_worker_real, provider_user, organization):
    ListingFactory(organization=organization, title="Old walk", last_reviewed_on=days_ago(160))
    send_freshness_reminders.delay()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any("Old walk" in message.subject for message in mail.outbox):
        time.sleep(0.1)
    assert any(message.to == [provider_user.email] and "Old walk" in message.subject for message in mail.outbox)
    assert Listing.objects.get(title="Old walk").reminder_sent_for == days_ago(160)


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("ct12ab", "CT1 2AB"),
        (" me4 4aa ", "ME4 4AA"),
        ("TN23 1AA", "TN23 1AA"),
        ("SW1A 1AA", "SW1A 1AA"),
        ("CT1", None),
        ("12345", None),
        ("CT1 2A", None),
        ("", None),
    ],
)
def test_postcodes_are_checked_for_format_never_guessed(raw, normalised):
    assert postcode_normalise(raw) == normalised


def test_areas_come_from_unambiguous_districts_only():
    assert area_for_postcode("CT1 2AB") == "canterbury"
    assert area_for_postcode("ME4 4AA") == "medway"
    assert area_for_postcode("CT9 1AA") == "thanet"
    assert area_for_postcode("TN23 1AA") == "ashford"
    assert area_for_postcode("DA11 0AA") == "gravesham"
    assert area_for_postcode("CT3 1AA") is None and likeliest_area("CT3 1AA") == "canterbury"
    assert area_for_postcode("DA1 4AA") is None  # Crayford is in Bexley
    assert area_for_postcode("DA7 4AA") is None and likeliest_area("DA7 4AA") is None  # London
    assert area_for_postcode("TN6 1AA") is None  # East Sussex
    assert area_for_postcode("SW1A 1AA") is None
    assert outward_code("me4") == "ME4" and outward_code("ME4 4AA") == "ME4" and outward_code("4AA") is None
