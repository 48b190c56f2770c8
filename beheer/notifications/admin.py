"""Group notification settings in the configuration screens (administrators). The outbox, the mail
server, templates and webhooks have their own screens under /notifications/."""

from __future__ import annotations

from django.contrib import admin

from beheer.core.admin_base import AdministratorAdmin

from .models import GroupNotificationSetting


@admin.register(GroupNotificationSetting)
class GroupNotificationSettingAdmin(AdministratorAdmin):
    list_display = ("group", "email", "mail_group_address", "mail_members")
    list_filter = ("mail_group_address", "mail_members")
    autocomplete_fields = ("group",)
