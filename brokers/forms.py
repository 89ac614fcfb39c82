from decimal import Decimal
from typing import Any

from django import forms

from brokers.models import BrokerProfile, Specialism
from brokers.services import HOURLY_RATE_MAX, LANGUAGE_CODE
from config.choices import Area

LANGUAGE_NAMES = {
    "en": "English",
    "pl": "Polish",
    "ne": "Nepali",
    "pa": "Punjabi",
    "ur": "Urdu",
    "ro": "Romanian",
    "lt": "Lithuanian",
    "bg": "Bulgarian",
    "tr": "Turkish",
    "ku": "Kurdish",
    "gu": "Gujarati",
    "fr": "French",
    "es": "Spanish",
    "ar": "Arabic",
    "bn": "Bengali",
    "sq": "Albanian",
}


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


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
        choices=[("", "Any language"), *sorted(LANGUAGE_NAMES.items(), key=lambda i: i[1])],
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
    languages = forms.CharField(
        label="Languages you can work in",
        required=False,
        help_text="Two-letter codes separated by commas, for example: en, pl",
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
        if self.instance and not self.is_bound:
            self.initial["languages"] = ", ".join(self.instance.languages)

    def clean_languages(self) -> list[str]:
        raw = self.cleaned_data.get("languages") or ""
        codes = [code.strip().lower() for code in raw.replace(" ", ",").split(",") if code.strip()]
        if wrong := [code for code in codes if not LANGUAGE_CODE.match(code)]:
            raise forms.ValidationError(f"Use two-letter language codes such as en or pl, not: {', '.join(wrong)}")
        return codes


class InterestForm(forms.Form):
    organization: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Organisation",
        queryset=None,
        empty_label="Choose an organisation",
        error_messages={"required": "Choose the organisation"},
    )
    nature = forms.CharField(
        label="What is your link with it?",
        max_length=300,
        help_text="For example: my partner runs it, I am paid to teach there, I am a trustee.",
        error_messages={"required": "Say what your link with the organisation is"},
    )

    def __init__(self, *args: Any, **kwargs: Any):
        from providers.models import Organization

        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.order_by("name")  # type: ignore[attr-defined]


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
