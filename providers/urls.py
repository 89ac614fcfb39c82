from collections.abc import Callable

from django.http import HttpResponse
from django.urls import path, re_path

from providers import oruk, views

app_name = "providers"


def feed(route: str, view: Callable[..., HttpResponse], name: str) -> list:
    """An Open Referral path, answering with and without a trailing slash (never a redirect)."""
    return [path(f"openreferral/{route}", view, name=name), path(f"openreferral/{route}/", view)]


urlpatterns = [
    path("openreferral/", oruk.root, name="oruk-root"),
    path("openreferral", oruk.root),
    *feed("services", oruk.services, "oruk-services"),
    *feed("services/<uuid:pk>", oruk.service, "oruk-service"),
    *feed("service_at_locations", oruk.service_at_locations, "oruk-service-at-locations"),
    *feed("service_at_locations/<uuid:pk>", oruk.service_at_location, "oruk-service-at-location"),
    *feed("organizations", oruk.organizations, "oruk-organizations"),
    *feed("organizations/<uuid:pk>", oruk.organization, "oruk-organization"),
    *feed("taxonomies", oruk.taxonomies, "oruk-taxonomies"),
    *feed("taxonomies/<uuid:pk>", oruk.taxonomy, "oruk-taxonomy"),
    *feed("taxonomy_terms", oruk.taxonomy_terms, "oruk-taxonomy-terms"),
    *feed("taxonomy_terms/<uuid:pk>", oruk.taxonomy_term_detail, "oruk-taxonomy-term"),
    re_path(r"^openreferral/(?P<path>.*)$", oruk.unknown, name="oruk-unknown"),
    path("listings/", views.listing_search, name="listing-search"),
    path("listings/<int:pk>/", views.listing_detail, name="listing-detail"),
    path("listings/<int:pk>/report/", views.listing_report, name="listing-report"),
    path("provider/", views.provider_home, name="home"),
    path("provider/organisations/new/", views.organization_create, name="organization-create"),
    path("provider/organisations/<int:pk>/", views.organization_detail, name="organization-detail"),
    path("provider/organisations/<int:pk>/edit/", views.organization_edit, name="organization-edit"),
    path("provider/organisations/<int:pk>/invite/", views.organization_invite, name="organization-invite"),
    path("provider/organisations/<int:pk>/listings/new/", views.listing_create, name="listing-create"),
    path("provider/listings/<int:pk>/", views.listing_edit, name="listing-edit"),
    path("provider/listings/<int:pk>/<slug:action>/", views.listing_action, name="listing-action"),
    path("provider/invites/<str:token>/", views.invite_accept, name="invite-accept"),
    path("provider/verify/", views.organizations_to_verify, name="organizations-to-verify"),
    path("provider/verify/<int:pk>/", views.organization_verify, name="organization-verify"),
    path("provider/reports/", views.stale_reports, name="stale-reports"),
]
