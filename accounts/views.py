"""Pages about people: who helps a client and how, invitations, and the person's data rights."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.decorators import staff_required
from accounts.forms import DecisionReasonForm, HelperInviteForm, LegalAuthorityForm, ReasonForm, SetPasswordForm
from accounts.models import DataExport, ErasureRequest, ErasureStatus, Representative, Role, User
from accounts.retention import retention_due
from accounts.services.invitations import client_invitation_for
from accounts.services.representatives import token_matches
from audit.models import AccessLog
from config.errors import ServiceError
from config.pages import attempt, raise_for_refusal
from config.throttles import page_limit


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _form_errors(request: HttpRequest, form: Any, error: ServiceError) -> None:
    """A service's refusal onto the form, field by field where it names one, so nothing typed is lost."""
    raise_for_refusal(request, error)
    placed = False
    for field, problems in error.extra.items():
        if field in form.fields and isinstance(problems, list):
            form.add_error(field, problems)
            placed = True
    if not placed:
        form.add_error(None, error.message)


# --- People who help a client -------------------------------------------------------------------------------------


@login_required
@page_limit("email")
def people_who_help_me(request: HttpRequest) -> HttpResponse:
    """The client's page: who helps them, what each may do, and asking someone new."""
    user = _user(request)
    if user.role != Role.CLIENT:
        raise PermissionDenied
    form = HelperInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.representative_invite(by=user, **form.cleaned_data)
        except ServiceError as error:
            _form_errors(request, form, error)
        else:
            messages.success(request, f"We have emailed {form.cleaned_data['name']} to ask them to help you.")
            return redirect("people-who-help-me")
    helpers = Representative.objects.filter(client=user).exclude(status="revoked").order_by("-created_at")
    return render(request, "accounts/people_who_help_me.html", {"form": form, "helpers": helpers})


