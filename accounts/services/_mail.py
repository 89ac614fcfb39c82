"""The emails accounts sends: plain English, what Waymark is, a link built from SITE_URL, and the crisis lines."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage

from accounts.services.users import CRISIS_LINES, email_send


def site_link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def send(*, to: str, subject: str, text: str) -> None:
    body = f"Hello,\n\n{text}\n\n{CRISIS_LINES}\n\nWaymark"
    email_send(message=EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]))
