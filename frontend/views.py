from typing import Any, cast

from allauth.account.models import EmailAddress
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from accounts.mfa import mfa_must_enrol
from accounts.models import ErasureRequest, ErasureStatus
from charter.models import ConcernStatus, SignatureStatus
from charter.selectors import concerns_visible_to, signatures_visible_to
from frontend.next_steps import helps_others_only, next_steps
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
            ErasureRequest.objects.filter(status=ErasureStatus.REQUESTED).count() if user.is_staff else 0,
            ("request to erase a person's data", "requests to erase people's data"),
            reverse("erasure-queue"),
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
    context["next_steps"] = next_steps(request.user, admin_waiting=context.get("waiting"))[:3]
    context["helps_others_only"] = helps_others_only(request.user)
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


def privacy(request: HttpRequest) -> HttpResponse:
    """The privacy notice: what, why, lawful basis, how long, rights, the controller's contact."""
    return render(request, "frontend/privacy.html")


@login_required
def who_can_see(request: HttpRequest) -> HttpResponse:
    """A client's page: each person and team that can see what of their records now, and why."""
    from accounts.models import Representative
    from brokers.models import Engagement, EngagementStatus
    from plans.models import Plan

    user = cast(Any, request.user)
    context = {
        "brokers": Engagement.objects.filter(client=user, status=EngagementStatus.ACTIVE).select_related("broker"),
        "helpers": Representative.objects.filter(client=user, status="active"),
        "submitted": Plan.objects.filter(client=user, first_submitted_at__isnull=False).exists(),
    }
    return render(request, "frontend/who_can_see.html", context)


def _person_helped(user: Any, rep: Any) -> dict[str, Any]:
    """What this helper may open of one client's records, through the same scoped reads as everywhere; what the
    page shows is noted in the client's access log, as read by the helper for them."""
    from accounts.selectors import represents
    from brokers.selectors import engagements_visible_to
    from plans import access
    from plans.selectors import budget_current_visible_to, plans_visible_to

    plans = list(plans_visible_to(user).filter(client=rep.client).prefetch_related(None).order_by("-updated_at")[:5])
    budget = budget_current_visible_to(user, rep.client)
    access.plans_read(user, plans)
    access.budgets_read(user, [budget] if budget else [])
    return {
        "person": rep.client,
        "rep": rep,
        "sees_records": represents(user, rep.client_id, "view"),
        "plans": plans,
        "budget": budget,
        "conversations": engagements_visible_to(user).filter(client=rep.client).exists(),
    }


@login_required
def people_i_help(request: HttpRequest) -> HttpResponse:
    """A representative's dashboard: the people they act for, each with what their scope lets them open."""
    from accounts.models import Representative
    from accounts.selectors import representations_active

    reps = representations_active(request.user).select_related("client")
    people = [_person_helped(request.user, rep) for rep in reps]
    invitations = Representative.objects.filter(email__iexact=request.user.email, status="invited")  # type: ignore[union-attr]
    return render(request, "frontend/people_i_help.html", {"people": people, "invitations": invitations})
