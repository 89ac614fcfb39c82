"""Browser-test helpers for the charter and brokers journeys."""

from django.conf import settings
from django.test import Client


def signed_in_page(browser, browser_context_args, live_server, user, java_script_enabled=True):
    """A fresh page already signed in as `user` (a session cookie, so tests do not depend on the login page)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(**browser_context_args, java_script_enabled=java_script_enabled)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context.new_page()
