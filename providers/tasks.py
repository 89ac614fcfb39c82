from celery import shared_task
from django.db import OperationalError

from providers import services


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def send_freshness_reminders() -> int:
    """Daily: remind providers, once per period, about listings nobody has confirmed for 150 days."""
    return services.freshness_reminders_send()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def rebuild_search_words() -> int:
    """Nightly: recompute the dictionary misspelt searches are corrected against (drops words no listing uses)."""
    return services.search_words_rebuild()
