"""The Redis cache reuses one client per connection pool (core.redis_cache)."""

import pytest
from django.conf import settings
from django.core.cache import cache, caches

from core.redis_cache import RedisCache

pytestmark = pytest.mark.skipif(
    settings.CACHES["default"]["BACKEND"] != "core.redis_cache.RedisCache",
    reason="the cache is Redis only with REDIS_URL set",
)


def test_every_call_goes_through_one_client_and_reads_what_it_wrote():
    assert isinstance(caches["default"], RedisCache)
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client() is client
    cache.set("reused-client", {"n": 1})
    cache.set_many({"reused-a": 1, "reused-b": 2})
    assert cache.get("reused-client") == {"n": 1}
    assert cache.get_many(["reused-a", "reused-b", "reused-none"]) == {"reused-a": 1, "reused-b": 2}
    assert cache.add("reused-a", 3) is False
    cache.delete("reused-a")
    assert cache.get("reused-a") is None
    assert cache._cache.get_client(write=True) is client
