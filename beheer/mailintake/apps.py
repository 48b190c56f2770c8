from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailintakeConfig(AppConfig):
    """Meldingen by e-mail: mailboxes read over IMAP, their rules, the exactly-once intake and the
    dead letters. Above the servicedesk: it registers meldingen and replies through the servicedesk's
    services; nothing below imports it."""

    name = "beheer.mailintake"
    label = "mailintake"
    verbose_name = _("Incoming mail")
