from typing import Any
from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest

from accounts.models import Role
from accounts.services import email_send


def on_site(text: str, host: str) -> str:
    """An absolute link to `host` (the address the request came in on) moved onto SITE_URL; other text is left."""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or parts.netloc != host or " " in text:
        return text
    return settings.SITE_URL.rstrip("/") + urlunsplit(("", "", parts.path, parts.query, parts.fragment))


class AccountAdapter(DefaultAccountAdapter):
    # The failed-login limit stays, but never locks the real person out: they can sign in with a code by email or
    # reset the password (someone else guessing cannot receive either).
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": (
            "Too many failed attempts to log in with a password. To keep the account safe, password log-in is paused "
            "for a few minutes. You can still get a sign-in code by email, or reset your password."
        ),
    }

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        data = getattr(form, "cleaned_data", {})
        user.role = data.get("role") or Role.CLIENT
        user.name = data.get("name") or ""
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Render now, send through Celery after commit, so a slow mail server never slows a page. Links point at
        SITE_URL, the public address, whatever address the request came in on (allauth builds them from the request:
        a proxy's internal name or a typed IP address would otherwise end up in people's inboxes)."""
        request = getattr(self, "request", None)
        if request is not None:
            host = request.get_host()
            context = {key: on_site(value, host) if isinstance(value, str) else value for key, value in context.items()}
        message = self.render_mail(template_prefix, email, context)
        email_send(message=message)
