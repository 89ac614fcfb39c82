"""HTTP hygiene for every request: JSON too deeply nested for any honest client is refused before anything parses
it (Python's parser would overflow its stack: a 500), and answers that carry personal data are never cached."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

MAX_JSON_DEPTH = 32  # the deepest body the API takes is an object of lists of objects: far below this


def json_depth_exceeds(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when brackets nest deeper than `limit` outside strings (a linear scan; never parses)."""
    depth, in_string, escaped = 0, False, False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return False


class RequestHygieneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "json" in (request.content_type or "") and json_depth_exceeds(request.body):
            return JsonResponse(
                {"detail": f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels.", "code": "parse_error"},
                status=400,
            )
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "private, no-store"
        return response


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler: a lost database is a 503 that says to come back shortly (JSON under /api/, a page
    elsewhere, neither touching the database); anything else is the usual 500 page."""
    import sys

    from django.db import InterfaceError, OperationalError
    from django.template import loader
    from django.views.defaults import server_error as django_server_error

    error = sys.exc_info()[1]
    if not isinstance(error, OperationalError | InterfaceError):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": "Something went wrong on our side.", "code": "server_error"}, status=500)
        return django_server_error(request)
    if request.path.startswith(("/api/", "/_allauth/", "/openreferral/")):
        response: HttpResponse = JsonResponse(
            {"detail": "Waymark is unavailable for a moment. Try again in a minute.", "code": "unavailable"},
            status=503,
        )
    else:
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = "60"
    return response
