from rest_framework.routers import SimpleRouter

from config.api import optional_slash
from providers.api import CategoryListView, ListingViewSet, OrganizationViewSet, StaleReportListView


class OptionalSlashRouter(SimpleRouter):
    """Routes with and without a trailing slash. (DRF turns any truthy `trailing_slash` into "/", so
    `config.api.Router()` currently only answers with the slash; this sets the pattern after init.)"""

    def __init__(self) -> None:
        super().__init__()
        self.trailing_slash = "/?"


router = OptionalSlashRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("listings", ListingViewSet, basename="listing")

urlpatterns = [
    *optional_slash("categories", CategoryListView.as_view(), name="api-categories"),
    *optional_slash("stale-reports", StaleReportListView.as_view(), name="api-stale-reports"),
    *router.urls,
]
