from tests.brokers.conftest import charter, listed  # noqa: F401  (one definition of each shared fixture)
