"""A Redis cache that keeps the portal working while Redis is down.

Login's rate limits and the used TOTP codes live in the default cache. With Django's own
``RedisCache`` an unreachable Redis turns every login into a server error; this backend
answers from a process-local memory cache instead until Redis is back. Rate limits then
count per process, which is weaker but still a limit, and nothing is lost that matters:
the cache holds nothing the database does not.

The outage is logged once when it starts and once when it ends. While Redis is down, it is
tried again at most every ``RETRY_SECONDS`` (an option, default 5), so a Redis that times
out instead of refusing does not slow every request.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class _Outage:
    """Whether one Redis location is down, shared by the threads of a process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.down_since: float | None = None
        self.last_try = 0.0


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _outage_for(location: str) -> _Outage:
    with _outages_lock:
        return _outages.setdefault(location, _Outage())


class FallbackRedisCache(RedisCache):
    """Django's Redis cache, falling back to local memory while Redis cannot be reached."""

    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self._retry_seconds = float(options.pop("RETRY_SECONDS", 5))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._location = server if isinstance(server, str) else ",".join(server)
        self._outage = _outage_for(self._location)
        # Named per location, so every thread of the process shares one fallback store.
        self._fallback = LocMemCache(
            f"redis-fallback:{self._location}",
            {
                "TIMEOUT": params.get("TIMEOUT", 300),
                "KEY_PREFIX": params.get("KEY_PREFIX", ""),
                "VERSION": params.get("VERSION", 1),
                "OPTIONS": {"MAX_ENTRIES": 10_000},
            },
        )

    @property
    def is_degraded(self) -> bool:
        """True while answers come from local memory."""
        return self._outage.down_since is not None

    def _call(self, name: str, *args, **kwargs):
        outage = self._outage
        if outage.down_since is not None:
            now = time.monotonic()
            with outage.lock:
                retry = now - outage.last_try >= self._retry_seconds
                if retry:
                    outage.last_try = now
            if not retry:
                return getattr(self._fallback, name)(*args, **kwargs)
        try:
            result = getattr(RedisCache, name)(self, *args, **kwargs)
        except UNREACHABLE as error:
            self._went_down(error)
            return getattr(self._fallback, name)(*args, **kwargs)
        if outage.down_since is not None:
            self._came_back()
        return result

    def _went_down(self, error: Exception) -> None:
        outage = self._outage
        with outage.lock:
            first = outage.down_since is None
            if first:
                outage.down_since = outage.last_try = time.monotonic()
        if first:
            logger.warning(
                "Cache at %s unreachable (%s); using process-local memory until it returns",
                self._location,
                error,
            )

    def _came_back(self) -> None:
        outage = self._outage
        with outage.lock:
            was_down = outage.down_since
            outage.down_since = None
        if was_down is not None:
            logger.warning(
                "Cache at %s reachable again after %.0f s",
                self._location,
                time.monotonic() - was_down,
            )

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version)

    def clear(self):
        self._fallback.clear()
        return self._call("clear")
