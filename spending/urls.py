"""Spending pages: one per plan for its client, broker and reviewer."""

from django.urls import path

from spending import views

app_name = "spending"

urlpatterns = [
    path("plans/<int:pk>/spending/", views.spending_page, name="spending"),
    path("plans/<int:pk>/spending/statements/", views.statement_upload, name="statement-upload"),
    path("plans/<int:pk>/spending/statements/<int:statement_id>/", views.statement_page, name="statement"),
    path(
        "plans/<int:pk>/spending/statements/<int:statement_id>/progress/",
        views.statement_progress,
        name="statement-progress",
    ),
    path("plans/<int:pk>/spending/payments/<int:transaction_id>/", views.transaction_match, name="match"),
]
