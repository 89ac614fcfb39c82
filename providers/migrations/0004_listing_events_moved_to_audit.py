"""Listing events move to the one audit trail (`audit.Event`, record type `listing`); the stored freshness date,
the feed's stored service_at_location ids and the dictionary of search words are filled for existing listings."""

import uuid

from django.db import migrations

NAMESPACE = uuid.UUID("6f1c35a2-0d5e-4d0c-9a55-7f0e8d7d2b11")  # as providers.models.ORUK_NAMESPACE, never changing
ACTIONS = {"create": "created", "update": "updated", "publish": "published", "archive": "archived",
           "restore": "restored", "confirm": "confirmed"}


def copy_events(apps, schema_editor):
    ListingEvent = apps.get_model("providers", "ListingEvent")
    Event = apps.get_model("audit", "Event")
    moved = set(
        Event.objects.filter(record_type="listing", data__moved_from="providers.ListingEvent").values_list(
            "data__id", flat=True
        )
    )
    Event.objects.bulk_create(
        [
            Event(
                at=old.at,
                by_id=old.actor_id,
                via="system",
                action=ACTIONS.get(old.action, old.action),
                record_type="listing",
                record_id=old.listing_id,
                from_state=old.from_status,
                to_state=old.to_status,
                data={"moved_from": "providers.ListingEvent", "id": old.pk},
            )
            for old in ListingEvent.objects.order_by("at", "id").iterator()
            if old.pk not in moved
        ],
        batch_size=1000,
    )


def fill_listings(apps, schema_editor):
    Listing = apps.get_model("providers", "Listing")
    for listing in Listing.objects.filter(service_at_location_uuid__isnull=True).only("pk", "uuid").iterator():
        derived = uuid.uuid5(NAMESPACE, f"{listing.uuid}:service_at_location")
        Listing.objects.filter(pk=listing.pk).update(service_at_location_uuid=derived)
    schema_editor.execute("UPDATE providers_listing SET fresh_from = fresh_from")  # the trigger computes it
    schema_editor.execute(
        """INSERT INTO providers_searchword (word)
        SELECT word FROM ts_stat($$SELECT to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(description, ''))
            FROM providers_listing WHERE status = 'published'$$)
        WHERE length(word) <= 100 ON CONFLICT DO NOTHING"""
    )


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
        ("providers", "0003_history_words_freshness"),
    ]

    operations = [
        # The audit trail is append-only: going back leaves the copied events where they are.
        migrations.RunPython(copy_events, migrations.RunPython.noop),
        migrations.RunPython(fill_listings, migrations.RunPython.noop),
        migrations.DeleteModel(
            name="ListingEvent",
        ),
    ]
