"""Thin HTML views: listing search and pages, and the provider's pages to manage organisations and listings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.decorators import staff_required
from config.errors import ServiceError
from config.pages import raise_for_refusal
from config.throttles import page_limit
from providers import permissions, selectors, services
from providers.cache import PROVIDERS, page_for_anonymous
from providers.forms import InviteForm, ListingForm, OrganizationForm, ReportForm, SearchForm
from providers.models import Listing, Organization, OrganizationInvite
from providers.postcodes import postcode_normalise

PAGE_SIZE = 20


@page_for_anonymous(PROVIDERS)  # the same page for everyone not signed in: kept a moment
def listing_search(request: HttpRequest) -> HttpResponse:
    """Everyone: find activities by words, category, area, postcode and cost. Filters live in the URL."""
    form = SearchForm(request.GET or None)
    data: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()  # errors show beside their fields; what was valid is searched
        data = form.cleaned_data
    search = selectors.ListingSearch(  # what was valid is searched; the rest is an error beside its field
        q=(data.get("q") or "").strip(),
        category=data.get("category") or "",
        area=data.get("area") or "",
        postcode=(data.get("postcode") or "").strip(),
        max_cost=data.get("max_cost"),
    )
    context = {
        "form": form,
        **_search_results(search, request.GET.get("page") or "1"),
        "search": search,
        "filtered": any([search.q, search.category, search.area, search.postcode, search.max_cost is not None]),
    }
    return render(request, "providers/listing_search.html", context)


def _search_results(search: selectors.ListingSearch, page_number: str) -> dict[str, Any]:
    results = selectors.listings_search_page(search)
    paginator: Paginator[Listing] = Paginator(results, PAGE_SIZE)  # type: ignore[arg-type]  # slices and counts
    page = paginator.get_page(page_number)
    return {"page": page, "facets": results.facets}


@page_for_anonymous(PROVIDERS)
def listing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    listing = get_object_or_404(
        selectors.with_freshness(selectors.listings_visible_to(request.user)).select_related("organization"), pk=pk
    )
    is_public = selectors.listing_is_public(listing)
    context = {
        "listing": listing,
        "is_public": is_public,
        "may": permissions.listing_abilities(request.user, listing, is_public=is_public),
        "report_form": ReportForm(),
    }
    return render(request, "providers/listing_detail.html", context)


@login_required
@require_POST
@page_limit("email")
def listing_report(request: HttpRequest, pk: int) -> HttpResponse:
    listing = get_object_or_404(selectors.listings_visible_to(request.user), pk=pk)
    form = ReportForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    services.listing_report_stale(listing=listing, by=request.user, note=note)
    messages.success(request, "Thank you. We have told the provider that this listing may be out of date.")
    return redirect("providers:listing-detail", pk=pk)


# --- provider pages -----------------------------------------------------------------------------------------------


@login_required
def provider_home(request: HttpRequest) -> HttpResponse:
    """A provider's organisations and their listings, with status and freshness."""
    organizations = selectors.organizations_of(request.user).prefetch_related("listings")
    listings = selectors.with_freshness(Listing.objects.filter(organization__in=organizations)).select_related(
        "organization"
    )
    context = {
        "organizations": organizations,
        "listings": listings.order_by("organization__name", "status", "title"),
        "reports": selectors.stale_reports_visible_to(request.user).filter(listing__organization__in=organizations),
        "can_create": permissions.can_create_organization(request.user),
    }
    return render(request, "providers/provider_home.html", context)


@login_required
def organization_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_create_organization(request.user):
        return HttpResponseForbidden("Only activity provider accounts can add an organisation.")
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organization = services.organization_create(by=request.user, **form.cleaned_data)
        except services.ProviderError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Organisation added. An administrator will verify it before it goes public.")
            return redirect("providers:organization-detail", pk=organization.pk)
    return render(request, "providers/organization_form.html", {"form": form, "organization": None})


