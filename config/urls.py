"""The site's URLs: each app contributes `api_urls` (under /api/v1/) and `urls` (pages)."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.api import api_not_found, not_found
from config.health import healthz

handler404 = not_found
handler500 = "config.http.server_error"
# The admin signs in through allauth (its second-factor stage and its failed-login limits), never Django's own form.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "Waymark administration"

api_urlpatterns: list = [
    path("", include("accounts.api_urls")),
    path("", include("charter.api_urls")),
    path("", include("brokers.api_urls")),
    path("", include("providers.api_urls")),
    path("", include("plans.api_urls")),
    path("", include("spending.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include(api_urlpatterns)),
    re_path(r"^api/(?P<unmatched>.*)$", api_not_found),  # JSON, not Django's HTML 404 page, even with DEBUG on
    path("_allauth/", include("allauth.headless.urls")),
    path("", include("accounts.urls")),  # before allauth's, for /accounts/invitation/
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("charter.urls")),
    path("", include("brokers.urls")),
    path("", include("providers.urls")),
    path("", include("plans.urls")),
    path("", include("spending.urls")),
    path("", include("frontend.urls")),
]
