from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmdbConfig(AppConfig):
    name = "beheer.cmdb"
    label = "cmdb"
    verbose_name = _("CMDB")

    def ready(self) -> None:
        """The CI page's section of the network (the CMDB's own part, through its extension point)."""
        from . import extensions
        from .views.network import ci_section

        extensions.register_page_section(extensions.PageSection("network", ci_section, order=40))
