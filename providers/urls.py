from django.urls import path

from providers import views

app_name = "providers"

urlpatterns = [
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
