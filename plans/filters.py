"""The query parameters of the plans API, as django-filter FilterSets: a malformed value answers 400 naming the
parameter (never a 500, never a silently empty list)."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils import timezone

from charter.filters import IdFilter
from plans import selectors
from plans.models import Budget, Plan, PlanStatus


class PlanFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices)

    class Meta:
        model = Plan
        fields = ["status"]


class BudgetFilter(django_filters.FilterSet):
    # A number, not a choice of people: the filter never says whether an id is someone's.
    client = IdFilter(field_name="client_id")  # digits only, 1 to 2**63 - 1, as the schema says

    class Meta:
        model = Budget
        fields = ["client"]


TRUE_OR_FALSE = [("true", "true"), ("false", "false"), ("1", "1"), ("0", "0")]


class Flag(django_filters.ChoiceFilter):
    """`true` or `false` (or 1 and 0); anything else is a 400, not quietly false."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(choices=TRUE_OR_FALSE, **kwargs)  # type: ignore[arg-type]


def _yes(value: object) -> bool:
    return value in ("true", "1")


class ReviewFilter(django_filters.FilterSet):
    mine = Flag(method="filter_mine", help_text="Only plans assigned to you.")
    unassigned = Flag(method="filter_unassigned", help_text="Only plans nobody has yet.")
    overdue = Flag(method="filter_overdue", help_text="Waiting 5 working days or more.")

    class Meta:
        model = Plan
        fields = ["mine", "unassigned", "overdue"]

    def filter_mine(self, queryset: QuerySet[Plan], name: str, value: str) -> QuerySet[Plan]:
        return queryset.filter(reviewer=self.request.user) if _yes(value) else queryset

    def filter_unassigned(self, queryset: QuerySet[Plan], name: str, value: str) -> QuerySet[Plan]:
        return queryset.filter(reviewer__isnull=True) if _yes(value) else queryset

    def filter_overdue(self, queryset: QuerySet[Plan], name: str, value: str) -> QuerySet[Plan]:
        cutoff = selectors.overdue_cutoff(timezone.localdate())
        return queryset.filter(submitted_at__date__lte=cutoff) if _yes(value) else queryset
