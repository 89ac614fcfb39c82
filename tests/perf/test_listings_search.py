"""Benchmark of the public listing search (run with `make bench`)."""

import pytest

from tests.providers.factories import ListingFactory, OrganizationFactory

pytestmark = [pytest.mark.perf, pytest.mark.django_db]


@pytest.fixture
def many_listings():
    organizations = OrganizationFactory.create_batch(10)
    for index in range(300):
        ListingFactory(organization=organizations[index % 10], title=f"Class {index}", category="yoga")


@pytest.mark.parametrize("query", ["", "?q=yoga", "?q=yogga", "?postcode=CT1&area=kent"])
def test_search_100_rows(benchmark, api, many_listings, query):
    client = api()
    separator = "&" if query else "?"
    response = benchmark(client.get, f"/api/v1/listings{query}{separator}page_size=100")
    assert response.status_code == 200
