from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "beheer.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # A bad BEHEER_ENCRYPTION_KEY stops start-up instead of failing at the first send.
        from .crypto import check_configuration

        check_configuration()
