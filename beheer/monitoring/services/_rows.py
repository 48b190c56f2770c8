"""Inserting rows that point at checks, when a check may be deleted meanwhile (by a person on the
check screens) and the rows were computed from an earlier read: the roll-up's buckets and the
monitor's first state rows.

Rows of checks that no longer exist are dropped before the insert. On PostgreSQL the caller's
transaction runs with its constraints immediate and the insert in a savepoint: a check deleted
between that look and the insert fails the insert, not the commit, and the rows are looked at again
(and from then on the inserted rows hold the check: its delete waits for this transaction). On
SQLite the caller's IMMEDIATE transaction keeps other writers out, so the look is final.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TypeVar

from django.db import IntegrityError, connection, transaction

from ..models import Check, CheckRollup, CheckState

logger = logging.getLogger(__name__)

ATTEMPTS = 3

Row = TypeVar("Row", CheckRollup, CheckState)


def constraints_immediate() -> None:
    """Within the caller's transaction on PostgreSQL: a broken reference fails its own statement
    (and savepoint), not the commit. SQLite checks references at the commit only."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def insert_for_existing_checks(
    model: type[Row], rows: Sequence[Row], *, batch_size: int, ignore_conflicts: bool = False
) -> list[Row]:
    """Insert `rows` (each with a `check_obj_id`) of checks that still exist, in a transaction the
    caller holds after `constraints_immediate()`; returns the rows inserted."""
    pending = list(rows)
    for attempt in range(1, ATTEMPTS + 1):
        ids = {row.check_obj_id for row in pending}
        existing = set(Check.objects.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
        if gone := ids - existing:
            logger.info("Left out the rows of %d check(s) deleted meanwhile: %s", len(gone), sorted(gone))
            pending = [row for row in pending if row.check_obj_id in existing]
        try:
            with transaction.atomic():  # a savepoint: a check deleted since the look fails only this
                model._default_manager.bulk_create(
                    pending, batch_size=batch_size, ignore_conflicts=ignore_conflicts
                )
            return pending
        except IntegrityError:
            if attempt == ATTEMPTS:
                raise
            logger.info("A check was deleted while its rows were inserted; looking again")
    return pending  # not reached: the last attempt returns or raises
