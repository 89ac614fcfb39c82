from __future__ import annotations

from allauth.account.models import EmailAddress
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from accounts.models import OutgoingEmail, Role, User

CRISIS_LINES = (
    "If you need help urgently, call NHS 111 and choose option 2 for mental health. In an emergency call 999. "
    "Samaritans are there day and night on 116 123."
)


def email_send(*, message: EmailMessage) -> None:
    """Send an email: kept in the outbox in this transaction, published to Celery once it commits (and re-sent by
    beat if the broker lost it), so an email is never lost to an outage. Every email carries the crisis lines."""
    body = str(message.body)
    if "116 123" not in body:
        body = f"{body.rstrip()}\n\n{CRISIS_LINES}\n"
    html = None
    if isinstance(message, EmailMultiAlternatives):
        html = next((content for content, mimetype in message.alternatives if mimetype == "text/html"), None)
    outgoing = OutgoingEmail.objects.create(
        subject=str(message.subject)[:300], body=body, html=str(html or ""),
        from_email=message.from_email or "",
        to=list(message.to), queued_at=timezone.now(),
    )  # fmt: skip
    transaction.on_commit(lambda: _publish(outgoing), robust=True)


def _publish(outgoing: OutgoingEmail) -> None:
    from accounts.tasks import send_email

    send_email.delay(
        subject=outgoing.subject, body=outgoing.body, from_email=outgoing.from_email, to=outgoing.to,
        html=outgoing.html or None, outbox_id=outgoing.pk,
    )  # fmt: skip


def emails_resend() -> int:
    """Beat: publish again what is still unsent after a while, each one waiting twice as long as before; answers how
    many it re-sent."""
    from django.conf import settings

    now = timezone.now()
    threshold = settings.STALE_SUBMISSION_AFTER
    resent = 0
    for outgoing in OutgoingEmail.objects.filter(sent_at__isnull=True, queued_at__lt=now - threshold)[:500]:
        if outgoing.queued_at >= now - threshold * (2 ** min(outgoing.resends, 10)):
            continue
        claimed = OutgoingEmail.objects.filter(pk=outgoing.pk, queued_at=outgoing.queued_at, sent_at__isnull=True)
        if claimed.update(queued_at=now, resends=outgoing.resends + 1):
            _publish(outgoing)
            resent += 1
    return resent


@transaction.atomic
def user_create(
    *, email: str, password: str | None, role: str = Role.CLIENT, name: str = "", verified: bool = True, **extra: object
) -> User:
    """Create a person with a verified primary email address (admins, commands, demo data)."""
    user = User.objects.create_user(email=email, password=password, role=role, name=name, **extra)
    if password is None:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=verified)
    return user


def reviewer_create(*, email: str, name: str = "", password: str | None = None) -> User:
    """Add a KMPT reviewer: never self-service, only admins and `manage.py createreviewer`."""
    return user_create(email=email, password=password, role=Role.REVIEWER, name=name)
