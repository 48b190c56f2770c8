from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicedeskConfig(AppConfig):
    name = "beheer.servicedesk"
    label = "servicedesk"
    verbose_name = _("Servicedesk")
