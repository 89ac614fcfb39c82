from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from config.choices import Area
from providers.models import Category, CostUnit, Listing, Organization
from providers.postcodes import outward_code
from providers.services import MAX_COST, ORGANIZATION_FIELDS, ProviderError

AREA_CHOICES = [("", "Work it out from the postcode"), *Area.choices]


class ServiceErrorsMixin:
    """Show a service's field errors next to the fields they name (the same rules as the API)."""

    def add_service_error(self, error: ProviderError) -> None:
        named = [name for name in error.extra if name in self.fields]  # type: ignore[attr-defined]
        shown: set[str] = set()
        for name in named:
            for message in error.extra[name]:
                if message not in shown:  # "an email or a phone" is said once, beside the first of the two
                    self.add_error(name, message)  # type: ignore[attr-defined]
                    shown.add(message)
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
        label="Most you want to pay (£)",
        required=False,
        min_value=0,
        max_value=10**9,
        decimal_places=2,
        error_messages={
            "invalid": "Enter an amount in pounds, like 20 or 12.50",
            "min_value": "Enter an amount of 0 or more",
            "max_value": "Enter a smaller amount",
            "max_decimal_places": "Enter pounds and pence, like 12.50",
        },
    )

    def clean_postcode(self) -> str:
        postcode = self.cleaned_data["postcode"].strip()
        if postcode and outward_code(postcode) is None:
            raise forms.ValidationError("Enter a postcode like CT1 2AB, or its first part like ME4")
        return postcode


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
        error_messages = {
            "name": {
                "required": "Enter the organisation's name",
                "max_length": "The name must be 200 characters or fewer",
            },
            "website": {"invalid": "Enter the website address in the correct format, like https://example.org"},
            "email": {"invalid": "Enter an email address in the correct format, like name@example.org"},
            "safeguarding_contact_email": {
                "invalid": "Enter an email address in the correct format, like name@example.org"
            },
            "phone": {"max_length": "The phone number must be 40 characters or fewer"},
            "charity_number": {"max_length": "The charity number must be 20 characters or fewer"},
            "company_number": {"max_length": "The company number must be 20 characters or fewer"},
            "safeguarding_contact_name": {"max_length": "The name must be 150 characters or fewer"},
        }


def _messages(label: str, **extra: str) -> dict[str, str]:
    return {"max_length": f"{label} must be %(limit_value)d characters or fewer", **extra}


COST_ERRORS = {
    "invalid": "Enter the cost in pounds, like 12.50, or 0.00 if it is free",
    "min_value": "The cost must be 0.00 or more (0.00 if it is free)",
    "max_value": "The cost must be £10,000.00 or less",
    "max_digits": "The cost must be £10,000.00 or less",
    "max_decimal_places": "Enter the cost in pounds and pence, like 12.50",
    "max_whole_digits": "The cost must be £10,000.00 or less",
}
NEEDED = "needed to publish"
CONTACT_NEEDED = "email or phone needed to publish"


class ListingForm(ServiceErrorsMixin, forms.Form):
    """A listing's fields. Only the title is needed to save a draft; the others marked "needed to publish" are
    needed before it can be published (the rule itself is the service's)."""

    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages=_messages("The title", required="Enter a title, like “Gentle yoga for beginners”"),
    )
    description = forms.CharField(
        label="Description",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What happens, who it suits, what to bring.",
    )
    category = forms.ChoiceField(
        label="Category",
        required=False,
        choices=[("", "Choose a category"), *Category.choices],
        error_messages={"invalid_choice": "Choose a category from the list"},
    )
    cost = forms.DecimalField(
        label="Cost in pounds",
        required=False,
        min_value=Decimal("0.00"),
        max_value=MAX_COST,
        decimal_places=2,
        help_text="Enter 0.00 if it is free.",
        error_messages=COST_ERRORS,
    )
    cost_unit = forms.ChoiceField(
        label="The cost is",
        required=False,
        choices=[("", "Choose"), *CostUnit.choices],
        error_messages={"invalid_choice": "Choose what the cost is for, such as per session or once"},
    )
    postcode = forms.CharField(
        label="Postcode where it happens",
        required=False,
        max_length=10,
        error_messages=_messages("The postcode"),
    )
    area = forms.ChoiceField(
        label="Area",
        required=False,
        choices=AREA_CHOICES,
        help_text="Choose one if the postcode's district covers more than one area.",
        error_messages={"invalid_choice": "Choose an area in Kent or Medway from the list"},
    )
    schedule = forms.CharField(
        label="When it happens",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: Tuesdays 10am to 12pm, term time only.",
    )
    accessibility = forms.CharField(label="Accessibility", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    contact_email = forms.EmailField(
        label="Contact email",
        required=False,
        help_text="Give an email address, a phone number or both.",
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.org"},
    )
    contact_phone = forms.CharField(
        label="Contact phone", required=False, max_length=40, error_messages=_messages("The phone number")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("description", "category", "cost", "cost_unit", "postcode"):
            self.fields[name].needed_to_publish = NEEDED  # type: ignore[attr-defined]
        for name in ("contact_email", "contact_phone"):
            self.fields[name].needed_to_publish = CONTACT_NEEDED  # type: ignore[attr-defined]

    @classmethod
    def for_listing(cls, listing: Listing, **kwargs: Any) -> ListingForm:
        initial = {name: getattr(listing, name) for name in cls.base_fields}
        return cls(initial=initial, **kwargs)


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="Email address of the person to invite",
        error_messages={
            "required": "Enter the email address of the person to invite",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )


class ReportForm(forms.Form):
    note = forms.CharField(
        label="What looks out of date? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "The note must be 2,000 characters or fewer"},
    )
