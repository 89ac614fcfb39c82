"""The versions sent to KMPT, their differences, and the PDF (only through the plan's permission check)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from config.throttles import page_limit
from plans import access, presenters, selectors, services
from plans.diff import versions_diff
from plans.views._common import plan_for, user_of


@login_required
def plan_versions(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_for(request, pk, read=None)
    decisions = {decision.version: decision for decision in plan.decisions.all()}
    versions = [(version, decisions.get(version.number)) for version in selectors.plan_versions_visible(plan)]
    access.versions_read(user_of(request), plan, [version for version, _ in versions])
    return render(request, "plans/plan_versions.html", {"plan": plan, "versions": versions})


@login_required
def plan_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    plan = plan_for(request, pk, read=None)
    versions = selectors.plan_versions_visible(plan)
    version = get_object_or_404(versions, number=number)
    access.versions_read(user_of(request), plan, [version])
    previous = versions.filter(number__lt=number).order_by("-number").first()
    decision = next((d for d in plan.decisions.all() if d.version == number), None)
    context = {
        "plan": plan,
        "version": version,
        "snapshot": version.snapshot,
        "groups": presenters.snapshot_groups(version.snapshot),
        "previous": previous,
        "diff": versions_diff(previous.snapshot, version.snapshot) if previous else None,
        "decision": decision,
    }
    return render(request, "plans/plan_version.html", context)


@login_required
@page_limit("render", "GET")
def plan_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan as a PDF, through the same permission check as the page (never a public media URL)."""
    plan = plan_for(request, pk, read="pdf")
    response = HttpResponse(services.plan_pdf(plan=plan), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="support-plan-{plan.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
