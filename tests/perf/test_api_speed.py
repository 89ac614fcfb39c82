"""Benchmarks (make bench only): how fast the API's front door answers in-process."""

import pytest

pytestmark = [pytest.mark.perf, pytest.mark.django_db]


def test_me_with_a_session_token(benchmark, api, client_user):
    token = (
        api()
        .post(
            "/_allauth/app/v1/auth/login",
            {"email": client_user.email, "password": "correct-horse-battery"},
            format="json",
        )
        .json()["meta"]["session_token"]
    )
    client = api()
    response = benchmark(client.get, "/api/v1/me", HTTP_X_SESSION_TOKEN=token)
    assert response.status_code == 200


def test_healthz(benchmark, client):
    assert benchmark(client.get, "/healthz").status_code == 200
