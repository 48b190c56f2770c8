"""Screens of the e-mail channel: mailboxes (administrators) and dead letters (operators)."""

from django.urls import path

from . import mail_views

urlpatterns = [
    path("mail/mailboxes/", mail_views.mailbox_list, name="mail-mailboxes"),
    path("mail/mailboxes/new/", mail_views.mailbox_edit, name="mail-mailbox-new"),
    path("mail/mailboxes/<int:pk>/", mail_views.mailbox_edit, name="mail-mailbox-edit"),
    path("mail/mailboxes/<int:pk>/test/", mail_views.mailbox_test, name="mail-mailbox-test"),
    path("mail/mailboxes/<int:pk>/delete/", mail_views.mailbox_delete, name="mail-mailbox-delete"),
    path("mail/mailboxes/<int:pk>/rules/", mail_views.rule_add, name="mail-rule-add"),
    path(
        "mail/mailboxes/<int:pk>/rules/<int:rule_pk>/delete/", mail_views.rule_delete, name="mail-rule-delete"
    ),
    path("mail/dead-letters/", mail_views.dead_letter_list, name="mail-dead-letters"),
    path("mail/dead-letters/<int:pk>/", mail_views.dead_letter_detail, name="mail-dead-letter"),
    path("mail/dead-letters/<int:pk>/retry/", mail_views.dead_letter_retry, name="mail-dead-letter-retry"),
    path(
        "mail/dead-letters/<int:pk>/convert/", mail_views.dead_letter_convert, name="mail-dead-letter-convert"
    ),
    path(
        "mail/dead-letters/<int:pk>/discard/", mail_views.dead_letter_discard, name="mail-dead-letter-discard"
    ),
]
