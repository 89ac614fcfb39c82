from typing import Any

from django import forms

from accounts.models import Role, User
from charter.models import CharterVersion


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
    broker = forms.ModelChoiceField(
        label="Which broker is this about?",
        queryset=User.objects.filter(role=Role.BROKER, is_active=True).select_related("broker_profile"),
        empty_label="Choose a broker",
        error_messages={"required": "Choose the broker this is about", "invalid_choice": "Choose a broker"},
    )
    text = forms.CharField(
        label="What happened?",
        help_text="Tell us what the broker did or did not do. An administrator will read this and may contact you.",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        error_messages={"required": "Tell us what happened"},
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["broker"].label_from_instance = lambda user: (  # type: ignore[attr-defined]
            getattr(getattr(user, "broker_profile", None), "display_name", "") or user.display_name
        )


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
