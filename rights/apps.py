from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RightsConfig(AppConfig):
    name = "rights"
    verbose_name = _("Accès aux droits")

    def ready(self):
        from entractes import freshness
        from rights import person

        freshness.count_persons_through(person.RECORDS)
