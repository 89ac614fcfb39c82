"""Broker pages: the directory, a broker's page, the broker's own profile; engagements and conversations.

Thin: each page reads through the selectors, writes through the services, and shows the actions
`brokers.permissions.actions_for` allows. Every action that cannot be undone asks first on a page of its own.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import Role
from brokers import permissions, presenters, selectors, services
from brokers.access import engagement_read
from brokers.forms import AskBrokerForm, BrokerProfileForm, BrokerSearchForm, FeedbackForm, InterestForm, MessageForm
from brokers.models import Engagement
from brokers.onboarding import onboarding_tasks
from charter.models import SignatureStatus
from charter.permissions import request_user
from charter.selectors import signature_current_of
from config.errors import ServiceError
from config.pages import raise_for_refusal
from config.throttles import page_limit
from providers.cache import BROKERS, PROVIDERS, page_for_anonymous

PAGE_SIZE = 10


@page_for_anonymous(BROKERS)
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


@page_for_anonymous(BROKERS, PROVIDERS)
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
            field = next((name for name in error.extra if name in form.fields), None)
            form.add_error(field, error.message)
        else:
            messages.success(request, "Your profile has been saved.")
            return redirect("broker-profile-edit")
    profile = selectors.broker_profile_for(request_user(request))
    signature = signature_current_of(request_user(request))
    missing = selectors.broker_profile_missing(profile)
    return render(
        request,
        "brokers/profile_edit.html",
        {
            "form": form,
            "profile": profile,
            "listed": selectors.broker_is_listed(request_user(request)),
            "missing": missing,
            "tasks": onboarding_tasks(missing, signature),
            "suspension": signature if signature and signature.status == SignatureStatus.SUSPENDED else None,
            "interests": profile.interests.select_related("organization"),
        },
    )


@login_required
def interest_add(request: HttpRequest) -> HttpResponse:
    _require_broker(request)
    profile = selectors.broker_profile_for(request_user(request))
    form = InterestForm(request.POST if request.method == "POST" else None, user=request_user(request), profile=profile)
    if request.method == "POST" and form.is_valid():
        try:
            services.broker_interest_add(
                profile=profile,
                by=request_user(request),
                organization_id=form.cleaned_data["organization"].pk,
                nature=form.cleaned_data["nature"],
            )
        except ServiceError as error:
            form.add_error("organization" if "interests" in error.extra else None, error.message)
        else:
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
    engagement = get_object_or_404(
        selectors.engagements_visible_to(request_user(request)).select_related("feedback"), pk=pk
    )
    if request.method == "GET":  # reading it (by anyone but the client) goes in the client's access log
        engagement_read(request_user(request), engagement)
    return engagement


@login_required
@page_limit("email")
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
            raise_for_refusal(request, error, next_url=request.path)
            form.add_error("message" if "body" in error.extra else None, error.message)
        else:
            messages.success(request, f"Your request has been sent to {profile.display_name}.")
            return redirect("engagement-detail", pk=engagement.pk)
    return render(request, "brokers/ask.html", {"form": form, "profile": profile})


@login_required
def engagement_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    engagements = list(selectors.engagements_with_unread(selectors.engagements_visible_to(user), user))
    for engagement in engagements:
        engagement.actions = permissions.actions_for(user, engagement)  # type: ignore[attr-defined]
    groups: dict[str, list[Engagement]] = {}
    for engagement in engagements:
        groups.setdefault(engagement.status, []).append(engagement)
    return render(
        request,
        "brokers/engagement_list.html",
        {
            "is_broker": user.role == Role.BROKER,
            "requested": groups.get("requested", []),
            "active": groups.get("active", []),
            "past": groups.get("ended", []) + groups.get("declined", []) + groups.get("withdrawn", []),
        },
    )


@login_required
@page_limit("email")  # each message nudges the other party by email, as the API's
def engagement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = _engagement_for(request, pk)
    user = request_user(request)
    party = permissions.engagement_party(user, engagement)
    form = MessageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.message_send(engagement=engagement, by=user, body=form.cleaned_data["body"])
            except ServiceError as error:
                raise_for_refusal(request, error, next_url=request.path)
                form.add_error("body" if "body" in error.extra else None, error.message)
            else:
                return redirect(f"{engagement_url(engagement)}#latest")
    elif party is not None:
        services.messages_mark_read(engagement=engagement, by=user)
    other = engagement.client if party == "broker" else engagement.broker
    return render(
        request,
        "brokers/conversation.html",
        {
            "engagement": engagement,
            "party": party,
            "other_name": services.party_name(other),
            # Reviewers see that the engagement exists; the conversation is for its parties and the client's helpers.
            "conversation": presenters.conversation_entries(user, engagement, selectors.messages_of(engagement))
            if permissions.may_read_conversation(user, engagement)
            else [],
            "acting_for": party is None and permissions.acts_for_client(user, engagement, "view"),
            "form": form,
            "actions": permissions.actions_for(user, engagement),
        },
    )


def engagement_url(engagement: Engagement) -> str:
    return reverse("engagement-detail", args=[engagement.pk])


@dataclass(frozen=True)
class Confirmation:
    """What a confirmation page says: the question, what will happen, the button, and what is said afterwards."""

    title: str
    explanation: tuple[str, ...]
    button: str
    done: str
    warning: bool = False


def _confirmation(action: str, other: str, party: str | None) -> Confirmation:
    return {
        "accept": Confirmation(
            f"Accept the request from {other}?",
            (
                f"You will start working with {other}. We will email them to say so.",
                "You can then plan their support together and write to each other here.",
            ),
            "Accept the request",
            "You are now working with this client.",
        ),
        "decline": Confirmation(
            f"Decline the request from {other}?",
            (
                f"{other} will see that you cannot help. They can ask another broker.",
                "You cannot undo this. You can both still read what you wrote.",
            ),
            "Decline the request",
            "You have declined this request.",
            warning=True,
        ),
        "withdraw": Confirmation(
            f"Withdraw your request to {other}?",
            (
                f"{other} will no longer be asked to work with you.",
                "You can ask them again later, or ask another broker. You can still read what you wrote.",
            ),
            "Withdraw your request",
            "You have withdrawn your request.",
            warning=True,
        ),
        "end": Confirmation(
            f"End working together with {other}?",
            (
                "Neither of you will be able to send new messages. You can both still read the conversation.",
                "To work together again, the client would need to ask again."
                + (" You can still give feedback about your broker afterwards." if party == "client" else ""),
            ),
            "End working together",
            "You have stopped working together. You can still read the conversation.",
            warning=True,
        ),
    }[action]


@login_required
def engagement_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """GET asks for confirmation (a page that says what will happen); POST does it through the service."""
    if action not in permissions.ENGAGEMENT_TRANSITIONS:
        raise Http404
    engagement = _engagement_for(request, pk)
    user = request_user(request)
    party = permissions.engagement_party(user, engagement)
    other = engagement.broker if party == "client" else engagement.client
    confirmation = _confirmation(action, services.party_name(other), party)
    back = reverse("engagement-list") if request.GET.get("from") == "list" else engagement_url(engagement)
    if request.method == "POST":
        try:
            services.engagement_transition(engagement=engagement, by=user, action=action)
        except ServiceError as error:
            raise_for_refusal(request, error, next_url=request.path)
            messages.error(request, error.message)
        else:
            messages.success(request, confirmation.done)
        return redirect(engagement_url(engagement))
    if action not in permissions.actions_for(user, engagement):
        if party is None:
            raise PermissionDenied
        messages.info(request, "That is not possible any more: the engagement has changed.")
        return redirect(engagement_url(engagement))
    return render(
        request,
        "brokers/engagement_confirm.html",
        {"engagement": engagement, "confirmation": confirmation, "back": back, "action": action},
    )


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
            raise_for_refusal(request, error, next_url=request.path)
            form.add_error(None, error.message)
        else:
            messages.success(request, "Thank you for your feedback.")
            return redirect("engagement-detail", pk=pk)
    return render(
        request,
        "brokers/feedback.html",
        {"form": form, "engagement": engagement, "broker_name": services.party_name(engagement.broker)},
    )
