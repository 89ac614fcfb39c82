"""Plan pages, split along their seams: budgets, the broker's builder, the client's page, documents, the
reviewer's desk and the notification centre."""

from plans.views.budgets import budget_find, budget_record, budget_record_new
from plans.views.builder import (
    line_add,
    line_edit,
    line_remove,
    plan_details,
    plan_list,
    plan_move_budget,
    plan_share,
    plan_start,
    plan_submit,
    plan_withdraw,
)
from plans.views.client import plan_agree, plan_ask, plan_page, plan_status
from plans.views.documents import plan_pdf, plan_version, plan_versions
from plans.views.notification_centre import notification_list, notification_read, notifications_read_all
from plans.views.review import review_claim, review_decide, review_page, review_queue

__all__ = [
    "budget_find",
    "budget_record",
    "budget_record_new",
    "line_add",
    "line_edit",
    "line_remove",
    "notification_list",
    "notification_read",
    "notifications_read_all",
    "plan_agree",
    "plan_ask",
    "plan_details",
    "plan_list",
    "plan_move_budget",
    "plan_page",
    "plan_pdf",
    "plan_share",
    "plan_start",
    "plan_status",
    "plan_submit",
    "plan_version",
    "plan_versions",
    "plan_withdraw",
    "review_claim",
    "review_decide",
    "review_page",
    "review_queue",
]
