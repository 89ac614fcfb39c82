"""Every broker account gets its profile at once, however it was made (sign-up, admin, commands, demo data)."""

from typing import Any

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="brokers.profile_for_broker")
def profile_for_broker(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    from brokers.services import broker_profile_ensure

    broker_profile_ensure(user=instance)
