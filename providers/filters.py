"""Query parameters of the listings and organisations API, cleaned by django-filter: a bad value answers 400
naming the parameter (never a 500), and the search itself stays in the selectors that pages and the feed share."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError

from config.choices import Area
from providers import selectors
from providers.models import Category, Listing, ListingStatus, Organization
from providers.postcodes import outward_code

MAX_ID = 2**63 - 1  # the largest id PostgreSQL's bigint holds: anything larger is no organisation


class PostcodeField(forms.CharField):
    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and outward_code(value) is None:
            raise forms.ValidationError("Enter a postcode like CT1 2AB, or its first part like ME4", code="invalid")


class PostcodeFilter(django_filters.CharFilter):
    field_class = PostcodeField


class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class ListingFilter(django_filters.FilterSet):
    """`?q=&category=&area=&postcode=&max_cost=&organization=&status=` (API.md, Providers and listings)."""

    q = django_filters.CharFilter(method="keep", max_length=200)
    category = django_filters.ChoiceFilter(
        method="keep", choices=Category.choices, error_messages={"invalid_choice": "Choose a known category"}
    )
    area = django_filters.ChoiceFilter(
        method="keep", choices=Area.choices, error_messages={"invalid_choice": "Choose an area in Kent or Medway"}
    )
    postcode = PostcodeFilter(method="keep", max_length=10)
    max_cost = django_filters.NumberFilter(
        method="keep",
        min_value=Decimal("0"),
        max_value=Decimal(10**9),
        error_messages={"invalid": "Enter an amount in pounds, like 20 or 12.50"},
    )
    organization = IdFilter(
        method="keep",
        min_value=1,
        max_value=MAX_ID,
        error_messages={"invalid": "Enter an organisation id, a whole number"},
    )
    status = django_filters.ChoiceFilter(
        method="keep",
        choices=ListingStatus.choices,
        error_messages={"invalid_choice": "Choose draft, published or archived"},
    )

    class Meta:
        model = Listing
        fields: list[str] = []

    def keep(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset  # the search is built from the cleaned values by `search()`, not filter by filter

    def cleaned(self) -> dict[str, Any]:
        if not self.is_valid():
            raise ValidationError(self.errors)
        return self.form.cleaned_data

    def search(self) -> selectors.ListingSearch:
        data = self.cleaned()
        return selectors.ListingSearch(
            q=(data.get("q") or "").strip(),
            category=data.get("category") or "",
            area=data.get("area") or "",
            postcode=(data.get("postcode") or "").strip(),
            max_cost=data.get("max_cost"),
            organization=data.get("organization"),
            statuses=[data["status"]] if data.get("status") else [],
        )


class OrganizationFilter(django_filters.FilterSet):
    """`?member=me`: only the organisations you belong to."""

    member = django_filters.ChoiceFilter(
        method="members_only",
        choices=[("me", "me")],
        error_messages={"invalid_choice": "Use member=me to list the organisations you belong to"},
    )

    class Meta:
        model = Organization
        fields: list[str] = []

    def members_only(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset.filter(id__in=selectors.organizations_of(self.request.user).values("id"))  # type: ignore[union-attr]

    def filtered(self) -> QuerySet:
        if not self.is_valid():
            raise ValidationError(self.errors)
        return self.qs
