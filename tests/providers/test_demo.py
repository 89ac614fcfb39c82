import pytest

from accounts import demo as accounts_demo
from providers import demo
from providers.models import Listing
from providers.selectors import listing_is_stale, listings_public

pytestmark = pytest.mark.django_db


def test_demo_data_meets_the_contract_and_seeding_twice_changes_nothing():
    accounts_demo.seed()
    demo.seed()
    count = Listing.objects.count()
    demo.seed()
    assert Listing.objects.count() == count >= 60
    mine = listings_public().filter(organization__members__email="provider@example.org")
    assert {"art_class", "gym", "yoga", "walking_group"} <= set(mine.values_list("category", flat=True))
    assert mine.filter(title__icontains="yoga").exists()
    public = list(listings_public())
    assert any(listing.cost == 0 for listing in public)
    assert any(listing_is_stale(listing) for listing in public)
    assert Listing.objects.filter(status="draft").exists() and Listing.objects.filter(status="archived").exists()
    assert len({listing.category for listing in public}) == 13
