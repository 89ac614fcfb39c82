"""The API's conventions in one place: authentication, pagination, business errors and their status codes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, pagination, status
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter


class ServiceError(Exception):
    """A business rule said no. Each app subclasses it (`PlanError`); the API maps it to 400 or 409 here, once."""

    status_code: int = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.extra = extra or {}

    def as_dict(self) -> dict[str, Any]:
        return {"detail": self.message, "code": self.code, **self.extra}


class InvalidTransition(ServiceError):
    """The object's state does not allow the action (409)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "invalid_transition"


class Conflict(ServiceError):
    """The action clashes with another object (409), such as a second open engagement."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class NotAllowed(ServiceError):
    """The actor can see the object but may not do this (403)."""

    status_code = status.HTTP_403_FORBIDDEN
    default_code = "permission_denied"


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error body carries `detail` and `code`, or `{field: [messages]}` for invalid input."""
    from rest_framework.views import exception_handler as drf_exception_handler  # DRF imports this module

    if isinstance(exc, ServiceError):
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(response.data, dict) and "detail" in response.data and "code" not in response.data:
        codes = exc.get_codes()
        response.data["code"] = codes if isinstance(codes, str) else exc.default_code
    elif isinstance(response.data, list):
        response.data = {"non_field_errors": response.data}
    return response


def optional_slash(route: str, view: Any, name: str | None = None) -> list:
    """The contract's paths have no trailing slash, and the same path with one must also work (never a redirect)."""
    from django.urls import path

    route = route.rstrip("/")
    return [path(route, view, name=name) if name else path(route, view), path(route + "/", view)]


class Router(SimpleRouter):
    """A DRF router whose routes answer with and without a trailing slash."""

    def __init__(self) -> None:
        super().__init__()
        self.trailing_slash = "/?"  # DRF's constructor turns any truthy value into "/"


def schema_without_slash_twins(endpoints: list) -> list:
    """drf-spectacular hook: document each path once, without the trailing slash the API also accepts."""
    seen, kept = set(), []
    for path, path_regex, method, callback in endpoints:
        path = path.replace("/?", "").rstrip("/") if path not in ("/api/v1/schema/", "/api/v1/docs/") else path
        if (path, method) not in seen:
            seen.add((path, method))
            kept.append((path, path_regex, method, callback))
    return kept


def not_found(request: Any, exception: Exception) -> Any:
    """404 for the whole site: JSON under /api/ (the contract's error body), the service's page elsewhere."""
    from django.http import JsonResponse
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    return page_not_found(request, exception)
