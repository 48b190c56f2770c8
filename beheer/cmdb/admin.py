from django.contrib import admin

from beheer.core.admin_base import ConfigAdmin

from .models import Supplier


@admin.register(Supplier)
class SupplierAdmin(ConfigAdmin):
    list_display = ("name", "contact_person", "email", "phone", "active")
    search_fields = ("name", "contact_person")
