"""The site's URLs plus a plain JSON view (`/bench/plain`): the yardstick every endpoint is compared with, through
the same middleware. Bench settings only (config/settings/bench.py), never production's URL conf.

`BENCH_ACCESS_LOG=off` turns the access log's writes off in this process, to measure what the log costs a page."""

import os

from django.http import HttpRequest, JsonResponse
from django.urls import path

from config.urls import handler404, handler500
from config.urls import urlpatterns as site_urlpatterns

__all__ = ["handler404", "handler500", "urlpatterns"]

if os.environ.get("BENCH_ACCESS_LOG") == "off":
    from audit import access

    access._write = lambda entries: None  # type: ignore[assignment]


def plain(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True, "service": "waymark"})


urlpatterns = [path("bench/plain", plain), *site_urlpatterns]
