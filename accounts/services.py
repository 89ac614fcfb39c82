from __future__ import annotations

from allauth.account.models import EmailAddress
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction

from accounts.models import Role, User


def email_send(*, message: EmailMessage) -> None:
    """Send an email through Celery once the surrounding transaction commits."""
    from accounts.tasks import send_email

    html = None
    if isinstance(message, EmailMultiAlternatives):
        html = next((content for content, mimetype in message.alternatives if mimetype == "text/html"), None)
    payload: dict = {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "html": html,
    }
    transaction.on_commit(lambda: send_email.delay(**payload), robust=True)


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
