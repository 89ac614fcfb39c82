"""Fill what the brokers app now stores instead of computing on every read.

- Reviewers' access: every client who already has a plan sent to KMPT (`first_submitted_at` set) keeps what reviewers
  could read before (their engagements), now as a `ReviewerAccess` row, not a query into the plans app.
- Each profile's listing inputs (newest verified signature, complete profile, active broker account) and rating
  (average and count of feedback), as `brokers.services.broker_listing_refresh` and `feedback_give` keep them.
"""

from decimal import Decimal

from django.db import migrations
from django.db.models import Avg, Case, Count, Exists, OuterRef, Q, Subquery, Value, When


def grant_reviewer_access(apps, schema_editor):
    Plan = apps.get_model("plans", "Plan")
    ReviewerAccess = apps.get_model("brokers", "ReviewerAccess")
    first = {}
    for client_id, submitted_at in Plan.objects.filter(first_submitted_at__isnull=False).values_list(
        "client_id", "first_submitted_at"
    ):
        first[client_id] = min(submitted_at, first.get(client_id, submitted_at))
    ReviewerAccess.objects.bulk_create(
        [ReviewerAccess(client_id=client_id, granted_at=at) for client_id, at in first.items()], ignore_conflicts=True
    )


def fill_listing(apps, schema_editor):
    BrokerProfile = apps.get_model("brokers", "BrokerProfile")
    Signature = apps.get_model("charter", "Signature")
    User = apps.get_model("accounts", "User")
    verified = Signature.objects.filter(broker_id=OuterRef("user_id"), status="verified").order_by("-charter__version")
    complete = ~Q(display_name="") & ~Q(bio="") & Q(hourly_rate__isnull=False) & Q(areas__len__gt=0)
    active_broker = User.objects.filter(pk=OuterRef("user_id"), is_active=True, role="broker")
    BrokerProfile.objects.update(
        verified_charter=Subquery(verified.values("charter_id")[:1]),
        charter_verified_at=Subquery(verified.values("verified_at")[:1]),
        listed=Case(When(complete & Exists(active_broker) & Exists(verified), then=Value(True)), default=Value(False)),
    )


def fill_rating(apps, schema_editor):
    BrokerProfile = apps.get_model("brokers", "BrokerProfile")
    Feedback = apps.get_model("brokers", "Feedback")
    totals = Feedback.objects.values("engagement__broker_id").annotate(average=Avg("rating"), count=Count("id"))
    for row in totals:
        BrokerProfile.objects.filter(pk=row["engagement__broker_id"]).update(
            rating_average=Decimal(row["average"]).quantize(Decimal("0.01")), rating_count=row["count"]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("brokers", "0004_engagement_history_reviewer_access_stored_directory"),
        ("plans", "0001_initial"),
        ("charter", "0004_signature_history_and_one_audit_trail"),
    ]

    operations = [
        migrations.RunPython(grant_reviewer_access, migrations.RunPython.noop),
        migrations.RunPython(fill_listing, migrations.RunPython.noop),
        migrations.RunPython(fill_rating, migrations.RunPython.noop),
    ]
