"""What spending holds about a person: their statements and payments (registered with accounts.registry)."""

from __future__ import annotations

from typing import Any

from accounts import registry
from spending.models import Statement, Transaction


def _statements(person: Any) -> list[dict[str, Any]]:
    return [
        {
            "plan": statement.plan_id, "file_name": statement.file_name, "kind": statement.kind,
            "rows": statement.rows, "imported": statement.imported, "uploaded_at": statement.created_at.isoformat(),
            "payments": [
                {
                    "date": payment.date.isoformat(), "description": payment.description, "payee": payment.payee,
                    "amount": f"{payment.amount:.2f}", "merchant_category_code": payment.merchant_category_code,
                    "line": payment.line_id,
                }
                for payment in Transaction.objects.filter(statement=statement).order_by("date", "id")
            ],
        }
        for statement in Statement.objects.filter(plan__client=person).order_by("created_at")
    ]  # fmt: skip


def _erase(person: Any, pseudonym: str) -> list[str]:
    Statement.objects.filter(plan__client=person).update(file_name="statement", content=None)
    return [
        "The payments from your budget's statements are kept, under the pseudonym: they are the council's record of "
        "how public money was spent.",
    ]


def register() -> None:
    registry.register("statements", export=_statements, erase=_erase)
