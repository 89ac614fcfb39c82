from django.urls import path

from charter import views

urlpatterns = [
    path("charter/", views.charter_read, name="charter-read"),
    path("charter/sign/", views.charter_sign, name="charter-sign"),
    path("charter/concern/", views.concern_raise, name="charter-concern"),
    path("charter/review/", views.signature_queue, name="charter-signatures"),
    path("charter/review/<int:pk>/", views.signature_review, name="charter-signature-review"),
    path("charter/review/<int:pk>/verify/", views.signature_verify, name="charter-signature-verify"),
    path("charter/concerns/", views.concern_list, name="charter-concerns"),
    path("charter/concerns/<int:pk>/", views.concern_review, name="charter-concern-review"),
]
