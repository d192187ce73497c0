"""The settings site: reference lists, edited by administrators.

Django's admin machinery, limited to reference data and to the "settings.manage"
capability; nothing can be deleted (an item is deactivated instead).
"""

from functools import wraps

from django.contrib import admin
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from entractes.permissions import PUBLIC, check


class SettingsSite(admin.AdminSite):
    site_header = _("Entr'Actes — paramètres")
    site_title = _("Paramètres")
    index_title = _("Listes de référence")
    site_url = "/"

    def has_permission(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_authenticated and user.has_capability("settings.manage")

    def admin_view(self, view, cacheable=False):
        """Refuse like every other page: login redirect for visitors, 403 for others."""
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def wrapped(request, *args, **kwargs):
            refusal = check(request, "settings.manage")
            if refusal is not None:
                return refusal
            return inner(request, *args, **kwargs)

        wrapped.required_capability = "settings.manage"
        return wrapped

    def get_urls(self):
        """Declare on every URL what the wrapper enforces, as every project page does."""
        patterns = super().get_urls()

        def declare(entries):
            for entry in entries:
                if hasattr(entry, "url_patterns"):
                    declare(entry.url_patterns)
                else:
                    capability = PUBLIC if entry.name in ("login", "logout") else "settings.manage"
                    entry.callback = _declared(entry.callback, capability)

        declare(patterns)
        return patterns

    def login(self, request, extra_context=None):
        return redirect("login")

    def logout(self, request, extra_context=None):
        return redirect("home")


def _declared(view, capability: str):
    @wraps(view)
    def declared(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    declared.required_capability = capability
    return declared


settings_site = SettingsSite(name="settings")


class SettingsModelAdmin(admin.ModelAdmin):
    """Editable by administrators, never deleted (deactivate instead)."""

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


class ReferenceAdmin(SettingsModelAdmin):
    list_display = ["label", "slug", "position", "active"]
    list_editable = ["position", "active"]
    search_fields = ["label", "slug"]
    list_filter = ["active"]

    def get_readonly_fields(self, request, obj=None):
        # A slug names report keys: fixed once created. Who belongs to a list (a health
        # line's partners) is an access grant: shown here, changed on the account's page,
        # where it waits for a second person's confirmation.
        fixed = ["slug"] if obj is not None else []
        return fixed + staff_relations(self.model)


def staff_relations(model) -> list[str]:
    """The fields of ``model`` that link it to staff accounts."""
    from django.conf import settings

    return [
        field.name
        for field in model._meta.get_fields()
        if field.is_relation
        and not field.auto_created
        and field.related_model is not None
        and field.related_model._meta.label == settings.AUTH_USER_MODEL
    ]
