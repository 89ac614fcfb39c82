from config.api import Router, optional_slash
from providers.api import CategoryListView, ListingViewSet, OrganizationViewSet, StaleReportListView

router = Router()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("listings", ListingViewSet, basename="listing")

urlpatterns = [
    *optional_slash("categories", CategoryListView.as_view(), name="api-categories"),
    *optional_slash("stale-reports", StaleReportListView.as_view(), name="api-stale-reports"),
    *router.urls,
]
