import pytest

from charter import demo
from tests.brokers.factories import listed_broker


@pytest.fixture
def charter(db):
    """The current charter (version 1); transactional tests flush the migration's copy, so seed it again."""
    return demo.seed()


@pytest.fixture
def listed(charter):
    return listed_broker()
