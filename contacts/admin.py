from django.contrib import admin

from contacts.models import (
    AdSite,
    Channel,
    Language,
    Material,
    MediationTheme,
    OpeningSlot,
    Partner,
    Product,
    ProstitutionMode,
    Service,
    Theme,
    Zone,
)
from entractes.admin import ReferenceAdmin, SettingsModelAdmin, settings_site

for model in (Language, Product, ProstitutionMode, Zone, Theme, Service, AdSite, MediationTheme):
    settings_site.register(model, ReferenceAdmin)


@admin.register(Channel, site=settings_site)
class ChannelAdmin(ReferenceAdmin):
    list_display = ["label", "slug", "kind", "position", "active"]


@admin.register(Material, site=settings_site)
class MaterialAdmin(ReferenceAdmin):
    list_display = ["label", "slug", "category", "on_round_sheet", "position", "active"]
    list_editable = ["on_round_sheet", "position", "active"]


@admin.register(Partner, site=settings_site)
class PartnerAdmin(SettingsModelAdmin):
    list_display = ["name", "kind", "phone", "email", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]


@admin.register(OpeningSlot, site=settings_site)
class OpeningSlotAdmin(SettingsModelAdmin):
    list_display = ["kind", "weekday", "start", "end", "valid_from", "active"]
