"""Notification screens under /notifications/."""

from django.urls import path
from django.views.generic import RedirectView

from beheer.core import access

from . import views

home = access.gate(access.COORDINATORS)(RedirectView.as_view(pattern_name="notification-outbox"))

urlpatterns = [
    path(
        "notifications/",
        home,
        name="notifications",
    ),
    path("notifications/outbox/", views.outbox, name="notification-outbox"),
    path("notifications/outbox/discard/", views.outbox_discard, name="notification-outbox-discard"),
    path("notifications/outbox/<int:pk>/", views.message_detail, name="notification-message"),
    path("notifications/time-to-live/", views.ttl_settings, name="notification-ttl"),
    path("notifications/outbox/<int:pk>/retry/", views.message_retry, name="notification-message-retry"),
    path("notifications/mail-server/", views.mail_server, name="notification-mail-server"),
    path("notifications/mail-server/test/", views.mail_server_test, name="notification-mail-test"),
    path("notifications/templates/", views.template_list, name="notification-templates"),
    path("notifications/templates/<slug:event>/", views.template_event, name="notification-template-event"),
    path(
        "notifications/templates/<slug:event>/<str:language>/",
        views.template_edit,
        name="notification-template-edit",
    ),
    path(
        "notifications/templates/<slug:event>/<str:language>/preview/",
        views.template_preview,
        name="notification-template-preview",
    ),
    path(
        "notifications/templates/<slug:event>/<str:language>/reset/",
        views.template_reset,
        name="notification-template-reset",
    ),
    path("notifications/webhooks/", views.webhook_list, name="notification-webhooks"),
    path("notifications/webhooks/<int:pk>/", views.webhook_edit, name="notification-webhook-edit"),
    path("notifications/webhooks/<int:pk>/delete/", views.webhook_delete, name="notification-webhook-delete"),
    path("notifications/preferences/", views.preferences, name="notification-preferences"),
]
