from config.api import optional_slash
from spending import api

urlpatterns = [
    *optional_slash("plans/<int:plan_id>/statements", api.StatementList.as_view(), name="api-plan-statements"),
    *optional_slash(
        "plans/<int:plan_id>/statements/<int:statement_id>", api.StatementDetail.as_view(), name="api-plan-statement"
    ),
    *optional_slash("plans/<int:plan_id>/transactions", api.TransactionList.as_view(), name="api-plan-transactions"),
    *optional_slash(
        "plans/<int:plan_id>/transactions/<int:transaction_id>",
        api.TransactionDetail.as_view(),
        name="api-plan-transaction",
    ),
    *optional_slash("plans/<int:plan_id>/spending", api.SpendingView.as_view(), name="api-plan-spending"),
]
