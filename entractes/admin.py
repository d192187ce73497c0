"""The settings site: reference lists, edited by administrators.

Django's admin machinery, limited to reference data and to the "settings.manage"
capability; nothing can be deleted (an item is deactivated instead).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class SettingsSite(admin.AdminSite):
    site_header = _("Entr'Actes — paramètres")
    site_title = _("Paramètres")
    index_title = _("Listes de référence")
    site_url = "/"

    def has_permission(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_authenticated and user.has_capability("settings.manage")


settings_site = SettingsSite(name="settings")


class ReferenceAdmin(admin.ModelAdmin):
    list_display = ["label", "slug", "position", "active"]
    list_editable = ["position", "active"]
    search_fields = ["label", "slug"]
    list_filter = ["active"]

    def has_module_permission(self, request) -> bool:
        return request.user.has_capability("settings.manage")

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_capability("settings.manage")

    def has_add_permission(self, request) -> bool:
        return request.user.has_capability("settings.manage")

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.has_capability("settings.manage")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        # A slug names report keys: fixed once created.
        return ["slug"] if obj is not None else []
