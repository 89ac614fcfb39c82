"""The old event tables of the charter and of engagements are copied into the one audit trail, row for row."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("charter", "0002_seed_current_charter"), ("brokers", "0002_messages_feedback_events")]


def latest(executor: MigrationExecutor) -> list[tuple[str, str]]:
    executor.loader.build_graph()
    return executor.loader.graph.leaf_nodes()


@pytest.fixture
def at_old_migrations(transactional_db):
    """The database as it was before the one audit trail; brought back to the latest state whatever happens."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        yield executor.loader.project_state(BEFORE).apps
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest(executor))


def test_old_charter_and_engagement_events_become_audit_events(at_old_migrations):
    old = at_old_migrations
    User = old.get_model("accounts", "User")
    broker = User.objects.create(email="b@example.org", role="broker", name="B")
    client = User.objects.create(email="c@example.org", role="client", name="C")
    admin = User.objects.create(email="a@example.org", role="admin", is_staff=True)
    charter, _ = old.get_model("charter", "CharterVersion").objects.get_or_create(
        version=1, defaults={"title": "Charter", "published_on": datetime.date(2025, 1, 6)}
    )
    signature = old.get_model("charter", "Signature").objects.create(broker=broker, charter=charter, status="verified")
    concern = old.get_model("charter", "Concern").objects.create(broker=broker, raised_by=client, text="x")
    CharterEvent = old.get_model("charter", "CharterEvent")
    CharterEvent.objects.create(
        kind="signed", actor=broker, broker=broker, charter=charter, signature=signature, to_status="pending"
    )
    CharterEvent.objects.create(
        kind="verified", actor=admin, broker=broker, signature=signature, from_status="pending", to_status="verified"
    )
    CharterEvent.objects.create(kind="concern_raised", actor=client, broker=broker, concern=concern, to_status="open")
    engagement = old.get_model("brokers", "Engagement").objects.create(client=client, broker=broker, status="ended")
    EngagementEvent = old.get_model("brokers", "EngagementEvent")
    for by, source, target in ((client, "", "requested"), (broker, "requested", "active"), (client, "active", "ended")):
        EngagementEvent.objects.create(engagement=engagement, actor=by, from_status=source, to_status=target)

    executor = MigrationExecutor(connection)
    executor.migrate(latest(executor))

    from audit.models import Event

    rows = list(
        Event.objects.order_by("at", "id").values_list(
            "record_type", "record_id", "action", "by_id", "person_id", "from_state", "to_state"
        )
    )
    assert rows == [
        ("signature", signature.pk, "signed", broker.pk, broker.pk, "", "pending"),
        ("signature", signature.pk, "verified", admin.pk, broker.pk, "pending", "verified"),
        ("concern", concern.pk, "concern_raised", client.pk, broker.pk, "", "open"),
        ("engagement", engagement.pk, "requested", client.pk, client.pk, "", "requested"),
        ("engagement", engagement.pk, "accepted", broker.pk, client.pk, "requested", "active"),
        ("engagement", engagement.pk, "ended", client.pk, client.pk, "active", "ended"),
    ]
    assert Event.objects.filter(record_type="signature").first().data["charter_version"] == 1
    assert Event.objects.filter(record_type="engagement").first().data["broker"] == broker.pk
    assert all(event.at < datetime.datetime.now(datetime.UTC) for event in Event.objects.all())
