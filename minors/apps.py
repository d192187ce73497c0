from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MinorsConfig(AppConfig):
    name = "minors"
    verbose_name = _("Mineurs et jeunes majeurs")

    def ready(self):
        from entractes import freshness
        from minors import person

        freshness.count_persons_through(person.RECORDS)
