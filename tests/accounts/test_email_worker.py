"""Emails leave through Celery: here a real worker delivers the verification email after sign-up."""

import time

import pytest
from django.core import mail


def wait_for(condition, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_sign_up_sends_the_verification_email_through_a_real_worker(celery_worker_real, api):
    mail.outbox.clear()
    response = api().post(
        "/_allauth/app/v1/auth/signup",
        {"email": "worker@example.org", "password": "a-long-passphrase-9"},
        format="json",
    )
    assert response.status_code == 401  # signed up, waiting for the address to be verified
    assert wait_for(lambda: len(mail.outbox) == 1), "the worker did not deliver the email"
    message = mail.outbox[0]
    assert message.to == ["worker@example.org"]
    assert message.subject.startswith("Waymark: ")
    assert "/accounts/confirm-email/" in message.body