@login_required
def representative_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmation page, then the end of the representation (the client's, or a reviewer's)."""
    rep = get_object_or_404(selectors.representatives_visible_to(_user(request)), pk=pk)
    if _user(request).pk != rep.client_id and _user(request).role != Role.REVIEWER:
        raise PermissionDenied
    back = (
        reverse("people-who-help-me")
        if _user(request).pk == rep.client_id
        else reverse("client-representatives", args=[rep.client_id])
    )
    if request.method == "POST":
        if attempt(request, services.representative_revoke, representative=rep, by=_user(request)):
            messages.success(request, f"{rep.name or rep.email} can no longer see or do anything for {rep.client}.")
        return redirect(back)
    return render(request, "accounts/representative_revoke.html", {"rep": rep, "back": back})


@login_required
def representative_invitation(request: HttpRequest, pk: int) -> HttpResponse:
    """The invited person (signed in with the invited address) reads what they are asked, and accepts."""
    rep = get_object_or_404(Representative.objects.select_related("client"), pk=pk)
    token = request.GET.get("token") or request.POST.get("token", "")
    if not token_matches(rep, token):
        raise PermissionDenied("This link is not valid.")
    if request.method == "POST":
        if attempt(request, services.representative_accept, representative=rep, by=_user(request)):
            messages.success(request, f"You are now helping {rep.client.name or 'them'}.")
            return redirect("people-i-help")
        return redirect(request.get_full_path())
    wrong_address = rep.email.lower() != _user(request).email.lower()
    return render(
        request, "accounts/representative_invitation.html", {"rep": rep, "token": token, "wrong_address": wrong_address}
    )


@login_required
def client_representatives(request: HttpRequest, client_id: int) -> HttpResponse:
    """A KMPT reviewer's view of a client's representatives and legal authorities, and recording one."""
    if _user(request).role != Role.REVIEWER:
        raise PermissionDenied
    client = get_object_or_404(User, pk=client_id, role=Role.CLIENT)
    form = LegalAuthorityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.representative_record(by=_user(request), client=client, **form.cleaned_data)
        except ServiceError as error:
            _form_errors(request, form, error)
        else:
            messages.success(request, f"The authority is recorded. We have emailed {form.cleaned_data['name']}.")
            return redirect("client-representatives", client_id=client.pk)
    reps = Representative.objects.filter(client=client).select_related("person").order_by("-created_at")
    context = {"client": client, "reps": reps, "form": form, "now": timezone.now()}
    return render(request, "accounts/client_representatives.html", context)


def client_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Someone KMPT invited chooses a password: their address is verified and they are signed in."""
    invitation = client_invitation_for(token)
    form = SetPasswordForm(request.POST or None)
    if invitation is None or invitation.accepted_at is not None:
        return render(request, "accounts/client_invitation.html", {"used": True}, status=404)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.client_invitation_accept(token=token, password=form.cleaned_data["password"])
        except ServiceError as error:
            _form_errors(request, form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Your account is ready. Welcome to Waymark.")
            return redirect("dashboard")
    return render(request, "accounts/client_invitation.html", {"form": form, "invitation": invitation})


@login_required
@require_POST
def client_invitation_resend(request: HttpRequest, client_id: int) -> HttpResponse:
    """A reviewer sends an invited client a fresh link; back to the page they came from, on this site only."""
    # Refused before the lookup, so nobody else can tell which ids are clients'.
    if _user(request).role != Role.REVIEWER:
        raise PermissionDenied
    client = get_object_or_404(User, pk=client_id, role=Role.CLIENT)
    if attempt(request, services.client_invitation_resend, user=client, by=_user(request)):
        messages.success(request, f"We have sent {client.name or client.email} a new link.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("client-representatives", args=[client.pk])
    return redirect(back)


# --- Data rights --------------------------------------------------------------------------------------------------


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    """Who read the person's records, when, and which (never what they said)."""
    rows = AccessLog.objects.filter(person=_user(request)).select_related("who", "on_behalf_of").order_by("-at", "-id")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/access_log.html", {"page": page})


@login_required
@page_limit("render", "GET", "POST", when=lambda request: request.method == "POST" or "format" in request.GET)
def my_data(request: HttpRequest) -> HttpResponse:
    """A copy of everything held about the person: to read here, as JSON, or as a PDF."""
    from django.http import JsonResponse

    export = None
    if request.method == "POST" or request.GET.get("format") in ("json", "pdf"):
        waiting = DataExport.objects.filter(person=_user(request), status="processing").first()
        fresh = None if request.method == "POST" else services.export_recent(_user(request))
        export = waiting or fresh or services.export_request(by=_user(request))
        if export.status == "done" and request.GET.get("format") == "json":
            response = JsonResponse(export.content, json_dumps_params={"indent": 2})
            response["Content-Disposition"] = 'attachment; filename="my-waymark-data.json"'
            return response
        if export.status == "done" and request.GET.get("format") == "pdf":
            return _export_pdf(request, export)
    else:
        export = DataExport.objects.filter(person=_user(request)).order_by("-created_at").first()
    return render(request, "accounts/my_data.html", {"export": export})


def _export_pdf(request: HttpRequest, export: DataExport) -> HttpResponse:
    from django.template.loader import render_to_string
    from weasyprint import HTML

    html = render_to_string("accounts/my_data_pdf.html", {"export": export, "content": export.content}, request)
    response = HttpResponse(HTML(string=html).write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True), "application/pdf")
    response["Content-Disposition"] = 'attachment; filename="my-waymark-data.pdf"'
    return response


@login_required
def erasure_ask(request: HttpRequest) -> HttpResponse:
    """Asking for one's data to be erased: what happens, what is kept and why, then the request."""
    form = ReasonForm(request.POST or None)
    open_request = ErasureRequest.objects.filter(person=_user(request), status=ErasureStatus.REQUESTED).first()
    asked = request.method == "POST" and form.is_valid() and open_request is None
    if asked and attempt(request, services.erasure_request, by=_user(request), reason=form.cleaned_data["reason"]):
        messages.success(request, "Your request is recorded. An administrator will look at it within a month.")
        return redirect("erasure-ask")
    refused = (
        ErasureRequest.objects.filter(person=_user(request), status=ErasureStatus.REFUSED)
        .order_by("-decided_at")
        .first()
    )
    context = {"form": form, "open_request": open_request, "refused": refused}
    return render(request, "accounts/erasure_ask.html", context)


@staff_required
def erasure_queue(request: HttpRequest) -> HttpResponse:
    rows = ErasureRequest.objects.select_related("person", "decided_by").order_by("status", "requested_at")
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(request, "accounts/erasure_queue.html", {"page": page})


@staff_required
def erasure_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Check the request, then complete it (anonymise) or refuse it with a reason."""
    erasure = get_object_or_404(ErasureRequest.objects.select_related("person"), pk=pk)
    refuse_form = DecisionReasonForm(request.POST or None if request.POST.get("decision") == "refuse" else None)
    here = reverse("erasure-decide", args=[erasure.pk])
    if request.method == "POST" and request.POST.get("decision") == "complete":
        if attempt(request, services.erasure_complete, next_url=here, erasure=erasure, by=_user(request)):
            messages.success(request, "The person's data is erased. What KMPT must keep stays under a pseudonym.")
        return redirect(here)
    if request.method == "POST" and refuse_form.is_valid():
        if attempt(request, services.erasure_refuse, erasure=erasure, by=_user(request), **refuse_form.cleaned_data):
            messages.success(request, "The request is refused. The reason is recorded.")
        return redirect(here)
    return render(request, "accounts/erasure_decide.html", {"erasure": erasure, "refuse_form": refuse_form})


@staff_required
def retention(request: HttpRequest) -> HttpResponse:
    """What the next retention run will remove, kind by kind."""
    return render(request, "accounts/retention.html", {"kinds": retention_due()})
