from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    """Security and privacy (informatiebeveiliging en AVG): the measures register against a control
    catalogue (ISO/IEC 27002:2022 with the BIO2 measures), the statement of applicability, risks and
    CIA classification, security incidents with their reporting deadlines, the breach register, the
    register of processing activities, retention and the rights of the people concerned. Beside
    testing, above changes: it reads the CMDB, meldingen, knowledge and preventive activities and
    shows itself on their pages through their extension points; nothing below imports it."""

    name = "beheer.security"
    label = "security"
    verbose_name = _("Security and privacy")

    def ready(self) -> None:
        from . import extensions

        extensions.register()
