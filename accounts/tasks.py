from smtplib import SMTPException

from celery import shared_task
from django.core.mail import EmailMultiAlternatives


@shared_task(autoretry_for=(SMTPException, ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def send_email(*, subject: str, body: str, from_email: str, to: list[str], html: str | None = None) -> None:
    """Deliver one rendered email; retried with backoff when the mail server is unreachable."""
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=from_email, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
