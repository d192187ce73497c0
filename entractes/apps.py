from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EntractesConfig(AppConfig):
    name = "entractes"
    verbose_name = _("Personnel et accès")
