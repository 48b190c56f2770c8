from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    """Changes and projects (wijzigingen en projecten): a change from its request through
    assessment, approval, execution and evaluation, grouped in projects. Above the servicedesk,
    monitoring and problems: it links meldingen, CIs and (later) maintenance windows; it shows its
    button on the melding page through the servicedesk's extension points; nothing below imports it."""

    name = "beheer.changes"
    label = "changes"
    verbose_name = _("Changes")

    def ready(self) -> None:
        from beheer.mailintake import extensions as mail_extensions
        from beheer.servicedesk import extensions

        from .mail_intake import KIND
        from .melding_section import melding_changes_panel

        extensions.register_page_section(extensions.PageSection("changes", melding_changes_panel))
        mail_extensions.register_kind(KIND)
