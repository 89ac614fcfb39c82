from smtplib import SMTPException

from celery import shared_task
from django.core.mail import EmailMultiAlternatives


@shared_task(autoretry_for=(SMTPException, ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def send_email(
    *, subject: str, body: str, from_email: str, to: list[str], html: str | None = None, outbox_id: int | None = None
) -> bool:
    """Deliver one rendered email once (a re-sent copy of one already sent does nothing); retried with backoff when
    the mail server is unreachable."""
    from django.utils import timezone

    from accounts.models import OutgoingEmail

    if outbox_id is not None and OutgoingEmail.objects.filter(pk=outbox_id, sent_at__isnull=False).exists():
        return False
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=from_email, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
    if outbox_id is not None:
        OutgoingEmail.objects.filter(pk=outbox_id).update(sent_at=timezone.now())
    return True


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def resend_emails() -> int:
    """Beat: publish again the emails a lost broker message left unsent."""
    from accounts.services.users import emails_resend

    return emails_resend()


@shared_task(acks_late=True, soft_time_limit=300, time_limit=360)
def build_export(export_id: int) -> bool:
    """Build a large copy of everything held about a person (idempotent: a finished export is left as it is)."""
    from accounts.services import export_finish

    return export_finish(export_id=export_id)


@shared_task(acks_late=True, soft_time_limit=600, time_limit=900)
def apply_retention() -> dict[str, int]:
    """Beat: remove what has been kept as long as its retention period allows (running twice removes nothing more)."""
    from accounts.retention import retention_apply

    return retention_apply()
