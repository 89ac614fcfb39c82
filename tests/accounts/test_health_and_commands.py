import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from accounts.demo import DEMO_PEOPLE
from accounts.models import Role, User

pytestmark = pytest.mark.django_db


def test_healthz_reports_each_dependency(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "broker": "ok"}


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:6399/0")
def test_healthz_names_the_broker_when_it_is_down(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "ok", "broker": "down"}


@override_settings(
    CACHES={
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6399/0"}
    }
)
def test_healthz_names_the_cache_when_it_is_down(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "down"


@override_settings(CELERY_TASK_ALWAYS_EAGER=True)
def test_healthz_reports_eager_tasks_as_healthy(client):
    assert client.get("/healthz").json()["broker"] == "eager"


def test_createreviewer_adds_a_verified_reviewer():
    call_command("createreviewer", "kmpt@example.org", "--name", "Kim Reviewer", "--password", "a-long-passphrase-9")
    user = User.objects.get(email="kmpt@example.org")
    assert user.role == Role.REVIEWER
    assert user.check_password("a-long-passphrase-9")
    assert user.emailaddress_set.get().verified


def test_createreviewer_without_password_needs_a_reset():
    call_command("createreviewer", "kmpt2@example.org")
    assert not User.objects.get(email="kmpt2@example.org").has_usable_password()


@pytest.mark.parametrize(
    "args,message",
    [(["not-an-email"], "not a valid email"), (["x@example.org", "--password", "short"], "too short")],
)
def test_createreviewer_refuses_bad_input(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("createreviewer", *args)


def test_createreviewer_refuses_an_existing_account(client_user):
    with pytest.raises(CommandError, match="already an account"):
        call_command("createreviewer", client_user.email)


def test_seed_demo_refuses_without_debug():
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")


def test_seed_demo_is_idempotent_and_makes_every_demo_account():
    call_command("seed_demo", "--force")
    count = User.objects.count()
    call_command("seed_demo", "--force")
    assert User.objects.count() == count
    for email, _name, role in DEMO_PEOPLE:
        user = User.objects.get(email=email)
        assert user.role == role
        assert user.check_password("demo-pass-123")
        assert user.emailaddress_set.get(primary=True).verified
    admin = User.objects.get(email="admin@example.org")
    assert admin.is_staff and admin.is_superuser


def test_the_api_docs_are_served_without_any_outside_host(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn." not in html and "https://" not in html.replace("https://swagger.io", "")
