"""Forms of the plan pages: they clean input only; every rule lives in services, checks and permissions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms

from config.choices import Outcome
from plans import councils
from plans.models import (
    LINE_CATEGORIES,
    PROHIBITED_CATEGORIES,
    Budget,
    Council,
    Eligibility,
    Frequency,
    PaymentRoute,
    ReviewProgress,
    ReviewResult,
)
from plans.presenters import outcome_short


class DateInput(forms.DateInput):
    input_type = "date"


class ClientFindForm(forms.Form):
    q = forms.CharField(
        label="Client's email address or name",
        max_length=150,
        help_text="For example, sam@example.org or Sam Patel",
        error_messages={"required": "Enter the client's email address or name"},
    )


class DayMonthYearWidget(forms.MultiWidget):
    """GOV.UK date input: day, month and year boxes (`plans/_date_input.html` draws them)."""

    nhsuk_date = True
    template_name = "django/forms/widgets/multiwidget.html"

    def __init__(self) -> None:
        numeric = {"inputmode": "numeric"}
        super().__init__(
            {"day": forms.TextInput(numeric), "month": forms.TextInput(numeric), "year": forms.TextInput(numeric)}
        )

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if name in data:  # one ISO date (2026-04-01), as a single date box or a script sends it
            return data.get(name)
        return super().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and super().value_omitted_from_data(data, files, name)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class DayMonthYearField(forms.Field):
    """A date typed as day, month and year, with GOV.UK's messages: what is missing, or that it is not a real date."""

    widget = DayMonthYearWidget

    def __init__(self, *, label: str, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "For example, 1 4 2026")
        super().__init__(label=label, **kwargs)
        if "required" not in (kwargs.get("error_messages") or {}):
            self.error_messages["required"] = f"Enter the {label[0].lower()}{label[1:]}"

    def _problem(self, words: str) -> forms.ValidationError:
        return forms.ValidationError(f"The {self.label[0].lower()}{self.label[1:]} {words}", code="invalid")  # type: ignore[index]

    def to_python(self, value: Any) -> date | None:
        if isinstance(value, date) or value is None:
            return value
        if isinstance(value, str):
            value = DayMonthYearWidget().decompress(value) if value else ["", "", ""]
        parts = [str(part if part is not None else "").strip() for part in value]
        if not any(parts):
            return None
        missing = [name for name, part in zip(("a day", "a month", "a year"), parts, strict=True) if not part]
        if missing:
            raise self._problem("must include " + " and ".join(missing))
        if not all(part.isdigit() for part in parts):
            raise self._problem("must be a real date, written in numbers")
        if len(parts[2]) != 4:
            raise forms.ValidationError("The year must include 4 numbers, such as 2026", code="invalid")
        try:
            return date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            raise self._problem("must be a real date") from None


