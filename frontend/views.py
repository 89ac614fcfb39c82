from allauth.account.models import EmailAddress
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.mfa import mfa_must_enrol


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/home.html")


def crisis(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/crisis.html")


def _role(user: object) -> str:
    return "admin" if user.is_staff else user.role  # type: ignore[attr-defined]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    role = _role(request.user)
    context = {"role": role, "mfa_must_enrol": mfa_must_enrol(request.user)}
    return render(request, f"frontend/dashboard_{role}.html", context)


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """Account settings in one place: email, password and extra security."""
    user = request.user
    primary = EmailAddress.objects.filter(user=user, primary=True).first()  # type: ignore[misc]
    context = {
        "role": _role(user),
        "primary_email": primary,
        "mfa_enabled": is_mfa_enabled(user),  # type: ignore[arg-type]
        "mfa_must_enrol": mfa_must_enrol(user),
    }
    return render(request, "frontend/account.html", context)
