"""Configuration of the knowledge base: the category tree and the review rule per kind.

Articles themselves are edited in Beheer's own screens, through the services, not in the admin.
"""

from django.contrib import admin

from beheer.core.admin_base import ConfigAdmin

from .models import KindSetting, KnowledgeCategory


@admin.register(KnowledgeCategory)
class KnowledgeCategoryAdmin(ConfigAdmin):
    list_display = ("name_nl", "name_en", "parent", "order", "active")
    list_filter = ("active",)
    search_fields = ("name_nl", "name_en", "code")


@admin.register(KindSetting)
class KindSettingAdmin(ConfigAdmin):
    list_display = ("kind", "review_required")
