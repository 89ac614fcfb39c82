"""A short cache for what anonymous people and the feed read most (search pages, feed pages, the broker directory),
that any write to what they show empties at once: the contract says a search made after a write shows it.

Answers are kept per scope: `providers` (listings and organisations) and `brokers` (profiles, signatures, charter
versions, ratings). Each scope has a version; a write moves its scope's version on (after its transaction commits,
and again at once for this process's own reads), so no later read can find an older answer. An answer is kept with
the versions it was computed under, and served only while they are still the current ones: a reader takes the
versions before it queries, so an answer computed from data older than a write is never served after it. The
versions and the answer are read in one round trip (`MGET`).

`page_for_anonymous` keeps whole pages for people who are not signed in: the page is kept with its CSP nonce
replaced by a placeholder, and every answer gets a fresh nonce (and so a fresh `Content-Security-Policy`).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from functools import partial, wraps
from typing import Any, TypeVar

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse

TIMEOUT = 30  # seconds: short, so that even a change made outside Waymark (raw SQL) shows within half a minute
PROVIDERS, BROKERS = "providers", "brokers"
NONCE_PLACEHOLDER = "__waymark_csp_nonce__"
T = TypeVar("T")


def _version_key(scope: str) -> str:
    return f"{scope}:search-version" if scope == PROVIDERS else f"directory:{scope}:version"


def _versions(scopes: tuple[str, ...], found: dict[str, Any] | None = None) -> tuple[int, ...]:
    found = cache.get_many([_version_key(scope) for scope in scopes]) if found is None else found
    versions = []
    for scope in scopes:
        version = found.get(_version_key(scope))
        if version is None:
            version = time.time_ns()  # never reuses a number from before the cache was emptied
            cache.add(_version_key(scope), version, timeout=None)
            version = cache.get(_version_key(scope), version)
        versions.append(int(version))
    return tuple(versions)


def _bump(scope: str) -> None:
    try:
        cache.incr(_version_key(scope))
    except ValueError:  # no version yet: the next reader starts a new one
        cache.set(_version_key(scope), time.time_ns(), timeout=None)


def _after_commit(scope: str) -> Callable[[], None]:
    bump = partial(_bump, scope)
    bump.empties_cache = True  # type: ignore[attr-defined]  # tests that count on-commit work can tell it apart
    return bump


_AFTER_COMMIT = {scope: _after_commit(scope) for scope in (PROVIDERS, BROKERS)}


def search_changed(scope: str = PROVIDERS) -> None:
    """Something a scope's answers show changed: what is cached for it is out of date (now, and again once the
    transaction commits: once per transaction, however many rows it changed)."""
    _bump(scope)
    bump = _AFTER_COMMIT[scope]
    if connection.in_atomic_block and any(entry[1] is bump for entry in connection.run_on_commit):
        return
    transaction.on_commit(bump, robust=True)


def directory_changed() -> None:
    """A broker's profile, signature, interest or rating, or a charter version, changed."""
    search_changed(BROKERS)


def _lookup(parts: tuple[Any, ...], scopes: tuple[str, ...]) -> tuple[str, tuple[int, ...], Any]:
    """(key, current versions, the kept answer or None), in one round trip."""
    key = "directory:answer:" + hashlib.sha256(repr((scopes, parts)).encode()).hexdigest()
    found = cache.get_many([*(_version_key(scope) for scope in scopes), key])
    versions = _versions(scopes, found)
    kept = found.get(key)
    if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == versions:
        return key, versions, kept[1]
    return key, versions, None


def cached(
    parts: tuple[Any, ...], compute: Callable[[], T], *, timeout: int = TIMEOUT, scopes: tuple[str, ...] = (PROVIDERS,)
) -> T:
    """The answer for `parts` under the scopes' current versions, computing and keeping it on a miss."""
    key, versions, answer = _lookup(parts, scopes)
    if answer is not None:
        return answer  # type: ignore[no-any-return]
    answer = compute()
    cache.set(key, (versions, answer), timeout=timeout)
    return answer


def cached_json(
    parts: tuple[Any, ...], compute: Callable[[], Any], *, scopes: tuple[str, ...] = (PROVIDERS,)
) -> HttpResponse:
    """An API answer kept as the JSON DRF would render for it, so that a kept answer is not rendered again."""
    from rest_framework.renderers import JSONRenderer

    body = cached(("json", *parts), lambda: JSONRenderer().render(compute()), scopes=scopes)
    return HttpResponse(body, content_type="application/json")


def _page_cacheable(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return (
        request.method == "GET"
        and not (user is not None and user.is_authenticated)
        and not len(get_messages(request))  # a message waiting to be shown makes the page this person's own
    )


def page_for_anonymous(*scopes: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Keep a page's HTML a moment for everyone who is not signed in, emptied by writes to `scopes`.

    Only a plain 200 is kept: never a page that set a cookie, used a CSRF token or showed a message."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not _page_cacheable(request):
                return view(request, *args, **kwargs)
            htmx = tuple(request.headers.get(name, "") for name in ("HX-Request", "HX-Target", "HX-Boosted"))
            parts = ("page", view.__module__, view.__name__, request.get_full_path(), htmx)
            key, versions, kept = _lookup(parts, scopes)
            if kept is not None:
                content_type, body = kept
                nonce = str(getattr(request, "csp_nonce", ""))  # a fresh one, which the policy header then names
                return HttpResponse(body.replace(NONCE_PLACEHOLDER, nonce), content_type=content_type)
            response = view(request, *args, **kwargs)
            if (
                response.status_code == 200
                and not response.streaming
                and not response.cookies
                and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
                and not request.META.get("CSRF_COOKIE_USED")
            ):
                body = response.content.decode(response.charset)
                used = getattr(request, "_csp_nonce", None)  # the nonce this page was rendered with, if any
                if used:
                    body = body.replace(used, NONCE_PLACEHOLDER)
                cache.set(key, (versions, (response["Content-Type"], body)), timeout=TIMEOUT)
            return response

        return wrapped

    return decorate
