"""The background jobs' status for administrators: when each periodic job ran and why it failed.

Read-only: the rows are written by the scheduler (`core/scheduler.py`), never by a person.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from beheer.core import access

from .admin_base import ReadOnlyAdmin
from .models import ScheduledRun


@admin.register(ScheduledRun)
class ScheduledRunAdmin(ReadOnlyAdmin):
    list_display = (
        "name",
        "healthy",
        "last_started_at",
        "last_finished_at",
        "error_count",
        "failed_items",
        "last_error_at",
        "short_error",
    )
    list_filter = ("error_count",)
    ordering = ("-error_count", "name")
    search_fields = ("name",)
    fields = (
        "name",
        "next_run_at",
        "last_started_at",
        "last_finished_at",
        "error_count",
        "failed_items",
        "last_error_at",
        "last_error",
    )

    def _allowed(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return bool(user.is_authenticated and access.is_administrator(user))

    @admin.display(description=_("OK"), boolean=True)
    def healthy(self, obj: ScheduledRun) -> bool:
        return obj.error_count == 0

    @admin.display(description=_("last error"))
    def short_error(self, obj: ScheduledRun) -> str:
        return obj.last_error[:160]


def task_result_admin() -> type[admin.ModelAdmin]:
    """django-tasks' admin of task results, with column names in the reader's language (its own
    gives two of them as plain English strings). Registered in place of it by beheer/urls.py."""
    from django_tasks_db.admin import DBTaskResultAdmin

    class TaskResultAdmin(DBTaskResultAdmin):
        list_display = (
            "id",
            "task",
            "status",
            "enqueued_at",
            "started_at",
            "finished_at",
            "priority",
            "queue_name",
        )

        @admin.display(description=_("task"))
        def task(self, obj: Any) -> str:
            return str(obj.task_name)

        @admin.display(description=_("run after"))
        def display_run_after(self, obj: Any) -> Any:
            return super().display_run_after(obj)

    return TaskResultAdmin
