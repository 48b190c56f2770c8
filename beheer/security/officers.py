"""Who the security and privacy officers are (a read; the marks are set by
`accounts.services.set_officer_marks`)."""

from __future__ import annotations

from beheer.accounts.models import User

OFFICERS_MAX = 500  # a bounded list: officers are a handful of staff members


def officers_list() -> list[User]:
    """The active staff members who are security or privacy officer, by name."""
    marked = User.objects.operators().filter(security_officer=True) | User.objects.operators().filter(
        privacy_officer=True
    )
    return list(marked.order_by("last_name", "first_name", "id")[:OFFICERS_MAX])
