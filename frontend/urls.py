from django.urls import path

from frontend import views

urlpatterns = [
    path("", views.home, name="home"),
    path("help-now/", views.crisis, name="crisis"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("account/", views.account, name="account_settings"),
]
