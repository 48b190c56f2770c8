from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmdbConfig(AppConfig):
    name = "beheer.cmdb"
    label = "cmdb"
    verbose_name = _("CMDB")

    def ready(self) -> None:
        """The CI page's sections of the CMDB's own parts (the network, licences and contracts),
        through its extension point."""
        from . import extensions
        from .views import licences, network

        extensions.register_page_section(extensions.PageSection("network", network.ci_section, order=40))
        extensions.register_page_section(
            extensions.PageSection("cmdb.licences", licences.ci_section, order=50)
        )
