from typing import Any

from django import forms

from charter.models import CharterVersion
from charter.permissions import concern_subjects_for
from charter.services import CONCERN_TEXT_MAX, NOT_NAMEABLE


class SignCharterForm(forms.Form):
    """One tick box per principle; every one must be ticked."""

    def __init__(self, *args: Any, charter: CharterVersion, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for principle in charter.principles.all():
            self.fields[principle.key] = forms.BooleanField(
                label=f"I agree to keep this principle: {principle.title}",
                required=True,
                error_messages={"required": f"Tick the box to agree to “{principle.title}”"},
            )

    def attestations(self) -> dict[str, bool]:
        return {key: bool(value) for key, value in self.cleaned_data.items()}


class ConcernForm(forms.Form):
    """Only the brokers this person may name (listed ones, and the ones they worked with), by the name they show."""

    broker: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Which broker is this about?",
        queryset=None,
        empty_label="Choose a broker",
        error_messages={"required": "Choose the broker this is about", "invalid_choice": NOT_NAMEABLE},
    )
    text = forms.CharField(
        label="What happened?",
        help_text="Tell us what the broker did or did not do. An administrator will read this and may contact you.",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=CONCERN_TEXT_MAX,
        error_messages={
            "required": "Tell us what happened",
            "max_length": f"Keep it to {CONCERN_TEXT_MAX:,} characters or fewer",
        },
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["broker"]
        field.queryset = concern_subjects_for(user)  # type: ignore[attr-defined]
        field.label_from_instance = broker_label  # type: ignore[attr-defined]


def broker_label(user: Any) -> str:
    """The name a broker shows people; never their email address."""
    return getattr(user, "display_label", "") or user.name or "A support broker"


class SuspendForm(forms.Form):
    reason = forms.CharField(
        label="Reason for suspending",
        help_text="The broker will be removed from the directory at once. Say why.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Give a reason for suspending"},
    )


class ResolveConcernForm(forms.Form):
    resolution = forms.CharField(
        label="What was done?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Say what was done about this concern"},
    )
