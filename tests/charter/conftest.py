from tests.brokers.conftest import charter  # noqa: F401  (one definition of the current charter fixture)
