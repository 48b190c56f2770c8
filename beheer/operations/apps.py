from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "beheer.operations"
    label = "operations"
    verbose_name = _("Operations management")

    def ready(self) -> None:
        from beheer.cmdb import extensions

        from .ci_section import activities_section

        # the CI page's panel of the series linked to it (`ActivitySeries.cis`)
        extensions.register_page_section(extensions.PageSection("activities", activities_section, order=30))
