"""Django's database cache with an increment that holds under concurrency.

Django's ``DatabaseCache.incr`` reads the value and writes it back: requests that arrive
together all read the same number, and a rate limit of 5 let 12 attempts through. Here
the row is locked (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE``,
set in the settings, takes the write lock first) so every caller gets its own count.
Redis needs nothing of the kind: django-redis's ``incr`` is Redis's atomic ``INCRBY``.
"""

from __future__ import annotations

import base64
import pickle
from typing import Any

from django.core.cache.backends import db as django_db_cache
from django.db import connections, models, router, transaction


class DatabaseCache(django_db_cache.DatabaseCache):
    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        alias = router.db_for_write(self.cache_model_class)
        connection = connections[alias]
        quote = connection.ops.quote_name
        table = quote(self._table)  # type: ignore[attr-defined]
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.execute(
                # Only quoted names and the configured table go into the text; the key is a parameter.
                f"SELECT {quote('value')}, {quote('expires')} FROM {table} WHERE {quote('cache_key')} = %s{lock}",  # noqa: S608
                [key],
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found.")
            value, expires = row
            expression = models.Expression(output_field=models.DateTimeField())
            for converter in connection.ops.get_db_converters(expression) + expression.get_db_converters(connection):
                expires = converter(expires, expression, connection)
            # Read through the module so that tests moving the clock move this one too.
            if expires < django_db_cache.tz_now():  # type: ignore[attr-defined]
                raise ValueError(f"Key '{key}' not found.")
            # The cache's own rows, written by the cache (as Django's own backend reads them).
            current = pickle.loads(base64.b64decode(connection.ops.process_clob(value).encode()))  # noqa: S301
            new_value = current + delta
            encoded = base64.b64encode(pickle.dumps(new_value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET {quote('value')} = %s WHERE {quote('cache_key')} = %s",  # noqa: S608
                [encoded, key],
            )
        return new_value
