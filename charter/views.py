"""Charter pages: read and sign (brokers), raise a concern (anyone signed in), verify and suspend (admins)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.decorators import staff_required
from accounts.models import Role
from audit.selectors import events_of
from charter import services
from charter.forms import ConcernForm, ResolveConcernForm, SignCharterForm, SuspendForm
from charter.models import ConcernStatus, SignatureStatus
from charter.permissions import concern_actions_for, request_user, signature_actions_for
from charter.selectors import charter_current, concerns_visible_to, signature_current_of, signatures_visible_to
from config.errors import ServiceError
from config.pages import raise_for_refusal
from config.throttles import page_limit


def charter_read(request: HttpRequest) -> HttpResponse:
    charter = charter_current()
    if charter is None:
        raise Http404("No charter has been published yet.")
    signature = None
    if request_user(request).is_authenticated and request_user(request).role == Role.BROKER:
        signature = signature_current_of(request_user(request))
    return render(request, "charter/read.html", {"charter": charter, "signature": signature})


@login_required
def charter_sign(request: HttpRequest) -> HttpResponse:
    if request_user(request).role != Role.BROKER:
        raise PermissionDenied
    charter = charter_current()
    if charter is None:
        raise Http404("No charter has been published yet.")
    if signature_current_of(request_user(request)) is not None:
        messages.info(request, "You have already signed this version of the charter.")
        return redirect("charter-read")
    form = SignCharterForm(request.POST if request.method == "POST" else None, charter=charter)
    if request.method == "POST" and form.is_valid():
        try:
            services.signature_create(
                broker=request_user(request), version=charter.version, attestations=form.attestations()
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Thank you for signing. An administrator will check your signature soon.")
            return redirect("broker-profile-edit")
    return render(request, "charter/sign.html", {"charter": charter, "form": form})


@login_required
@page_limit("email")
def concern_raise(request: HttpRequest) -> HttpResponse:
    initial = {"broker": request.GET.get("broker")} if request.GET.get("broker", "").isdecimal() else {}
    form = ConcernForm(request.POST if request.method == "POST" else None, initial=initial, user=request_user(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.concern_raise(
                broker_id=form.cleaned_data["broker"].pk, by=request_user(request), text=form.cleaned_data["text"]
            )
        except ServiceError as error:
            form.add_error("broker" if "broker" in error.extra else None, error.message)
        else:
            messages.success(request, "Thank you. An administrator will look into your concern.")
            return redirect("dashboard")
    return render(request, "charter/concern.html", {"form": form})


@staff_required
def signature_queue(request: HttpRequest) -> HttpResponse:
    wanted = request.GET.get("status", SignatureStatus.PENDING)
    if wanted not in SignatureStatus.values:
        wanted = SignatureStatus.PENDING
    signatures = signatures_visible_to(request_user(request)).filter(status=wanted).order_by("signed_at", "id")
    page = Paginator(signatures, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "charter/review_queue.html",
        {"page": page, "status": wanted, "statuses": SignatureStatus.choices},
    )


@staff_required
def signature_review(request: HttpRequest, pk: int) -> HttpResponse:
    signature = get_object_or_404(signatures_visible_to(request_user(request)), pk=pk)
    form = SuspendForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.signature_suspend(
                signature=signature, by=request_user(request), reason=form.cleaned_data["reason"]
            )
        except ServiceError as error:
            raise_for_refusal(request, error, next_url=request.path)
            form.add_error(None, error.message)
        else:
            messages.success(request, "Signature suspended. The broker is no longer listed.")
            return redirect("charter-signature-review", pk=pk)
    return render(
        request,
        "charter/review_signature.html",
        {
            "signature": signature,
            "form": form,
            "actions": signature_actions_for(request_user(request), signature),
            "events": events_of("signature", signature.pk),
            "concerns": concerns_visible_to(request_user(request)).filter(broker=signature.broker),
        },
    )


@staff_required
@require_POST
def signature_verify(request: HttpRequest, pk: int) -> HttpResponse:
    signature = get_object_or_404(signatures_visible_to(request_user(request)), pk=pk)
    try:
        services.signature_verify(signature=signature, by=request_user(request))
    except ServiceError as error:
        raise_for_refusal(request, error, next_url=f"/charter/review/{pk}/")
        messages.error(request, error.message)
    else:
        messages.success(request, f"Signature of {signature.broker.display_name} verified.")
    return redirect("charter-signature-review", pk=pk)


@staff_required
def concern_list(request: HttpRequest) -> HttpResponse:
    wanted = request.GET.get("status", ConcernStatus.OPEN)
    if wanted not in ConcernStatus.values:
        wanted = ConcernStatus.OPEN
    concerns = concerns_visible_to(request_user(request)).filter(status=wanted)
    page = Paginator(concerns, 25).get_page(request.GET.get("page"))
    return render(
        request, "charter/review_concerns.html", {"page": page, "status": wanted, "statuses": ConcernStatus.choices}
    )


@staff_required
def concern_review(request: HttpRequest, pk: int) -> HttpResponse:
    concern = get_object_or_404(concerns_visible_to(request_user(request)), pk=pk)
    form = ResolveConcernForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.concern_resolve(
                concern=concern, by=request_user(request), resolution=form.cleaned_data["resolution"]
            )
        except ServiceError as error:
            raise_for_refusal(request, error, next_url=request.path)
            form.add_error("resolution" if "resolution" in error.extra else None, error.message)
        else:
            messages.success(request, "Concern marked as resolved. The person who raised it has been told by email.")
            return redirect("charter-concerns")
    signatures = signatures_visible_to(request_user(request)).filter(broker=concern.broker)
    return render(
        request,
        "charter/review_concern.html",
        {
            "concern": concern,
            "form": form,
            "signatures": signatures,
            "actions": concern_actions_for(request_user(request), concern),
            "events": events_of("concern", concern.pk),
        },
    )
