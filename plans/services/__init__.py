"""Every write to budgets and plans: permission, state (through the one transition table), second factor where the
contract needs it, one transaction, an event, side effects after commit.

Split along the app's seams: `budgets`, `editing` (the broker's work and the client's agreement), `workflow`
(submission, the checks, review and decisions), `documents` (the PDF), and after approval `reviews` (KMPT's reviews
and the client's and broker's views before them) and `renewal` (next year's plan). Import them from here.
"""

from plans.errors import PlanError
from plans.services.budgets import budget_record
from plans.services.documents import plan_pdf, plan_pdf_render, render_pdf
from plans.services.editing import (
    line_add,
    line_remove,
    line_update,
    plan_agree,
    plan_change_ask,
    plan_create,
    plan_share,
    plan_update,
    plan_withdraw,
)
from plans.services.renewal import plan_renew, predecessor_supersede
from plans.services.reviews import outcome_views_record, review_record
from plans.services.workflow import (
    DECISION_STATUSES,
    add_months,
    plan_claim,
    plan_decide,
    plan_submit,
    submission_failed,
    submission_process,
    submissions_sweep,
)

__all__ = [
    "DECISION_STATUSES",
    "PlanError",
    "add_months",
    "budget_record",
    "line_add",
    "line_remove",
    "line_update",
    "outcome_views_record",
    "plan_agree",
    "plan_change_ask",
    "plan_claim",
    "plan_create",
    "plan_decide",
    "plan_pdf",
    "plan_pdf_render",
    "plan_renew",
    "plan_share",
    "plan_submit",
    "plan_update",
    "plan_withdraw",
    "predecessor_supersede",
    "render_pdf",
    "review_record",
    "submission_failed",
    "submission_process",
    "submissions_sweep",
]
