"""Forms of the plan pages: they clean input only; every rule lives in services, checks and permissions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from config.choices import Outcome
from plans.models import LINE_CATEGORIES, PROHIBITED_CATEGORIES, Budget, Council, Eligibility, Frequency, PaymentRoute


class DateInput(forms.DateInput):
    input_type = "date"


class ClientFindForm(forms.Form):
    q = forms.CharField(
        label="Client's email address or name", max_length=150, help_text="For example, sam@example.org or Sam Patel"
    )


class BudgetForm(forms.Form):
    council = forms.ChoiceField(label="Council", choices=Council.choices, widget=forms.RadioSelect)
    eligibility = forms.ChoiceField(label="Eligibility", choices=Eligibility.choices, widget=forms.RadioSelect)
    annual_amount = forms.DecimalField(
        label="Personal budget a year, in pounds", max_digits=10, decimal_places=2, min_value=Decimal("0")
    )
    client_contribution = forms.DecimalField(
        label="The client's own contribution a year, in pounds",
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0"),
        initial=Decimal("0.00"),
    )
    assessed_on = forms.DateField(label="Date of the assessment", widget=DateInput)
    review_on = forms.DateField(label="Date of the next review", widget=DateInput)
    outcomes = forms.MultipleChoiceField(
        label="Assessed outcomes",
        choices=Outcome.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="The Care Act outcomes the client needs support with.",
    )
    payment_route = forms.ChoiceField(
        label="How the money is paid", choices=PaymentRoute.choices, widget=forms.RadioSelect
    )

    @classmethod
    def initial_from(cls, budget: Budget | None) -> dict[str, Any]:
        if budget is None:
            return {}
        names = list(cls.base_fields)
        return {name: getattr(budget, name) for name in names}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("assessed_on") and data.get("review_on") and data["review_on"] < data["assessed_on"]:
            self.add_error("review_on", "The review date cannot be before the assessment date.")
        amount, contribution = data.get("annual_amount"), data.get("client_contribution")
        if amount is not None and contribution is not None and contribution > amount:
            self.add_error("client_contribution", "The client's contribution cannot be more than the whole budget.")
        return data


class PlanStartForm(forms.Form):
    client = forms.TypedChoiceField(label="Who is the plan for?", coerce=int, widget=forms.RadioSelect)

    def __init__(self, *args: Any, clients: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].choices = clients  # type: ignore[attr-defined]


class PlanDetailsForm(forms.Form):
    """The summary, and what each assessed outcome means for this person, in their own words."""

    summary = forms.CharField(
        label="Summary of the plan",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A few sentences about what the person wants from their support.",
    )

    def __init__(self, *args: Any, outcomes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outcome_codes = outcomes
        for code in outcomes:
            label = Outcome(code).label if code in Outcome.values else code
            self.fields[f"outcome_{code}"] = forms.CharField(
                label=f"{label}: in the client's own words",
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def outcome_items(self) -> list[dict[str, str]]:
        return [
            {"code": code, "description": self.cleaned_data.get(f"outcome_{code}", "")} for code in self.outcome_codes
        ]


def _category_choices() -> list:
    """Nothing chosen at first; what a budget may never pay for is grouped apart, so nobody picks it by accident."""
    ordered = sorted(LINE_CATEGORIES.items(), key=lambda item: str(item[1]))
    allowed = [item for item in ordered if item[0] not in PROHIBITED_CATEGORIES]
    refused = [item for item in ordered if item[0] in PROHIBITED_CATEGORIES]
    return [("", "Choose the kind of spending"), *allowed, ("A personal budget cannot pay for", refused)]


class LineForm(forms.Form):
    listing = forms.IntegerField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(label="What is it?", max_length=300)
    category = forms.ChoiceField(
        label="Kind of spending",
        choices=_category_choices(),
        error_messages={"required": "Choose the kind of spending"},
    )
    unit_cost = forms.DecimalField(
        label="Cost each time, in pounds", max_digits=10, decimal_places=2, min_value=Decimal("0")
    )
    units = forms.DecimalField(
        label="How many each time",
        max_digits=8,
        decimal_places=2,
        min_value=Decimal("0.01"),
        initial=Decimal("1"),
        help_text="For example 1 session, or 2 hours.",
    )
    frequency = forms.ChoiceField(label="How often", choices=Frequency.choices, initial=Frequency.WEEKLY)
    outcomes = forms.MultipleChoiceField(
        label="What is it for?", required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )

    def __init__(self, *args: Any, outcomes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(code, Outcome(code).label) for code in outcomes if code in Outcome.values]
        self.fields["outcomes"].choices = choices  # type: ignore[attr-defined]


class ListingSearchForm(forms.Form):
    q = forms.CharField(label="Search activities", required=False, max_length=200)


class ChangeRequestForm(forms.Form):
    message = forms.CharField(
        label="What would you like to change?",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Your broker will get your message and can change the plan with you.",
    )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Your decision",
        widget=forms.RadioSelect,
        choices=[
            ("approved", "Approve the plan"),
            ("changes_requested", "Ask for changes"),
            ("declined", "Decline the plan"),
        ],
    )
    reasons = forms.CharField(
        label="Reasons",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed when you ask for changes or decline. Put each reason on its own line.",
    )
    note = forms.CharField(
        label="Note for the client and broker",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        reasons = [line.strip() for line in data.get("reasons", "").splitlines() if line.strip()]
        data["reason_list"] = reasons
        if data.get("outcome") in ("changes_requested", "declined") and not reasons:
            self.add_error("reasons", "Give at least one reason when you ask for changes or decline.")
        return data


class QueueFilterForm(forms.Form):
    mine = forms.BooleanField(label="Assigned to me", required=False)
    unassigned = forms.BooleanField(label="Not assigned", required=False)
    overdue = forms.BooleanField(label="Waiting 5 working days or more", required=False)
