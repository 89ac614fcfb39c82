from django.urls import path

from frontend import views

urlpatterns = [
    path("", views.home, name="home"),
    path("help-now/", views.crisis, name="crisis"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("account/", views.account, name="account_settings"),
    path("account/who-can-see/", views.who_can_see, name="who-can-see"),
    path("people-i-help/", views.people_i_help, name="people-i-help"),
    path("privacy/", views.privacy, name="privacy"),
]