class PoundsField(forms.DecimalField):
    """An amount in pounds; "£12,000" is read as 12000, because that is how people write money. A text box (GOV.UK:
    number inputs refuse commas and change the amount when someone scrolls over them)."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false", "class": "nhsuk-input--width-10"})

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = value.strip().removeprefix("£").replace(",", "").strip()
        return super().to_python(value)


def _pounds_messages(what: str, example: str) -> dict[str, str]:
    return {
        "required": f"Enter {what} in pounds, such as {example}",
        "invalid": f"{what[0].upper()}{what[1:]} must be an amount in pounds, such as {example}",
        "min_value": f"{what[0].upper()}{what[1:]} must be £0 or more",
        "max_digits": f"{what[0].upper()}{what[1:]} must be less than £100,000,000",
        "max_whole_digits": f"{what[0].upper()}{what[1:]} must be less than £100,000,000",
        "max_decimal_places": f"{what[0].upper()}{what[1:]} can have pence, but no more than 2 numbers after the point",
    }


class BudgetForm(forms.Form):
    """What KMPT recorded at the assessment. Every field says, in its own words, how to fix what is wrong."""

    council = forms.ChoiceField(
        label="Council",
        choices=Council.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the council that pays the personal budget"},
    )
    eligibility = forms.ChoiceField(
        label="Eligibility",
        choices=Eligibility.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the client's eligibility from the assessment"},
    )
    annual_amount = PoundsField(
        label="Personal budget a year, in pounds",
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0"),
        help_text="For example, 12000",
        error_messages=_pounds_messages("the yearly budget", "12000"),
    )
    client_contribution = PoundsField(
        label="The client's own contribution a year, in pounds",
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0"),
        initial=Decimal("0.00"),
        help_text="Enter 0 if the client pays nothing towards it.",
        error_messages={
            **_pounds_messages("the client's contribution", "250"),
            "required": "Enter the client's own contribution a year in pounds, or 0 if they pay nothing",
        },
    )
    assessed_on = DayMonthYearField(label="Date of the assessment")
    review_on = DayMonthYearField(label="Date of the next review")
    outcomes = forms.MultipleChoiceField(
        label="Assessed outcomes",
        choices=Outcome.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="The Care Act outcomes the client needs support with.",
        error_messages={
            "required": "Select at least one outcome the client needs support with",
            "invalid_choice": "Select outcomes from the list",
        },
    )
    payment_route = forms.ChoiceField(
        label="How the money is paid",
        choices=PaymentRoute.choices,
        widget=forms.RadioSelect,
        help_text=councils.routes_hint(),
        error_messages={"required": "Select how the money is paid"},
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


class InvitedClientBudgetForm(BudgetForm):
    """A budget for someone KMPT assessed who may have no account yet: who they are, then the budget."""

    client_name = forms.CharField(
        label="Full name",
        max_length=150,
        error_messages={
            "required": "Enter the person's full name",
            "max_length": "The name must be 150 characters or fewer",
        },
    )
    client_email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We will email them an invitation to set up their account. "
        "If they already have an account with this address, the budget is added to it.",
        error_messages={
            "required": "Enter the person's email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )

    field_order = ["client_name", "client_email", *BudgetForm.base_fields]


class PlanStartForm(forms.Form):
    client = forms.TypedChoiceField(
        label="Who is the plan for?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who the plan is for", "invalid_choice": "Select who the plan is for"},
    )

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
    description = forms.CharField(
        label="What is it?",
        max_length=300,
        error_messages={
            "required": "Enter what it is, such as Yoga class",
            "max_length": "What it is must be 300 characters or fewer",
        },
    )
    category = forms.ChoiceField(
        label="Kind of spending",
        choices=_category_choices(),
        error_messages={"required": "Choose the kind of spending"},
    )
    unit_cost = PoundsField(
        label="Cost each time, in pounds",
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0"),
        error_messages={
            **_pounds_messages("the cost each time", "12.50"),
            "required": "Enter the cost each time in pounds, such as 12.50, or 0 if it is free",
        },
    )
    units = forms.DecimalField(
        label="How many each time",
        max_digits=8,
        decimal_places=2,
        min_value=Decimal("0.01"),
        initial=Decimal("1"),
        help_text="For example 1 session, or 2 hours.",
        error_messages={
            "required": "Enter how many each time, such as 1",
            "invalid": "How many each time must be a number, such as 1 or 1.5",
            "min_value": "How many each time must be more than 0",
            "max_digits": "How many each time must be less than 1,000,000",
            "max_whole_digits": "How many each time must be less than 1,000,000",
            "max_decimal_places": "How many each time can have no more than 2 numbers after the point",
        },
    )
    frequency = forms.ChoiceField(
        label="How often",
        choices=Frequency.choices,
        initial=Frequency.WEEKLY,
        error_messages={"required": "Choose how often", "invalid_choice": "Choose how often from the list"},
    )
    outcomes = forms.MultipleChoiceField(
        label="What is it for?", required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )

    def __init__(self, *args: Any, outcomes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(code, Outcome(code).label) for code in outcomes if code in Outcome.values]
        self.fields["outcomes"].choices = choices  # type: ignore[attr-defined]


class ListingSearchForm(forms.Form):
    q = forms.CharField(label="Search activities", required=False, max_length=200)


class AgreeForm(forms.Form):
    """The digest of the version the client read, so that the agreement is bound to exactly that."""

    digest = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)


class ChangeRequestForm(forms.Form):
    message = forms.CharField(
        label="What would you like to change?",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Your broker will get your message and can change the plan with you.",
        error_messages={
            "required": "Write what you would like to change",
            "max_length": "Your message must be 5,000 characters or fewer",
        },
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
        error_messages={"required": "Select your decision: approve, ask for changes or decline"},
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


# --- After approval -----------------------------------------------------------------------------------------------


def _outcome_name(code: str) -> str:
    return Outcome(code).label if code in Outcome.values else code


class ReviewForm(forms.Form):
    """A KMPT review: when, how each assessed outcome is going, what the client said, and what happens now.
    The answers are kept in the session between the form and the check-your-answers page (a draft)."""

    held_on = forms.DateField(
        label="Date of the review",
        widget=DateInput,
        help_text="The day the review was held.",
        error_messages={"required": "Enter the date of the review", "invalid": "Enter the date of the review"},
    )
    client_view = forms.CharField(
        label="What the client said",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="In the client's own words, where you can.",
    )
    summary = forms.CharField(
        label="Summary of the review", required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
    )
    result = forms.ChoiceField(
        label="What happens now",
        choices=ReviewResult.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what happens now"},
    )

    def __init__(self, *args: Any, outcomes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outcome_codes = outcomes
        held_on, rest = self.fields.pop("held_on"), dict(self.fields)
        self.fields.clear()
        self.fields["held_on"] = held_on
        for code in outcomes:
            name = _outcome_name(code)
            self.fields[f"progress_{code}"] = forms.ChoiceField(
                label=f"{name}: how is it going?",
                choices=ReviewProgress.choices,
                widget=forms.RadioSelect,
                error_messages={"required": f"Say how the client is doing with {name.lower()}"},
            )
            self.fields[f"note_{code}"] = forms.CharField(
                label=f"Notes on {name.lower()}",
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.fields.update(rest)

    def outcome_rows(self) -> list[dict[str, Any]]:
        """Each outcome's two fields together, for the template."""
        return [
            {
                "code": code,
                "label": _outcome_name(code),
                "progress": self[f"progress_{code}"],
                "note": self[f"note_{code}"],
            }
            for code in self.outcome_codes
        ]

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "held_on": data["held_on"],
            "outcomes": [
                {"code": code, "progress": data[f"progress_{code}"], "note": data[f"note_{code}"]}
                for code in self.outcome_codes
            ],
            "client_view": data["client_view"],
            "summary": data["summary"],
            "result": data["result"],
        }

    def draft(self) -> dict[str, str]:
        """What was typed, as plain strings for the session."""
        return {name: str(value) for name, value in self.cleaned_data.items()}


class OutcomeViewsForm(forms.Form):
    """The client's (or broker's) view of each outcome before the next review."""

    def __init__(self, *args: Any, outcomes: list[str], writer: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outcome_codes = outcomes
        for code in outcomes:
            # The client reads the outcome's everyday name, with the Care Act's name in the hint.
            client = writer == "your"
            hint = f"How is this going, in {writer} words? Leave it empty to say nothing."
            self.fields[f"view_{code}"] = forms.CharField(
                label=outcome_short(code) if client else _outcome_name(code),
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=f"Care Act outcome: {_outcome_name(code).lower()}. {hint}" if client else hint,
            )

    def views(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"view_{code}", "") for code in self.outcome_codes}
