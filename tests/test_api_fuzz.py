"""Property-based API test: schemathesis sends generated requests to every documented operation, signed in as each
kind of person; whatever it sends, the API must never answer with a server error."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)


@pytest.fixture
def session_tokens(db, api):
    """One signed-in session per role, and anonymous."""
    from tests.factories import PASSWORD, UserFactory

    tokens: dict[str, str | None] = {"anonymous": None}
    for role in ("client", "broker", "provider", "reviewer", "admin"):
        user = UserFactory(role=role, is_staff=role == "admin")
        response = api().post("/_allauth/app/v1/auth/login", {"email": user.email, "password": PASSWORD}, format="json")
        tokens[role] = response.json()["meta"]["session_token"]
    # Requests go straight to the WSGI app: keep it from closing the test's connection, as Django's test client does.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield tokens
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@pytest.mark.django_db
def test_no_request_makes_the_api_fail(case, session_tokens):
    for role, token in session_tokens.items():
        response = case.call(headers={"X-Session-Token": token} if token else {})
        assert response.status_code < 500, f"{role}: {case.method} {case.formatted_path} -> {response.status_code}"
        case.validate_response(response, checks=[not_a_server_error])
