"""Broker pages: the directory, a broker's page, the broker's own profile; engagements and conversations."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.models import Role
from brokers import permissions, selectors, services
from brokers.forms import AskBrokerForm, BrokerProfileForm, BrokerSearchForm, FeedbackForm, InterestForm, MessageForm
from brokers.models import Engagement
from charter.permissions import request_user
from config.api import ServiceError

PAGE_SIZE = 10


def broker_search(request: HttpRequest) -> HttpResponse:
    form = BrokerSearchForm(request.GET or None)
    results = page = None
    if not form.is_bound or form.is_valid():
        filters = form.filters() if form.is_bound else {}
        results = selectors.brokers_search(**filters)
        page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "brokers/search.html",
        {"form": form, "page": page, "query": query.urlencode(), "filtered": any(v for v in request.GET.values())},
    )


def broker_detail(request: HttpRequest, pk: int) -> HttpResponse:
    profile = selectors.broker_profile_visible_to(request_user(request), pk)
    if profile is None:
        raise Http404("No listed broker has this address.")
    context: dict[str, Any] = {"profile": profile, "listed": selectors.broker_is_listed(profile.user)}
    if request_user(request).is_authenticated and request_user(request).role == Role.CLIENT:
        context["open_engagement"] = selectors.engagement_open_between(request_user(request), profile.user)
    return render(request, "brokers/detail.html", context)


def _require_broker(request: HttpRequest) -> None:
    if request_user(request).role != Role.BROKER:
        raise PermissionDenied


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    _require_broker(request)
    profile = selectors.broker_profile_for(request_user(request))
    form = BrokerProfileForm(request.POST if request.method == "POST" else None, instance=profile)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.broker_profile_update(profile=profile, by=request_user(request), **fields)
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Your profile has been saved.")
            return redirect("broker-profile-edit")
    profile.refresh_from_db()
    return render(
        request,
        "brokers/profile_edit.html",
        {
            "form": form,
            "profile": profile,
            "listed": selectors.broker_is_listed(request_user(request)),
            "missing": selectors.broker_profile_missing(profile),
            "interests": profile.interests.select_related("organization"),
            "interest_form": InterestForm(),
        },
    )


@login_required
def interest_add(request: HttpRequest) -> HttpResponse:
    _require_broker(request)
    profile = selectors.broker_profile_for(request_user(request))
    form = InterestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.broker_interest_add(
            profile=profile,
            by=request_user(request),
            organization_id=form.cleaned_data["organization"].pk,
            nature=form.cleaned_data["nature"],
        )
        messages.success(request, "Your interest has been declared.")
        return redirect("broker-profile-edit")
    return render(request, "brokers/interest_add.html", {"form": form})


@login_required
@require_POST
def interest_remove(request: HttpRequest, organization_id: int) -> HttpResponse:
    _require_broker(request)
    profile = selectors.broker_profile_for(request_user(request))
    services.broker_interest_remove(profile=profile, by=request_user(request), organization_id=organization_id)
    messages.success(request, "The interest has been removed.")
    return redirect("broker-profile-edit")


# --- Engagements and conversations ---


def _engagement_for(request: HttpRequest, pk: int) -> Engagement:
    return get_object_or_404(selectors.engagements_visible_to(request_user(request)).select_related("feedback"), pk=pk)


@login_required
def engagement_ask(request: HttpRequest, pk: int) -> HttpResponse:
    if request_user(request).role != Role.CLIENT:
        raise PermissionDenied
    profile = get_object_or_404(selectors.brokers_listed(), pk=pk)
    if existing := selectors.engagement_open_between(request_user(request), profile.user):
        messages.info(request, f"You have already asked {profile.display_name} for help.")
        return redirect("engagement-detail", pk=existing.pk)
    form = AskBrokerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            engagement = services.engagement_request(
                client=request_user(request), broker_id=profile.pk, message=form.cleaned_data["message"]
            )
        except ServiceError as error:
            form.add_error("message" if "body" in error.extra else None, error.message)
        else:
            messages.success(request, f"Your request has been sent to {profile.display_name}.")
            return redirect("engagement-detail", pk=engagement.pk)
    return render(request, "brokers/ask.html", {"form": form, "profile": profile})


@login_required
def engagement_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    engagements = list(selectors.engagements_with_unread(selectors.engagements_visible_to(user), user))
    groups = {
        status: [e for e in engagements if e.status == status]
        for status in ("requested", "active", "declined", "withdrawn", "ended")
    }
    return render(
        request,
        "brokers/engagement_list.html",
        {
            "is_broker": user.role == Role.BROKER,
            "requested": groups["requested"],
            "active": groups["active"],
            "past": groups["ended"] + groups["declined"] + groups["withdrawn"],
        },
    )


@login_required
def engagement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = _engagement_for(request, pk)
    party = permissions.engagement_party(request_user(request), engagement)
    form = MessageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.message_send(engagement=engagement, by=request_user(request), body=form.cleaned_data["body"])
            except ServiceError as error:
                form.add_error("body" if "body" in error.extra else None, error.message)
            else:
                return redirect(f"{engagement_url(engagement)}#latest")
    elif party is not None:
        services.messages_mark_read(engagement=engagement, by=request_user(request))
    other = engagement.broker if party == "client" else engagement.client
    return render(
        request,
        "brokers/conversation.html",
        {
            "engagement": engagement,
            "party": party,
            "other_name": _party_name(other),
            # Reviewers may see that the engagement exists; the conversation is the two parties' alone.
            "conversation": selectors.messages_of(engagement) if party else [],
            "form": form,
            "can_message": permissions.may_message(request_user(request), engagement),
            "actions": permissions.actions_for(request_user(request), engagement),
            "can_give_feedback": permissions.may_give_feedback(request_user(request), engagement)
            and not hasattr(engagement, "feedback"),
        },
    )


def engagement_url(engagement: Engagement) -> str:
    from django.urls import reverse

    return reverse("engagement-detail", args=[engagement.pk])


def _party_name(user: Any) -> str:
    profile = getattr(user, "broker_profile", None) if user.role == Role.BROKER else None
    return (profile.display_name if profile else "") or user.get_full_name()


ACTION_MESSAGES = {
    "accept": "You are now working with this client.",
    "decline": "You have declined this request.",
    "withdraw": "You have withdrawn your request.",
    "end": "The engagement has ended. You can still read the conversation.",
}


@login_required
@require_POST
def engagement_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    engagement = _engagement_for(request, pk)
    if action not in ACTION_MESSAGES:
        raise Http404
    try:
        services.engagement_transition(engagement=engagement, by=request_user(request), action=action)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, ACTION_MESSAGES[action])
    if request.POST.get("next") == "list":
        return redirect("engagement-list")
    return redirect("engagement-detail", pk=pk)


@login_required
def feedback_give(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = _engagement_for(request, pk)
    if permissions.engagement_party(request_user(request), engagement) != "client":
        raise PermissionDenied
    if hasattr(engagement, "feedback"):
        messages.info(request, "You have already given feedback. Thank you.")
        return redirect("engagement-detail", pk=pk)
    form = FeedbackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_give(engagement=engagement, by=request_user(request), **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Thank you for your feedback.")
            return redirect("engagement-detail", pk=pk)
    return render(
        request,
        "brokers/feedback.html",
        {"form": form, "engagement": engagement, "broker_name": _party_name(engagement.broker)},
    )
