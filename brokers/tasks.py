from celery import shared_task
from django.db import OperationalError


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def message_nudge(engagement_id: int, recipient_id: int) -> bool:
    """Tell the recipient by email that a message is waiting (throttled: running it twice sends nothing more)."""
    from brokers.services import message_nudge_send

    return message_nudge_send(engagement_id=engagement_id, recipient_id=recipient_id)
