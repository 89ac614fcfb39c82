"""API (and page) rate limits, on the shared cache (Redis): per person, per address, and tighter scopes for writes that
email other people or render documents. 429 with `Retry-After` (DRF adds the header; `page_limit` on pages).

The contract's floors: never below 300 requests a minute per person, 1,000 a minute per IP, 20 an hour per person on
the tighter scopes. A view names its tighter scope per method: `throttle_scopes = {"POST": "email"}`.

Each limit is a counter per window (Redis `SET NX EX` + `INCR` + `TTL` in one round trip): the window opens with a
person's (or address's) first request and `Retry-After` is what is left of it. DRF's own throttle keeps a list of
every request's time in the window and reads, trims, pickles and writes the whole list on every request: one busy
address at 3,000 a minute made each request carry 3,000 timestamps to and from Redis (issue 19's profile), and the
cost grew with the traffic it was meant to limit. A request over the limit counts too, so hammering does not pay.
While Redis is down every request is let through, as before (config/cache.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from config.cache import UNREACHABLE


def window_hit(key: str, seconds: int) -> tuple[int, int] | None:
    """Count one request in `key`'s window of `seconds` (opened by its first request): (count so far, seconds left),
    or None when the cache cannot be reached."""
    full_key = cache.make_and_validate_key(key)
    backend = getattr(cache, "_cache", None)
    try:
        if hasattr(backend, "get_client"):  # Redis: one round trip
            pipe = backend.get_client(full_key, write=True).pipeline(transaction=False)  # type: ignore[union-attr]
            pipe.set(full_key, 0, ex=seconds, nx=True)
            pipe.incr(full_key)
            pipe.ttl(full_key)
            _, count, left = pipe.execute()
            if left < 0:  # a counter left without an expiry (never by this code): give it one
                backend.get_client(full_key, write=True).expire(full_key, seconds)  # type: ignore[union-attr]
                left = seconds
            return int(count), int(left)
        cache.add(key, 0, seconds)  # the local-memory cache of a demo without Redis
        return int(cache.incr(key)), seconds
    except UNREACHABLE:
        return None


class RateThrottle(SimpleRateThrottle):
    """Reads its rate from the settings when asked (DRF's copy is taken once, at import); counts per window."""

    left = 0

    def get_rate(self) -> str | None:
        rates: dict[str, str | None] = api_settings.DEFAULT_THROTTLE_RATES  # type: ignore[assignment]
        return rates.get(self.scope or "")

    def allow_request(self, request: Any, view: Any) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        hit = window_hit(self.key, self.duration)  # type: ignore[attr-defined]  # DRF sets it from the rate
        if hit is None:
            return True
        count, self.left = hit
        return bool(count <= self.num_requests)  # type: ignore[attr-defined]

    def wait(self) -> float | None:
        return max(self.left, 1)


class PersonRateThrottle(RateThrottle):
    """Every request of a signed-in person (anonymous requests are left to the address limit)."""

    scope = "person"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AddressRateThrottle(RateThrottle):
    """Every request from one address, signed in or not (a busy office shares one: the limit is generous)."""

    scope = "address"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ActionRateThrottle(RateThrottle):
    """The tighter limit a view names for some of its methods (`throttle_scopes = {"POST": "email"}`)."""

    def allow_request(self, request: Any, view: Any) -> bool:
        self.scope = getattr(view, "throttle_scopes", {}).get(request.method)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def __init__(self) -> None:  # the rate depends on the view, so it is read in allow_request
        pass

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        ident = request.user.pk if request.user and request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class _PageAction:
    """What ActionRateThrottle reads from a view: the scope per method."""

    def __init__(self, scope: str, methods: tuple[str, ...]) -> None:
        self.throttle_scopes = dict.fromkeys(methods, scope)


def page_limit(
    scope: str, *methods: str, when: Callable[[HttpRequest], bool] | None = None
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """The API's tighter scope on the page that does the same thing (emails people, renders a document), counted in
    the same window as the API, so switching between the two gives nobody twice the allowance. Over the limit the
    page answers 429 with `Retry-After` and says, in plain words, when to try again; nothing is done or lost.
    `when` narrows it further (a page whose plain GET only shows, while `?format=pdf` renders)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        action = _PageAction(scope, methods or ("POST",))

        @wraps(view)
        def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            throttle = ActionRateThrottle()
            if (when is not None and not when(request)) or throttle.allow_request(request, action):
                return view(request, *args, **kwargs)
            wait = int(throttle.wait() or 1)
            minutes = max(1, -(-wait // 60))
            back = request.headers.get("referer", "")
            safe = url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure())
            context = {"minutes": minutes, "back": back if safe else ""}
            response = render(request, "429.html", context, status=429)
            response["Retry-After"] = str(wait)
            return response

        return limited

    return decorate
