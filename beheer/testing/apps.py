from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TestingConfig(AppConfig):
    """Test management (testbeheer): a change's test plan, its cases linked to the requirements, the
    runs and their findings, the test report, and acceptance sessions in which users carry out their
    cases in the portal. Above changes: it reads a change's requirements and activities and adds a
    tab to its pages and a section to its final report; nothing below imports it."""

    name = "beheer.testing"
    label = "testing"
    verbose_name = _("Testing")

    def ready(self) -> None:
        from . import extensions

        extensions.register()
