"""What the brokers app does when something it depends on changes elsewhere.

Every broker account gets its profile at once, however it was made (sign-up, admin, commands, demo data), and its
stored listing follows the account (deactivated, role changed) and the charter signature (signed, verified,
suspended), in the same transaction as the change.
"""

from typing import Any

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from charter.signals import signature_changed

ACCOUNT_FIELDS_THAT_LIST = {"role", "is_active", "name"}


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="brokers.profile_for_broker")
def profile_for_broker(sender: Any, instance: Any, raw: bool = False, update_fields: Any = None, **kwargs: Any) -> None:
    if raw or (update_fields is not None and not ACCOUNT_FIELDS_THAT_LIST & set(update_fields)):
        return  # a sign-in (last_login) changes nothing about a listing
    from brokers.services import broker_profile_ensure

    broker_profile_ensure(user=instance)


@receiver(signature_changed, dispatch_uid="brokers.listing_follows_signature")
def listing_follows_signature(sender: Any, broker_id: int, action: str, **kwargs: Any) -> None:
    from brokers.services import broker_listing_refresh, broker_signature_verified_tell

    broker_listing_refresh(broker_ids=[broker_id])
    if action == "verified":
        broker_signature_verified_tell(broker_id=broker_id)


def _directory_changed(sender: Any, **kwargs: Any) -> None:
    """What the public directory shows changed: its short cache (providers.cache, scope `brokers`) is out of date.
    The services' bulk UPDATEs (listing, rating) say so themselves."""
    from providers.cache import directory_changed

    directory_changed()


def _connect_directory() -> None:
    from django.db.models.signals import post_delete

    from brokers.models import BrokerProfile, Interest
    from charter.models import CharterVersion, Signature

    for model in (BrokerProfile, Interest, CharterVersion, Signature):
        post_save.connect(_directory_changed, sender=model, dispatch_uid=f"brokers.directory.saved.{model.__name__}")
        post_delete.connect(_directory_changed, sender=model, dispatch_uid=f"brokers.directory.gone.{model.__name__}")


_connect_directory()
