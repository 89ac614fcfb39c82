"""allauth's forms with plain-English labels and hints (wired in through ACCOUNT_FORMS and MFA_FORMS).

Only the words change: validation, rate limits and the headless API stay allauth's own.
"""

from typing import Any

from allauth.account import forms as account_forms
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from django import forms

PASSWORD_HINT = "Use at least 10 characters. Do not use a common password or only numbers."
CODE_HINT = "The 6-digit code shown in your authenticator app."


def _short_code_input(form: forms.Form) -> None:
    """A security code is 6 digits (a recovery code 8 characters): a short box says so."""
    if "code" in form.fields:
        form.fields["code"].widget.attrs["class"] = "nhsuk-input--width-10"
        form.fields["code"].widget.attrs["inputmode"] = "text"
        form.fields["code"].widget.attrs["spellcheck"] = "false"


REQUIRED = {
    "login": "Enter your email address",
    "email": "Enter your email address",
    "password": "Enter your password",
    "oldpassword": "Enter your current password",
    "password1": "Enter a password",
    "password2": "Enter the password again",
    "code": "Enter the code from your authenticator app",
}


def _words(form: forms.Form, labels: dict[str, str], hints: dict[str, str] | None = None) -> None:
    """Set labels, hints and "what to do" error messages on the fields the form has.

    allauth drops some fields depending on settings, so only fields that exist are touched.
    """
    for name, label in labels.items():
        if name in form.fields:
            form.fields[name].label = label
    for name, hint in (hints or {}).items():
        if name in form.fields:
            form.fields[name].help_text = hint
    for name, message in REQUIRED.items():
        if name in form.fields:
            form.fields[name].error_messages = {**form.fields[name].error_messages, "required": message}


class LoginForm(account_forms.LoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _words(
            self,
            {"login": "Email address", "password": "Password", "remember": "Keep me logged in on this device"},
            {"password": ""},
        )


class SignupForm(account_forms.SignupForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _words(
            self,
            {"email": "Email address", "password1": "Create a password"},
            {"email": "We will send you an email to check it is yours.", "password1": PASSWORD_HINT},
        )
        self.fields["password1"].error_messages["required"] = "Create a password"
        self.order_fields(["name", "email", "password1", "password2", "role"])


class ResetPasswordForm(account_forms.ResetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _words(self, {"email": "Email address"})


class ResetPasswordKeyForm(account_forms.ResetPasswordKeyForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _words(
            self,
            {"password1": "New password", "password2": "Type the new password again"},
            {"password1": PASSWORD_HINT},
        )


class ChangePasswordForm(account_forms.ChangePasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _words(
            self,
            {
                "oldpassword": "Current password",
                "password1": "New password",
                "password2": "Type the new password again",
            },
            {"oldpassword": "", "password1": PASSWORD_HINT},
        )


class SetPasswordForm(account_forms.SetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _words(
            self,
            {"password1": "Password", "password2": "Type the password again"},
            {"password1": PASSWORD_HINT},
        )


class AddEmailForm(account_forms.AddEmailForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _words(self, {"email": "Email address"}, {"email": "We will send you an email to check it is yours."})


class ReauthenticateForm(account_forms.ReauthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _words(self, {"password": "Password"}, {"password": ""})


class AuthenticateForm(mfa_forms.AuthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _short_code_input(self)
        _words(
            self,
            {"code": "Security code"},
            {"code": "The 6-digit code shown in your authenticator app, or one of your recovery codes."},
        )


class MFAReauthenticateForm(mfa_forms.ReauthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _short_code_input(self)
        _words(self, {"code": "Security code"}, {"code": CODE_HINT})


class ActivateTOTPForm(totp_forms.ActivateTOTPForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _short_code_input(self)
        _words(self, {"code": "Security code"}, {"code": CODE_HINT})
