"""Query parameters of the charter API, validated by django-filter: a malformed value is a 400 naming the parameter,
never a 500 and never a silently empty list."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms

from charter.models import Concern, ConcernStatus, Signature, SignatureStatus


class IdField(forms.IntegerField):
    """A person's or object's id: digits only (a `²` passes `isdigit()` but is no number)."""

    default_error_messages = {"invalid": "Enter an id: a whole number such as 42."}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        kwargs.setdefault("error_messages", {}).update(
            {
                "min_value": "Enter an id: a whole number such as 42.",
                "max_value": "Enter an id: a whole number such as 42.",
            }
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        if not (isinstance(value, str) and value.isascii() and value.isdecimal()):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class IdFilter(django_filters.Filter):
    field_class = IdField


def choice_filter(choices: list[tuple[str, str]], name: str, **kwargs: Any) -> django_filters.ChoiceFilter:
    """A filter over fixed values whose error names every value it accepts (never echoing what was sent)."""
    values = ", ".join(value for value, _label in choices)
    return django_filters.ChoiceFilter(
        choices=choices, error_messages={"invalid_choice": f"Choose a {name}: one of {values}."}, **kwargs
    )


class SignatureFilter(django_filters.FilterSet):
    broker = IdFilter(field_name="broker_id")
    status = choice_filter(SignatureStatus.choices, "status")

    class Meta:
        model = Signature
        fields = ["broker", "status"]


class ConcernFilter(django_filters.FilterSet):
    broker = IdFilter(field_name="broker_id")
    status = choice_filter(ConcernStatus.choices, "status")

    class Meta:
        model = Concern
        fields = ["broker", "status"]
