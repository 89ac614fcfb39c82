from django.urls import path

from brokers import views

urlpatterns = [
    path("brokers/", views.broker_search, name="broker-search"),
    path("brokers/me/", views.profile_edit, name="broker-profile-edit"),
    path("brokers/me/interests/add/", views.interest_add, name="broker-interest-add"),
    path("brokers/me/interests/<int:organization_id>/remove/", views.interest_remove, name="broker-interest-remove"),
    path("brokers/<int:pk>/", views.broker_detail, name="broker-detail"),
    path("brokers/<int:pk>/ask/", views.engagement_ask, name="engagement-ask"),
    path("engagements/", views.engagement_list, name="engagement-list"),
    path("engagements/<int:pk>/", views.engagement_detail, name="engagement-detail"),
    path("engagements/<int:pk>/feedback/", views.feedback_give, name="engagement-feedback"),
    path(
        "engagements/<int:pk>/<str:action>/",
        views.engagement_action,
        name="engagement-action",
    ),
]
