from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

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
    SessionKind,
    Theme,
    Zone,
)
from entractes.admin import ReferenceAdmin, SettingsModelAdmin, settings_site

for model in (Language, Product, ProstitutionMode, Zone, Theme, Service, AdSite, MediationTheme):
    settings_site.register(model, ReferenceAdmin)


@admin.register(Channel, site=settings_site)
class ChannelAdmin(ReferenceAdmin):
    list_display = ["label", "slug", "kind", "position", "active"]


class MaterialForm(forms.ModelForm):
    sheet_kinds = forms.TypedMultipleChoiceField(
        label=_("Sur chaque ligne de la feuille des sessions"),
        choices=SessionKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Les types de session dont la feuille propose ce matériel sur chaque contact ; "
            "les autres matériels restent à un geste."
        ),
    )

    class Meta:
        model = Material
        fields = ["label", "slug", "category", "sheet_kinds", "position", "active"]


@admin.register(Material, site=settings_site)
class MaterialAdmin(ReferenceAdmin):
    form = MaterialForm
    list_display = ["label", "slug", "category", "sheets", "position", "active"]
    list_editable = ["position", "active"]

    @admin.display(description=_("sur la feuille de"))
    def sheets(self, material: Material) -> str:
        kinds = dict(SessionKind.choices)
        return ", ".join(str(kinds[k]) for k in material.sheet_kinds or [] if k in kinds) or "—"


@admin.register(Partner, site=settings_site)
class PartnerAdmin(SettingsModelAdmin):
    list_display = ["name", "kind", "phone", "email", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "offer"]


@admin.register(OpeningSlot, site=settings_site)
class OpeningSlotAdmin(SettingsModelAdmin):
    list_display = ["kind", "weekday", "start", "end", "valid_from", "active"]
