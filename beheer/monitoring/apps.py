from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "beheer.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self) -> None:
        """Show a CI's checks (and for a device discovery over SNMP) on its page and report the CIs
        whose checks are down, through the CMDB's extension points (the CMDB sits below monitoring
        and never imports it)."""
        from beheer.cmdb import extensions

        from .cmdb_links import ci_checks_section, ci_in_trouble
        from .views.discovery import ci_section as discovery_section

        extensions.register_page_section(extensions.PageSection("checks", ci_checks_section, order=50))
        extensions.register_page_section(extensions.PageSection("discovery", discovery_section, order=41))
        extensions.register_trouble_source(extensions.TroubleSource("checks", ci_in_trouble))
