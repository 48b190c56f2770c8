"""Screens of the e-mail channel: mailboxes (administrators) and dead letters (operators)."""

from django.urls import path

from . import views

urlpatterns = [
    path("mail/mailboxes/", views.mailbox_list, name="mail-mailboxes"),
    path("mail/mailboxes/new/", views.mailbox_edit, name="mail-mailbox-new"),
    path("mail/mailboxes/<int:pk>/", views.mailbox_edit, name="mail-mailbox-edit"),
    path("mail/mailboxes/<int:pk>/test/", views.mailbox_test, name="mail-mailbox-test"),
    path("mail/mailboxes/<int:pk>/delete/", views.mailbox_delete, name="mail-mailbox-delete"),
    path("mail/mailboxes/<int:pk>/rules/", views.rule_add, name="mail-rule-add"),
    path("mail/mailboxes/<int:pk>/rules/<int:rule_pk>/delete/", views.rule_delete, name="mail-rule-delete"),
    path("mail/dead-letters/", views.dead_letter_list, name="mail-dead-letters"),
    path("mail/dead-letters/<int:pk>/", views.dead_letter_detail, name="mail-dead-letter"),
    path("mail/dead-letters/<int:pk>/retry/", views.dead_letter_retry, name="mail-dead-letter-retry"),
    path("mail/dead-letters/<int:pk>/convert/", views.dead_letter_convert, name="mail-dead-letter-convert"),
    path("mail/dead-letters/<int:pk>/discard/", views.dead_letter_discard, name="mail-dead-letter-discard"),
]
