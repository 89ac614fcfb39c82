"""Copy the charter's own event table into the one audit trail (`audit.Event`) before the old table goes.

Each old row becomes one event with the same time, actor, states and reason: signing, verification and suspension
on the signature (whose person is the broker), raising and resolving on the concern (the broker it is about),
publication on the charter version. `data.copied_from` keeps the old row's id so the copy can be checked.
"""

from django.db import migrations

RECORDS = {
    "version_published": ("charter_version", "published"),
    "signed": ("signature", "signed"),
    "verified": ("signature", "verified"),
    "suspended": ("signature", "suspended"),
    "concern_raised": ("concern", "concern_raised"),
    "concern_resolved": ("concern", "concern_resolved"),
}


def copy_events(apps, schema_editor):
    CharterEvent = apps.get_model("charter", "CharterEvent")
    Event = apps.get_model("audit", "Event")
    events = []
    for old in CharterEvent.objects.select_related("charter", "signature__charter").order_by("at", "id"):
        record_type, action = RECORDS[old.kind]
        record_id = {"charter_version": old.charter_id, "signature": old.signature_id, "concern": old.concern_id}[
            record_type
        ]
        if record_id is None:  # the record itself was deleted long ago: nothing to attach the event to
            continue
        charter = old.charter or (old.signature.charter if old.signature_id else None)
        data = {"copied_from": f"charter_event:{old.pk}"}
        if charter is not None:
            data["charter_version"] = charter.version
        events.append(
            Event(
                at=old.at,
                by_id=old.actor_id,
                action=action,
                record_type=record_type,
                record_id=record_id,
                person_id=old.broker_id,
                from_state=old.from_status,
                to_state=old.to_status,
                reason=old.reason,
                data=data,
                via="system",
            )
        )
    Event.objects.bulk_create(events)


def remove_copies(apps, schema_editor):
    """Going back: the old table still holds every row, so the copies are simply not needed (and append-only)."""


class Migration(migrations.Migration):
    dependencies = [("charter", "0002_seed_current_charter"), ("audit", "0001_initial")]

    operations = [migrations.RunPython(copy_events, remove_copies)]
