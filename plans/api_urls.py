from config.api import optional_slash
from plans import api

urlpatterns = [
    *optional_slash("budgets", api.BudgetListCreate.as_view(), name="api-budgets"),
    *optional_slash("plans", api.PlanListCreate.as_view(), name="api-plans"),
    *optional_slash("plans/<int:plan_id>", api.PlanDetail.as_view(), name="api-plan"),
    *optional_slash("plans/<int:plan_id>/lines", api.PlanLineList.as_view(), name="api-plan-lines"),
    *optional_slash("plans/<int:plan_id>/lines/<int:line_id>", api.PlanLineDetail.as_view(), name="api-plan-line"),
    *optional_slash("plans/<int:plan_id>/check", api.PlanCheck.as_view(), name="api-plan-check"),
    *optional_slash("plans/<int:plan_id>/share", api.PlanShare.as_view(), name="api-plan-share"),
    *optional_slash("plans/<int:plan_id>/agree", api.PlanAgree.as_view(), name="api-plan-agree"),
    *optional_slash("plans/<int:plan_id>/submit", api.PlanSubmit.as_view(), name="api-plan-submit"),
    *optional_slash("plans/<int:plan_id>/withdraw", api.PlanWithdraw.as_view(), name="api-plan-withdraw"),
    *optional_slash("plans/<int:plan_id>/versions", api.PlanVersionList.as_view(), name="api-plan-versions"),
    *optional_slash(
        "plans/<int:plan_id>/versions/<int:number>", api.PlanVersionDetail.as_view(), name="api-plan-version"
    ),
    *optional_slash("plans/<int:plan_id>/events", api.PlanEventList.as_view(), name="api-plan-events"),
    *optional_slash("plans/<int:plan_id>/pdf", api.PlanPdf.as_view(), name="api-plan-pdf"),
    *optional_slash("plans/<int:plan_id>/claim", api.PlanClaim.as_view(), name="api-plan-claim"),
    *optional_slash("plans/<int:plan_id>/approve", api.PlanApprove.as_view(), name="api-plan-approve"),
    *optional_slash(
        "plans/<int:plan_id>/request-changes", api.PlanRequestChanges.as_view(), name="api-plan-request-changes"
    ),
    *optional_slash("plans/<int:plan_id>/decline", api.PlanDecline.as_view(), name="api-plan-decline"),
    *optional_slash("reviews", api.ReviewList.as_view(), name="api-reviews"),
    *optional_slash("plans/<int:plan_id>/reviews", api.PlanReviewListCreate.as_view(), name="api-plan-reviews"),
    *optional_slash("plans/<int:plan_id>/renew", api.PlanRenew.as_view(), name="api-plan-renew"),
]
