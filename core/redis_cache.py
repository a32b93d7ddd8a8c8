"""Django's Redis cache with one redis-py client per connection pool.

Django builds a new ``redis.Redis`` for every cache call, and building one (its table of
response callbacks) costs about as much as the round trip itself: 0.1-0.2 ms, three or four
times for each page served from the cache. A client is only a handle on its connection pool,
so one per pool does the same work; each thread has its own cache object (django.core.cache)
and so its own clients.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
