"""Query parameters of the brokers API, validated by django-filter: a malformed value is a 400 naming the parameter,
never a 500 and never a silently empty list."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from brokers.languages import ISO_639_1
from brokers.models import BrokerProfile, Engagement, EngagementStatus, Specialism
from brokers.selectors import brokers_search
from charter.filters import choice_filter
from config.choices import Area

TRUE_WORDS, FALSE_WORDS = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}


class StrictBooleanField(forms.Field):
    """`true` or `false` (or 1/0, yes/no, on/off); anything else is an error, never quietly ignored."""

    default_error_messages = {"invalid": "Use true or false."}

    def to_python(self, value: Any) -> bool | None:
        if value in self.empty_values:
            return None
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField


class BrokerSearchFilter(django_filters.FilterSet):
    """The directory's filters; the search itself (matching, ranking, order) is `brokers.selectors.brokers_search`."""

    q = django_filters.CharFilter(max_length=200, error_messages={"max_length": "Search for 200 characters or fewer."})
    area = choice_filter(Area.choices, "area")
    specialism = choice_filter(Specialism.choices, "specialism")
    language = django_filters.ChoiceFilter(
        choices=[(code, code) for code in sorted(ISO_639_1)],
        error_messages={"invalid_choice": "Use an ISO 639-1 language code, such as en, pl or ne."},
    )
    accepting = StrictBooleanFilter()
    max_rate = django_filters.NumberFilter(
        min_value=Decimal(0),
        max_digits=8,
        decimal_places=2,
        error_messages={
            "invalid": "Enter the highest hourly rate in pounds, such as 30 or 32.50.",
            "min_value": "Enter a rate of 0 or more.",
            "max_digits": "Enter the highest hourly rate in pounds, such as 30 or 32.50.",
            "max_decimal_places": "Use at most two decimal places.",
            "max_whole_digits": "Enter the highest hourly rate in pounds, such as 30 or 32.50.",
        },
    )

    class Meta:
        model = BrokerProfile
        fields = ["q", "area", "specialism", "language", "accepting", "max_rate"]

    def filter_queryset(self, queryset: QuerySet[BrokerProfile]) -> QuerySet[BrokerProfile]:
        values = {name: value for name, value in self.form.cleaned_data.items() if value not in (None, "")}
        return brokers_search(base=queryset, **values)


class EngagementFilter(django_filters.FilterSet):
    status = choice_filter(EngagementStatus.choices, "status")

    class Meta:
        model = Engagement
        fields = ["status"]
