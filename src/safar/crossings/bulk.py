"""Fast inserts of travellers and crossings for the CSV import and the synthetic loader.

The ORM's bulk_create builds small statements (SQLite allows 999 parameters) and a model
object per row; at a million rows that dominates. Here rows are plain tuples: SQLite gets one
executemany, PostgreSQL gets COPY. Ids are reserved up front so that the caller knows them
(the cells need each crossing's id: same-day crossings are ordered by it).
"""

import json
from contextlib import contextmanager
from datetime import date

from django.db import connection
from django.utils import timezone

from .models import Crossing, Traveller

TRAVELLER_COLUMNS = ("id", "citizenship_id", "passport_number", "birth_date")
# Rows for insert_crossings are tuples in this order; created/updated/source are added here.
CROSSING_COLUMNS = (
    "id",
    "card_number",
    "direction",
    "crossed_on",
    "border_point_id",
    "traveller_id",
    "surname",
    "given_names",
    "sex",
    "purpose_id",
    "country_id",
    "region_id",
    "district_id",
)
_EXTRA = ("source", "created_by_id", "created_at", "updated_at")


def reserve_ids(model, count: int) -> list[int]:
    """`count` fresh, increasing primary keys for `model`.

    SQLite: the next ids after both the largest id and the AUTOINCREMENT counter; free while
    the write lock is held (from BEGIN IMMEDIATE), or, read before it, as long as no other
    connection commits (the importer checks `PRAGMA data_version` under the lock). PostgreSQL:
    from the table's sequence, safe alongside concurrent writers.
    """
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return sorted(r[0] for r in cursor.fetchall())
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        top = cursor.fetchone()[0]
        cursor.execute("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = %s", [table])
        top = max(top, cursor.fetchone()[0])
    return list(range(top + 1, top + 1 + count))


def _insert(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = ", ".join(columns)
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def insert_travellers(rows: list[tuple]) -> None:
    """Insert (id, citizenship, passport_number, birth_date ISO text or date) rows."""
    _insert(Traveller._meta.db_table, TRAVELLER_COLUMNS, rows)


def insert_crossings(rows: list[tuple], *, source: str, user_id: int | None = None) -> None:
    """Insert crossing rows (CROSSING_COLUMNS order; dates as ISO text or dates)."""
    now = timezone.now()
    table = Crossing._meta.db_table
    if connection.vendor == "postgresql" or not rows:
        extra = (source, user_id, now, now)
        _insert(table, CROSSING_COLUMNS + _EXTRA, [(*row, *extra) for row in rows])
        return
    # SQLite: the values shared by every row are written into the statement once, as literals
    # (a choice code, an integer and a timestamp made here: nothing from the file).
    stamp = connection.ops.adapt_datetimefield_value(now)
    literals = (
        f"'{Crossing.Source(source).value}'",
        str(int(user_id)) if user_id else "NULL",
        f"'{stamp}'",
        f"'{stamp}'",
    )
    marks = ", ".join(["%s"] * len(CROSSING_COLUMNS))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(CROSSING_COLUMNS + _EXTRA)}) "
            f"VALUES ({marks}, {', '.join(literals)})",
            rows,
        )


def sync_sequences() -> None:
    """After inserting explicit ids on PostgreSQL, move the sequences past them."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (Traveller, Crossing):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                f"GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), 1))",
                [table],
            )


def stage(name: str, columns: str, rows: list[tuple]) -> None:
    """Fill the temporary table `name` (created with `columns` when missing, emptied when not)
    with `rows`, to join a whole chunk of keys in one statement instead of many `IN (…)` lists.

    Dates go in as ISO text on SQLite (what Django stores there).
    """
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({columns})")
        cursor.execute(f"DELETE FROM {name}")
        if not rows:
            return
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {name} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"ANALYZE {name}")
            return
        # SQLite: all the rows as one JSON parameter, taken apart by json_each in one
        # statement (an executemany call per row cost several times more).
        values = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(rows[0])))
        cursor.execute(
            f"INSERT INTO {name} SELECT {values} FROM json_each(%s)",
            [json.dumps(rows, default=date.isoformat)],
        )


@contextmanager
def indexes_deferred(indexes: list[tuple]):
    """Drop these (model, Index) pairs and build them again at the end, even after an error:
    one sort per index instead of a B-tree insert per row and index.

    Only secondary indexes (Meta.indexes), never a unique constraint. Inside a caller's
    transaction (tests) the indexes stay: PostgreSQL refuses to build an index on a table with
    pending deferred foreign-key checks. A process killed before the rebuild leaves them
    missing: `restore_indexes` (which the import runs first) builds them again.
    """
    if connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        for _model, index in indexes:
            cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(index.name)}")
    try:
        yield
    finally:
        restore_indexes(indexes)


def restore_indexes(indexes: list[tuple]) -> list[str]:
    """Build those of these (model, Index) pairs that are missing; returns their names."""
    built = []
    editor = connection.schema_editor()
    with connection.cursor() as cursor:
        for model, index in indexes:
            present = connection.introspection.get_constraints(cursor, model._meta.db_table)
            if index.name not in present:
                cursor.execute(str(index.create_sql(model, editor)))
                built.append(index.name)
    return built
