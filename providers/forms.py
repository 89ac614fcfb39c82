from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from config.choices import Area
from providers.models import Category, CostUnit, Listing, Organization
from providers.services import MAX_COST, ORGANIZATION_FIELDS, ProviderError

AREA_CHOICES = [("", "Work it out from the postcode"), *Area.choices]


class ServiceErrorsMixin:
    """Show a service's field errors next to the fields they name (the same rules as the API)."""

    def add_service_error(self, error: ProviderError) -> None:
        named = [name for name in error.extra if name in self.fields]  # type: ignore[attr-defined]
        for name in named:
            for message in error.extra[name]:
                self.add_error(name, message)  # type: ignore[attr-defined]
        if not named:
            self.add_error(None, error.message)  # type: ignore[attr-defined]


class SearchForm(forms.Form):
    q = forms.CharField(
        label="What are you looking for?",
        required=False,
        max_length=200,
        help_text="For example: yoga, art, walking, gym",
    )
    category = forms.ChoiceField(label="Category", required=False, choices=[("", "Any category"), *Category.choices])
    area = forms.ChoiceField(label="Area", required=False, choices=[("", "Anywhere in Kent and Medway"), *Area.choices])
    postcode = forms.CharField(
        label="Postcode",
        required=False,
        max_length=10,
        help_text="Full postcode or its first part, like ME4. Nearby activities come first.",
    )
    max_cost = forms.DecimalField(
        label="Most you want to pay (£)", required=False, min_value=0, max_value=10**9, decimal_places=2
    )


class OrganizationForm(ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = Organization
        fields = list(ORGANIZATION_FIELDS)
        labels = {
            "name": "Organisation name",
            "email": "Contact email",
            "phone": "Contact phone",
            "charity_number": "Registered charity number",
            "company_number": "Company number",
            "safeguarding_contact_name": "Safeguarding lead's name",
            "safeguarding_contact_email": "Safeguarding lead's email",
        }
        help_texts = {
            "charity_number": "We check this before your listings are shown to the public.",
            "safeguarding_contact_name": "The person responsible for keeping vulnerable people safe.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        error_messages = {"name": {"required": "Enter the organisation's name."}}


class ListingForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter a title, like “Gentle yoga for beginners”."}
    )
    description = forms.CharField(
        label="Description",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What happens, who it suits, what to bring.",
    )
    category = forms.ChoiceField(
        label="Category", required=False, choices=[("", "Choose a category"), *Category.choices]
    )
    cost = forms.DecimalField(
        label="Cost in pounds",
        required=False,
        min_value=Decimal("0.00"),
        max_value=MAX_COST,
        decimal_places=2,
        help_text="Enter 0.00 if it is free.",
    )
    cost_unit = forms.ChoiceField(label="The cost is", required=False, choices=[("", "Choose"), *CostUnit.choices])
    postcode = forms.CharField(label="Postcode where it happens", required=False, max_length=10)
    area = forms.ChoiceField(
        label="Area",
        required=False,
        choices=AREA_CHOICES,
        help_text="Choose one if the postcode's district covers more than one area.",
    )
    schedule = forms.CharField(
        label="When it happens",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: Tuesdays 10am to 12pm, term time only.",
    )
    accessibility = forms.CharField(label="Accessibility", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    contact_email = forms.EmailField(label="Contact email", required=False)
    contact_phone = forms.CharField(label="Contact phone", required=False, max_length=40)

    @classmethod
    def for_listing(cls, listing: Listing, **kwargs: Any) -> ListingForm:
        initial = {name: getattr(listing, name) for name in cls.base_fields}
        return cls(initial=initial, **kwargs)


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="Email address of the person to invite",
        error_messages={"required": "Enter the email address of the person to invite."},
    )


class ReportForm(forms.Form):
    note = forms.CharField(
        label="What looks out of date? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
