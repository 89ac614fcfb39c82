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
