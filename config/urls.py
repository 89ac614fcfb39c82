"""The site's URLs: each app contributes `api_urls` (under /api/v1/) and `urls` (pages)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.api import not_found
from config.health import healthz

handler404 = not_found

api_urlpatterns: list = [
    path("", include("accounts.api_urls")),
    path("", include("charter.api_urls")),
    path("", include("brokers.api_urls")),
    path("", include("providers.api_urls")),
    path("", include("plans.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include(api_urlpatterns)),
    path("_allauth/", include("allauth.headless.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("charter.urls")),
    path("", include("brokers.urls")),
    path("", include("providers.urls")),
    path("", include("plans.urls")),
    path("", include("frontend.urls")),
]
