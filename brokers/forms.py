from decimal import Decimal
from typing import Any

from django import forms

from brokers.languages import KENT_AND_MEDWAY_LANGUAGES, language_name
from brokers.models import BrokerProfile, Specialism
from brokers.onboarding import PROFILE_CODES
from brokers.services import HOURLY_RATE_MAX
from config.choices import Area


class BrokerSearchForm(forms.Form):
    """The search page's filters; submitted with GET so the back button and shared links keep them."""

    q = forms.CharField(label="Search by name or words", required=False, max_length=200)
    area = forms.ChoiceField(label="Area", required=False, choices=[("", "Any area"), *Area.choices])
    specialism = forms.ChoiceField(
        label="Specialism", required=False, choices=[("", "Any specialism"), *Specialism.choices]
    )
    language = forms.ChoiceField(
        label="Language",
        required=False,
        choices=[("", "Any language"), *sorted(KENT_AND_MEDWAY_LANGUAGES, key=lambda i: i[1])],
    )
    max_rate = forms.DecimalField(
        label="Highest hourly rate, in pounds", required=False, min_value=Decimal(0), max_digits=8, decimal_places=2
    )
    accepting = forms.BooleanField(label="Only brokers taking new clients", required=False)

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "q": data.get("q") or "",
            "area": data.get("area") or None,
            "specialism": data.get("specialism") or None,
            "language": data.get("language") or None,
            "max_rate": data.get("max_rate"),
            "accepting": True if data.get("accepting") else None,
        }


class BrokerProfileForm(forms.ModelForm):
    areas = forms.MultipleChoiceField(
        label="Areas you work in",
        choices=Area.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Choose “Kent (all districts)” if you work across the whole county.",
    )
    specialisms = forms.MultipleChoiceField(
        label="Specialisms", choices=Specialism.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    languages = forms.MultipleChoiceField(
        label="Languages you can work in",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose every language you can hold a conversation in.",
    )
    hourly_rate = forms.DecimalField(
        label="Hourly rate, in pounds",
        required=False,
        min_value=Decimal(0),
        max_value=HOURLY_RATE_MAX,
        max_digits=8,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "nhsuk-input--width-5"}),
        error_messages={
            "min_value": "Enter an hourly rate of £0.00 or more",
            "max_value": f"Enter an hourly rate of £{HOURLY_RATE_MAX} or less",
            "invalid": "Enter an hourly rate in pounds, like 30 or 32.50",
        },
    )

    class Meta:
        model = BrokerProfile
        fields = ["display_name", "bio", "areas", "specialisms", "languages", "hourly_rate", "accepting_clients"]
        labels = {
            "display_name": "Name shown to people",
            "bio": "About you",
            "accepting_clients": "I am taking new clients",
        }
        help_texts = {"bio": "How you work, your experience, and what people can expect from you."}
        widgets = {"bio": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # A profile saves without these, but the broker is listed only with them: the labels say so, not "(optional)".
        for name in PROFILE_CODES:
            self.fields[name].needed_to_be_listed = "needed to be listed"  # type: ignore[attr-defined]
        # The languages of Kent and Medway by name; a code set through the API that is not among them stays on offer.
        offered = dict(KENT_AND_MEDWAY_LANGUAGES)
        kept = [code for code in getattr(self.instance, "languages", []) or [] if code not in offered]
        self.fields["languages"].choices = [  # type: ignore[attr-defined]
            *KENT_AND_MEDWAY_LANGUAGES,
            *((code, language_name(code)) for code in kept),
        ]

    def clean_display_name(self) -> str:
        name = self.cleaned_data.get("display_name") or ""
        if any(char in name for char in "\r\n\t"):
            raise forms.ValidationError("Your name must be on one line, without line breaks or tabs")
        return name


class InterestForm(forms.Form):
    """Verified organisations only (the ones anyone can see), and any the broker declared before."""

    organization: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Organisation",
        queryset=None,
        empty_label="Choose an organisation",
        error_messages={
            "required": "Choose the organisation",
            "invalid_choice": "Choose an organisation from the list",
        },
    )
    nature = forms.CharField(
        label="What is your link with it?",
        max_length=300,
        help_text="For example: my partner runs it, I am paid to teach there, I am a trustee.",
        error_messages={"required": "Say what your link with the organisation is"},
    )

    def __init__(self, *args: Any, user: Any, profile: BrokerProfile, **kwargs: Any):
        from django.db.models import Q

        from providers.models import Organization
        from providers.selectors import organizations_visible_to

        super().__init__(*args, **kwargs)
        visible = organizations_visible_to(user).values("pk")
        declared = profile.interests.values("organization_id")
        self.fields["organization"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            Q(pk__in=visible) | Q(pk__in=declared)
        ).order_by("name")


class AskBrokerForm(forms.Form):
    message = forms.CharField(
        label="Your message",
        help_text="Say a little about what you would like help with. Only this broker will read it.",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        strip=False,
        error_messages={
            "required": "Write a message to the broker",
            "max_length": "Keep your message to 5,000 characters or fewer",
        },
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Your message",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        strip=False,
        error_messages={"required": "Write a message", "max_length": "Keep your message to 5,000 characters or fewer"},
    )


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="How would you rate your broker?",
        choices=[(5, "5: very good"), (4, "4: good"), (3, "3: okay"), (2, "2: poor"), (1, "1: very poor")],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a rating from 1 to 5"},
    )
    text = forms.CharField(
        label="Tell us more",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What went well, and what could be better?",
    )