def _managed_organization(request: HttpRequest, pk: int) -> Organization:
    organization = get_object_or_404(selectors.organizations_visible_to(request.user), pk=pk)
    if not permissions.can_manage_organization(request.user, organization):
        raise Http404
    return organization


@login_required
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _managed_organization(request, pk)
    listings = selectors.with_freshness(organization.listings.all()).select_related("organization")
    context = {
        "organization": organization,
        "may": permissions.organization_abilities(request.user, organization),
        "listings": listings.order_by("status", "title"),
        "members": organization.members.order_by("email"),
        "invites": organization.invites.filter(accepted_at__isnull=True),
        "invite_form": InviteForm(),
        "reports": selectors.stale_reports_visible_to(request.user).filter(listing__organization=organization),
    }
    return render(request, "providers/organization_detail.html", context)


@login_required
def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _managed_organization(request, pk)
    form = OrganizationForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        # A bound ModelForm has already copied the input onto its instance: the service compares with the saved row.
        organization = Organization.objects.get(pk=organization.pk)
        was_verified = organization.is_verified
        try:
            services.organization_update(organization=organization, by=request.user, **form.cleaned_data)
        except services.ProviderError as error:
            form.add_service_error(error)
        else:
            if was_verified and not organization.is_verified:
                messages.warning(
                    request,
                    "Details saved. You changed details an administrator checks, so they will verify "
                    f"{organization.name} again. Until then its listings are hidden from search.",
                )
            else:
                messages.success(request, "Organisation details saved.")
            return redirect("providers:organization-detail", pk=pk)
    return render(request, "providers/organization_form.html", {"form": form, "organization": organization})


@login_required
@require_POST
@page_limit("email")
def organization_invite(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _managed_organization(request, pk)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            services.organization_invite(
                organization=organization,
                by=request.user,
                email=form.cleaned_data["email"],
            )
        except services.ProviderError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"We have emailed an invitation to {form.cleaned_data['email']}.")
    else:
        messages.error(request, "Enter an email address in the correct format, like name@example.org")
    return redirect("providers:organization-detail", pk=pk)


@login_required
def invite_accept(request: HttpRequest, token: str) -> HttpResponse:
    invite = get_object_or_404(OrganizationInvite.objects.select_related("organization"), token=token)
    error = None
    if request.method == "POST":
        try:
            services.invite_accept(invite=invite, by=request.user)
        except ServiceError as refused:
            error = refused.message
        else:
            messages.success(request, f"You are now a member of {invite.organization.name}.")
            return redirect("providers:organization-detail", pk=invite.organization_id)
    context = {
        "invite": invite,
        "error": error,
        "needs_verifying": invite.email.lower() == request.user.email.lower()  # type: ignore[union-attr]
        and not services.invite_email_verified(invite, request.user),
    }
    return render(request, "providers/invite_accept.html", context)


