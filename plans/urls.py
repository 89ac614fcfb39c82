"""Plan pages: budgets (reviewers), plans (brokers and clients), versions, the review desk, notifications."""

from django.urls import path

from plans import views
from plans.views import after_approval

app_name = "plans"

urlpatterns = [
    path("budgets/", views.budget_find, name="budgets"),
    path("budgets/new/", views.budget_record_new, name="budget-new"),
    path("budgets/clients/<int:client_id>/", views.budget_record, name="budget-record"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/new/", views.plan_start, name="plan-start"),
    path("plans/<int:pk>/", views.plan_page, name="plan"),
    path("plans/<int:pk>/status/", views.plan_status, name="plan-status"),
    path("plans/<int:pk>/details/", views.plan_details, name="plan-details"),
    path("plans/<int:pk>/lines/add/", views.line_add, name="line-add"),
    path("plans/<int:pk>/lines/<int:line_id>/", views.line_edit, name="line-edit"),
    path("plans/<int:pk>/lines/<int:line_id>/remove/", views.line_remove, name="line-remove"),
    path("plans/<int:pk>/budget/", views.plan_move_budget, name="plan-move-budget"),
    path("plans/<int:pk>/share/", views.plan_share, name="plan-share"),
    path("plans/<int:pk>/agree/", views.plan_agree, name="plan-agree"),
    path("plans/<int:pk>/submit/", views.plan_submit, name="plan-submit"),
    path("plans/<int:pk>/withdraw/", views.plan_withdraw, name="plan-withdraw"),
    path("plans/<int:pk>/ask/", views.plan_ask, name="plan-ask"),
    path("plans/<int:pk>/versions/", views.plan_versions, name="plan-versions"),
    path("plans/<int:pk>/versions/<int:number>/", views.plan_version, name="plan-version"),
    path("plans/<int:pk>/pdf/", views.plan_pdf, name="plan-pdf"),
    path("plans/<int:pk>/reviews/", after_approval.plan_reviews, name="plan-reviews"),
    path("plans/<int:pk>/reviews/new/", after_approval.review_new, name="review-new"),
    path("plans/<int:pk>/reviews/new/check/", after_approval.review_check, name="review-check"),
    path("plans/<int:pk>/my-view/", after_approval.outcome_views, name="outcome-views"),
    path("plans/<int:pk>/renew/", after_approval.plan_renew, name="plan-renew"),
    path("reviews/", views.review_queue, name="reviews"),
    path("reviews/<int:pk>/", views.review_page, name="review"),
    path("reviews/<int:pk>/claim/", views.review_claim, name="review-claim"),
    path("reviews/<int:pk>/decide/", views.review_decide, name="review-decide"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications-read-all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
]
