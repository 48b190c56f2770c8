"""The downloads of the CMDB's lists other than the CI list (`tables.py`), for staff: what the
person may see, in the list's order, as CSV or XLSX."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.views.decorators.http import require_GET

from beheer.core import access

from ..tables import TABLES

ACCESS = access.STAFF

View = Callable[[HttpRequest], HttpResponseBase]


def routes(table: str) -> tuple[View, View]:
    """The CSV and the XLSX view of one table."""

    @require_GET
    def export_csv(request: HttpRequest) -> HttpResponseBase:
        return TABLES[table].response("csv", request.user)

    @require_GET
    def export_xlsx(request: HttpRequest) -> HttpResponseBase:
        return TABLES[table].response("xlsx", request.user)

    return export_csv, export_xlsx
