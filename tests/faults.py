"""Real failures for one row: a database trigger that refuses a write when a column has a value.

    with failing_write(Melding, {"brief_description": "BOOM"}):
        ...  # inserting a melding with that brief description raises a DatabaseError
    with failing_write(OutgoingMessage, {"recipient": "x@y.example", "status": "sent"}, on="UPDATE"):
        ...  # marking that message sent raises

The database itself raises (SQLite: RAISE(ABORT); PostgreSQL: a PL/pgSQL trigger), so the code
under test meets the same exception a broken row would give it, without a mock. The trigger is
dropped on leaving; inside a test transaction it is also rolled back with it.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

from django.db import connection, models

MESSAGE = "refused by a test trigger"


@contextlib.contextmanager
def failing_write(model: type[models.Model], values: dict[str, str], *, on: str = "INSERT") -> Iterator[str]:
    """Make every `on` (INSERT or UPDATE) of `model` whose new row has these column values fail;
    yields the database's error text."""
    table = connection.ops.quote_name(model._meta.db_table)
    condition = " AND ".join(
        f"NEW.{connection.ops.quote_name(column)} = '" + value.replace("'", "''") + "'"
        for column, value in values.items()
    )
    name = f"fault_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger AS $$ BEGIN "
                f"IF {condition} THEN RAISE EXCEPTION '{MESSAGE}'; END IF; "
                f"RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER {name} BEFORE {on} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER {name} BEFORE {on} ON {table} WHEN {condition} "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
    try:
        yield MESSAGE
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
