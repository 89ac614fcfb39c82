"""The notification centre: what each person has been told, newest first."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from plans import notifications
from plans.models import Notification
from plans.views._common import user_of


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications.notifications_of(user_of(request)), 25).get_page(request.GET.get("page"))
    return render(request, "plans/notifications.html", {"page": page})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(Notification, pk=pk, recipient=user_of(request))
    notifications.notification_read(notification=notice, by=user_of(request))
    return redirect(notice.link or "plans:notifications")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    notifications.notifications_read_all(by=user_of(request))
    messages.success(request, "All notifications are marked as read.")
    return redirect("plans:notifications")
