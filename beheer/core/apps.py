from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "beheer.core"
    label = "core"
    verbose_name = _("Core")


class TasksDatabaseConfig(AppConfig):
    """django-tasks' database backend, under a name in the reader's language in the admin."""

    name = "django_tasks_db"
    label = "django_tasks_database"
    verbose_name = _("Background tasks")

    def ready(self) -> None:
        from django_tasks_db import signal_handlers  # noqa: F401  (as the package's own config does)