@login_required
def listing_create(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _managed_organization(request, pk)
    form = ListingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            listing = services.listing_create(organization=organization, by=request.user, **form.cleaned_data)
        except services.ProviderError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Draft saved. Check the preview, then publish it when it is ready.")
            return redirect("providers:listing-edit", pk=listing.pk)
    return render(request, "providers/listing_form.html", {"form": form, "organization": organization})


def _managed_listing(request: HttpRequest, pk: int) -> Listing:
    listing = get_object_or_404(
        selectors.with_freshness(selectors.listings_visible_to(request.user)).select_related("organization"), pk=pk
    )
    if not permissions.can_manage_listing(request.user, listing):
        raise Http404
    return listing


def _changed_values(listing: Listing, data: dict[str, Any]) -> dict[str, Any]:
    """A new postcode with the old area re-derives the area (asking, where the district is shared)."""
    values = dict(data)
    new_postcode = postcode_normalise(values.get("postcode") or "") or values.get("postcode")
    if new_postcode != listing.postcode and values.get("area") == listing.area:
        values.pop("area")
    return values


@login_required
def listing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The listing editor, with a preview of what people will see, and its next steps. Every button on the page
    submits the form: what was typed is saved first, then the button's action runs (Publish, Confirm...)."""
    listing = _managed_listing(request, pk)
    form = ListingForm(request.POST) if request.method == "POST" else ListingForm.for_listing(listing)
    then = request.POST.get("then", "")
    if request.method == "POST" and form.is_valid():
        try:
            services.listing_update(listing=listing, by=request.user, **_changed_values(listing, form.cleaned_data))
        except services.ProviderError as error:
            form.add_service_error(error)
        else:
            if then not in ACTIONS:
                messages.success(request, "Changes saved.")
                return redirect("providers:listing-edit", pk=pk)
            if _act(request, listing, then, form=form):
                return redirect("providers:listing-edit", pk=pk)
            listing.refresh_from_db()
    return render(request, "providers/listing_edit.html", _editor_context(request, listing, form))


def _editor_context(request: HttpRequest, listing: Listing, form: ListingForm) -> dict[str, Any]:
    is_public = selectors.listing_is_public(listing)
    return {
        "form": form,
        "listing": listing,
        "organization": listing.organization,
        "missing": services.listing_missing_to_publish(listing),
        "is_public": is_public,
        "may": permissions.listing_abilities(request.user, listing, is_public=is_public),
        "reports": listing.stale_reports.filter(resolved_at__isnull=True),
    }


ACTIONS = {
    "publish": (services.listing_publish, "Listing published."),
    "archive": (services.listing_archive, "Listing archived. It no longer appears in search."),
    "restore": (services.listing_restore, "Listing restored as a draft."),
    "confirm": (services.listing_confirm, "Thank you. The listing is marked as checked today."),
}


def _act(request: HttpRequest, listing: Listing, action: str, *, form: ListingForm | None = None) -> bool:
    """Run one of the editor's actions; a refusal is shown beside the fields it names (with the form) or as a
    message, and the typed input is never lost."""
    service, done = ACTIONS[action]
    try:
        service(listing=listing, by=request.user)
    except ServiceError as refused:
        raise_for_refusal(request, refused, next_url=reverse("providers:listing-edit", args=[listing.pk]))
        if form is not None and isinstance(refused, services.ProviderError) and refused.extra:
            form.add_service_error(refused)
        else:
            messages.error(request, refused.message)
        return False
    messages.success(request, done if action != "publish" or listing.organization.is_verified else done + _HIDDEN)
    return True


_HIDDEN = " People will see it once an administrator has verified your organisation."


@login_required
@require_POST
def listing_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    listing = _managed_listing(request, pk)
    if action not in ACTIONS:
        raise Http404
    _act(request, listing, action)
    return redirect("providers:listing-edit", pk=pk)


# --- admin pages --------------------------------------------------------------------------------------------------


@staff_required
def organizations_to_verify(request: HttpRequest) -> HttpResponse:
    """Admins: organisations waiting for a check, oldest first."""
    waiting = selectors.organizations_awaiting_verification().prefetch_related("members")
    return render(request, "providers/organizations_to_verify.html", {"organizations": waiting})


@staff_required
@require_POST
def organization_verify(request: HttpRequest, pk: int) -> HttpResponse:
    organization = get_object_or_404(Organization, pk=pk)
    try:
        services.organization_verify(organization=organization, by=request.user)
    except ServiceError as refused:
        raise_for_refusal(request, refused, next_url=reverse("providers:organizations-to-verify"))
        messages.error(request, refused.message)
    else:
        messages.success(request, f"{organization.name} is verified. Its published listings are now public.")
    return redirect("providers:organizations-to-verify")


@staff_required
def stale_reports(request: HttpRequest) -> HttpResponse:
    """Admins: every open report that a listing looks out of date."""
    reports = selectors.stale_reports_visible_to(request.user).select_related("reported_by")
    return render(request, "providers/stale_reports.html", {"reports": reports})
