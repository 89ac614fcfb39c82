from django.urls import path

from accounts import views

urlpatterns = [
    path("account/people-who-help-me/", views.people_who_help_me, name="people-who-help-me"),
    path("account/representatives/<int:pk>/revoke/", views.representative_revoke, name="representative-revoke"),
    path("representatives/<int:pk>/invitation/", views.representative_invitation, name="representative-invitation"),
    path("clients/<int:client_id>/representatives/", views.client_representatives, name="client-representatives"),
    path("clients/<int:client_id>/invitation/resend/", views.client_invitation_resend, name="client-invitation-resend"),
    path("accounts/invitation/<str:token>/", views.client_invitation, name="client-invitation"),
    path("account/access-log/", views.access_log, name="access-log"),
    path("account/my-data/", views.my_data, name="my-data"),
    path("account/erasure/", views.erasure_ask, name="erasure-ask"),
    path("privacy/erasure-requests/", views.erasure_queue, name="erasure-queue"),
    path("privacy/erasure-requests/<int:pk>/", views.erasure_decide, name="erasure-decide"),
    path("privacy/retention/", views.retention, name="retention"),
]
