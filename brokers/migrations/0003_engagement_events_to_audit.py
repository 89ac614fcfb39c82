"""Copy the engagements' own event table into the one audit trail (`audit.Event`) before the old table goes.

Each state change becomes one event on the engagement (whose person is the client) with the same time, actor,
states and reason, named by what happened: requested, accepted, declined, withdrawn, ended.
"""

from django.db import migrations

ACTIONS = {
    "requested": "requested",
    "active": "accepted",
    "declined": "declined",
    "withdrawn": "withdrawn",
    "ended": "ended",
}


def copy_events(apps, schema_editor):
    EngagementEvent = apps.get_model("brokers", "EngagementEvent")
    Event = apps.get_model("audit", "Event")
    events = [
        Event(
            at=old.at,
            by_id=old.actor_id,
            action=ACTIONS.get(old.to_status, old.to_status),
            record_type="engagement",
            record_id=old.engagement_id,
            person_id=old.engagement.client_id,
            from_state=old.from_status,
            to_state=old.to_status,
            reason=old.reason,
            data={"broker": old.engagement.broker_id, "copied_from": f"engagement_event:{old.pk}"},
            via="system",
        )
        for old in EngagementEvent.objects.select_related("engagement").order_by("at", "id")
    ]
    Event.objects.bulk_create(events, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("brokers", "0002_messages_feedback_events"), ("audit", "0001_initial")]

    operations = [migrations.RunPython(copy_events, migrations.RunPython.noop)]
