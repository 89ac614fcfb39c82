"""The spending pages' forms: a statement upload and a hand match."""

from __future__ import annotations

from typing import Any

from django import forms

from spending.parsing import MAX_BYTES

NO_LINE = "none"


class StatementUploadForm(forms.Form):
    file = forms.FileField(
        label="Statement file",
        help_text=f"A CSV or OFX file from the Kent Card website or your bank, up to {MAX_BYTES // (1024 * 1024)} MB. "
        "Adding the same statement twice is fine: payments already here are not added again.",
        error_messages={
            "required": "Choose a statement file to upload",
            "empty": "The file is empty. Download the statement again and choose that file",
            "invalid": "Choose a statement file to upload",
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.ofx,.qfx,text/csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB. Split it into smaller statements"
            )
        return upload


class MatchForm(forms.Form):
    line = forms.ChoiceField(
        label="What does this payment pay for?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what this payment pays for, or none of these"},
    )

    def __init__(self, *args: Any, lines: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [  # type: ignore[attr-defined]
            *((str(line_id), label) for line_id, label in lines),
            (NO_LINE, "None of these: it is not for anything in the plan"),
        ]

    def line_id(self) -> int | None:
        value = self.cleaned_data["line"]
        return None if value == NO_LINE else int(value)
