"""Emails from the charter and brokers apps: plain text, links from `SITE_URL`, the crisis lines in every one.

Never the content of a message or a concern: only that something happened and where to sign in to read it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage

from accounts.models import User
from accounts.services import email_send
from accounts.services.users import CRISIS_LINES


def site_link(path: str) -> str:
    """An address on this site as people reach it (the `SITE_URL` setting), never localhost by accident."""
    return settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")


def email_person(*, to: User, subject: str, paragraphs: list[str], path: str) -> None:
    """Email one person after the surrounding transaction commits."""
    body = "\n\n".join([f"Hello {to.get_short_name()},", *paragraphs, site_link(path), CRISIS_LINES, "Waymark"])
    email_send(message=EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to.email]))
