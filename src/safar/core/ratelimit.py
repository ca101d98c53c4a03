"""Fixed-window rate limits counted in the shared cache, per client address.

The cache is Redis when SAFAR_REDIS_URL is set, otherwise a table in the database (settings.CACHES):
either way every gunicorn worker and every machine counts into the same numbers. Redis's INCR is
atomic; the database cache's incr is a read then a write, so there the count runs in a transaction
that holds the row (SQLite: the write lock of the IMMEDIATE transaction; PostgreSQL: SELECT …
FOR UPDATE), and no hit is lost to a concurrent one.
"""

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.http import HttpRequest

from .client_address import client_address


def hit(key: str, *, limit: int, window: int, cache_alias: str = "default") -> bool:
    """Count one hit on `key`; True when it is over `limit` hits within the `window` seconds
    that began with the window's first hit."""
    cache = caches[cache_alias]
    if not isinstance(cache, DatabaseCache):
        return _count(cache, key, limit, window)
    using = router.db_for_write(cache.cache_model_class)
    with transaction.atomic(using=using):
        return _count(cache, key, limit, window, lock=lambda: _lock_row(cache, key, using))


def over_limit(request: HttpRequest, scope: str, *, limit: int, window: int) -> bool:
    """Count this request against `scope` for its client address (client_address: the peer, or
    the forwarded address from a trusted proxy); True when the address is over the limit."""
    return hit(f"ratelimit:{scope}:{client_address(request)}", limit=limit, window=window)


def _count(cache: BaseCache, key: str, limit: int, window: int, lock=None) -> bool:
    if cache.add(key, 1, window):
        return False
    if lock is not None:
        lock()
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr: this hit opens a new window
        cache.add(key, 1, window)
        return False


def _lock_row(cache: DatabaseCache, key: str, using: str) -> None:
    """Hold the key's row until the transaction ends (PostgreSQL; SQLite's IMMEDIATE
    transaction already holds the database's write lock)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    table = connection.ops.quote_name(cache._table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {table} WHERE cache_key = %s FOR UPDATE",
            [cache.make_and_validate_key(key)],
        )
