from django.contrib import admin

from entractes.admin import ReferenceAdmin, settings_site
from health.models import Act, ServiceLine


@admin.register(ServiceLine, site=settings_site)
class ServiceLineAdmin(ReferenceAdmin):
    filter_horizontal = ["practitioners"]


@admin.register(Act, site=settings_site)
class ActAdmin(ReferenceAdmin):
    list_display = [
        "label",
        "slug",
        "needs_result",
        "is_screening",
        "needs_detail",
        "position",
        "active",
    ]
