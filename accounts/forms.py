from typing import Any

from django import forms

from accounts.models import SELF_SIGNUP_ROLES, Role


class RoleSignupForm(forms.Form):
    """Extra sign-up fields, used by allauth's page and its headless API alike."""

    name = forms.CharField(
        label="Your name",
        max_length=150,
        required=False,
        help_text="What should we call you? You can leave this blank.",
    )
    role = forms.ChoiceField(
        label="I am signing up as",
        choices=[(role.value, role.label) for role in SELF_SIGNUP_ROLES],
        required=False,
        initial=Role.CLIENT,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": "Choose client, broker or provider. Reviewers are added by an administrator."
        },
    )

    def clean_role(self) -> str:
        return self.cleaned_data.get("role") or Role.CLIENT

    def signup(self, request: Any, user: Any) -> None:
        """allauth calls this after saving; the adapter already set the role."""


EMAIL_INVALID = "Enter an email address like name@example.org"


class HelperInviteForm(forms.Form):
    """A client asks someone to help them."""

    name = forms.CharField(label="Their name", max_length=150, error_messages={"required": "Enter their name"})
    email = forms.EmailField(
        label="Their email address",
        help_text="We send them an email. They sign in with their own account at this address.",
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address like name@example.org",
        },
    )
    relationship = forms.ChoiceField(
        label="How do they help you?",
        widget=forms.RadioSelect,
        choices=[("family", "A family member"), ("carer", "A carer"), ("advocate", "An independent advocate")],
        error_messages={"required": "Choose how they help you"},
    )
    scope = forms.MultipleChoiceField(
        label="What may they do?",
        widget=forms.CheckboxSelectMultiple,
        choices=[
            ("view", "See my plan and my budget"),
            ("message", "Message my broker for me"),
            ("agree", "Agree to a plan my broker shares, for me"),
        ],
        help_text="You can change your mind at any time and take this away.",
        error_messages={"required": "Choose at least one thing they may do"},
    )


class LegalAuthorityForm(forms.Form):
    """A KMPT reviewer records an appointee, attorney or deputy for a client who lacks capacity."""

    name = forms.CharField(label="Their name", max_length=150, error_messages={"required": "Enter their name"})
    email = forms.EmailField(
        label="Their email address",
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address like name@example.org",
        },
    )
    relationship = forms.ChoiceField(
        label="Kind of authority",
        widget=forms.RadioSelect,
        choices=[
            ("appointee", "Appointee (DWP)"),
            ("attorney", "Attorney under a Lasting Power of Attorney"),
            ("deputy", "Deputy appointed by the Court of Protection"),
        ],
        error_messages={"required": "Choose the kind of authority"},
    )
    reference = forms.CharField(
        label="Reference",
        max_length=100,
        help_text="For example the LPA registration number or the court order number.",
        error_messages={"required": "Enter the reference of the authority"},
    )
    valid_from = forms.DateField(
        label="Starts on",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Enter the date the authority starts", "invalid": "Enter a real date"},
    )
    valid_until = forms.DateField(
        label="Ends on",
        required=False,
        help_text="Leave this empty if the authority has no end date.",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a real date"},
    )


class SetPasswordForm(forms.Form):
    password = forms.CharField(
        label="Choose a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters. A few words you will remember work well.",
        error_messages={"required": "Choose a password"},
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Why (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class DecisionReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why"},
    )
