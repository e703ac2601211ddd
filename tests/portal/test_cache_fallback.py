"""The default cache keeps answering while Redis is down, from local memory, and says so once."""

import logging

import pytest
import redis

from portal.cache import FallbackRedisCache
from tests.portal.mailstack import RedisServer


@pytest.fixture
def redis_server():
    server = RedisServer().start()
    yield server
    server.stop()


def make_cache(server: RedisServer) -> FallbackRedisCache:
    return FallbackRedisCache(
        server.url,
        {
            "KEY_PREFIX": "fallback-test",
            "OPTIONS": {"RETRY_SECONDS": 0, "socket_connect_timeout": 1, "socket_timeout": 1},
        },
    )


def test_the_cache_answers_from_local_memory_while_redis_is_down_and_logs_it_once(
    redis_server, caplog
):
    cache = make_cache(redis_server)
    cache.set("before", 1)
    assert cache.get("before") == 1 and not cache.is_degraded

    redis_server.stop()
    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        assert cache.add("attempts", 0)
        assert cache.incr("attempts") == 1
        assert cache.incr("attempts") == 2
        cache.set_many({"a": 1, "b": 2})
        assert cache.get_many(["a", "b"]) == {"a": 1, "b": 2}
        assert cache.get("before") is None  # Redis's keys are out of reach, nothing fails
        assert cache.is_degraded
    outage_logs = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(outage_logs) == 1

    redis_server.start()
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        cache.set("after", 2)
        assert not cache.is_degraded
    assert any("reachable again" in r.getMessage() for r in caplog.records)
    # Written to Redis itself again, not to local memory.
    assert redis.Redis.from_url(redis_server.url).exists(cache.make_and_validate_key("after"))


def test_the_test_settings_use_the_fallback_cache(settings):
    assert settings.CACHES["default"]["BACKEND"] == "portal.cache.FallbackRedisCache"
