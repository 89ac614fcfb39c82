import pytest

from tests.factories import UserFactory
from tests.providers.factories import ListingFactory, OrganizationFactory


@pytest.fixture
def organization(provider_user):
    """A verified organisation that `provider_user` belongs to."""
    return OrganizationFactory(members=[provider_user])


@pytest.fixture
def other_provider(db):
    return UserFactory(role="provider")


@pytest.fixture
def other_organization(other_provider):
    return OrganizationFactory(members=[other_provider])


@pytest.fixture
def draft(organization):
    return ListingFactory(organization=organization, status="draft", published_at=None, last_reviewed_on=None)


@pytest.fixture
def published(organization):
    return ListingFactory(organization=organization, title="Gentle yoga", category="yoga")


@pytest.fixture
def all_roles(client_user, broker_user, provider_user, reviewer_user, admin_user):
    return {
        "client": client_user,
        "broker": broker_user,
        "provider": provider_user,
        "reviewer": reviewer_user,
        "admin": admin_user,
    }


@pytest.fixture
def eager_celery():
    """Run tasks in-process (with `django_capture_on_commit_callbacks(execute=True)`) to read the emails they send."""
    from config.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False
