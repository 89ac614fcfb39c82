"""The shared cache (Redis), tolerant of its server going away: while Redis is down every read misses and every
write is dropped (and logged), so the site keeps working on the database alone. Rate limits then let requests
through rather than answering 500 to everyone; /healthz still reports `cache: down`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import structlog
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = structlog.get_logger("waymark.cache")
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError, OSError)


def _tolerant(fallback: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(method: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(method)
        def wrapped(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except UNREACHABLE as error:
                logger.warning("cache_unreachable", operation=method.__name__, error=type(error).__name__)
                return fallback(*args, **kwargs)

        return wrapped

    return decorate


class ReusedRedisCacheClient(RedisCacheClient):
    """Django builds a new `redis.Redis` object (over the same pool) for every cache call: about 0.1 ms each, two or
    three times per request (the rate limit, the search cache, the session), measured in issue 19's profile. One
    client per pool is enough: `redis.Redis` is safe to share between threads."""

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        clients: dict[int, Any] = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusedRedisCacheClient

    # As if added: a lock taken on a cache that is down must not hold everyone out (allauth's rate limits take one).
    add = _tolerant(lambda *a, **k: True)(RedisCache.add)
    get = _tolerant(lambda key, default=None, *a, **k: default)(RedisCache.get)
    set = _tolerant(lambda *a, **k: None)(RedisCache.set)
    touch = _tolerant(lambda *a, **k: False)(RedisCache.touch)
    delete = _tolerant(lambda *a, **k: False)(RedisCache.delete)
    get_many = _tolerant(lambda *a, **k: {})(RedisCache.get_many)
    has_key = _tolerant(lambda *a, **k: False)(RedisCache.has_key)
    incr = _tolerant(lambda key, delta=1, *a, **k: delta)(RedisCache.incr)
    set_many = _tolerant(lambda *a, **k: [])(RedisCache.set_many)
    delete_many = _tolerant(lambda *a, **k: None)(RedisCache.delete_many)
    clear = _tolerant(lambda *a, **k: None)(RedisCache.clear)
