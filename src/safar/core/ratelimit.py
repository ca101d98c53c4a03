"""Fixed-window rate limits counted in the shared cache, per client address.

The cache is Redis when SAFAR_REDIS_URL is set, otherwise a table in the database (settings.CACHES):
either way every gunicorn worker and every machine counts into the same numbers. Redis counts
exactly under any concurrency; the database cache serialises the count in a transaction (on
SQLite fully, on PostgreSQL nearly: two workers racing on one key may each count once).
"""

from contextlib import nullcontext

from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import router, transaction
from django.http import HttpRequest

from .client_address import client_address


def hit(key: str, *, limit: int, window: int, cache_alias: str = "default") -> bool:
    """Count one hit on `key`; True when it is over `limit` hits within the `window` seconds
    that began with the window's first hit."""
    cache = caches[cache_alias]
    with _serialised(cache):
        if cache.add(key, 1, window):
            return False
        try:
            return cache.incr(key) > limit
        except ValueError:  # expired between add and incr: this hit opens a new window
            cache.add(key, 1, window)
            return False


def over_limit(request: HttpRequest, scope: str, *, limit: int, window: int) -> bool:
    """Count this request against `scope` for its client address (client_address: the peer, or
    the forwarded address from a trusted proxy); True when the address is over the limit."""
    return hit(f"ratelimit:{scope}:{client_address(request)}", limit=limit, window=window)


def _serialised(cache):
    """A transaction around add+incr for the database cache (its incr is a read then a write);
    nothing for Redis, whose INCR is atomic."""
    if isinstance(cache, DatabaseCache):
        return transaction.atomic(using=router.db_for_write(cache.cache_model_class))
    return nullcontext()
