from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "beheer.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge")

    def ready(self) -> None:
        """The CI page's section of the articles that document the CI, through the CMDB's
        extension point."""
        from . import configuration_items

        configuration_items.register()
