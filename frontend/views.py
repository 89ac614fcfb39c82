from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from accounts.mfa import mfa_must_enrol
from charter.models import ConcernStatus, SignatureStatus
from charter.selectors import concerns_visible_to, signatures_visible_to
from providers.selectors import organizations_awaiting_verification, stale_reports_visible_to


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/home.html")


def crisis(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/crisis.html")


def _role(user: object) -> str:
    return "admin" if user.is_staff else user.role  # type: ignore[attr-defined]


def _admin_waiting(user: Any) -> list[tuple[str, str]]:
    """What is waiting for an administrator, as (what, where), leaving out the queues that are empty."""
    queues = [
        (
            signatures_visible_to(user).filter(status=SignatureStatus.PENDING).count(),
            ("charter signature to check", "charter signatures to check"),
            reverse("charter-signatures"),
        ),
        (
            concerns_visible_to(user).filter(status=ConcernStatus.OPEN).count(),
            ("open concern about a broker", "open concerns about brokers"),
            reverse("charter-concerns"),
        ),
        (
            organizations_awaiting_verification().count(),
            ("organisation to verify", "organisations to verify"),
            reverse("providers:organizations-to-verify"),
        ),
        (
            stale_reports_visible_to(user).count(),
            ("report that a listing is out of date", "reports that a listing is out of date"),
            reverse("providers:stale-reports"),
        ),
    ]
    return [(f"{count} {names[count != 1]}", href) for count, names, href in queues if count]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    role = _role(request.user)
    context: dict[str, Any] = {"role": role, "mfa_must_enrol": mfa_must_enrol(request.user)}
    if role == "admin":
        context["waiting"] = _admin_waiting(request.user)
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
