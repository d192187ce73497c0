from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "health"
    verbose_name = _("Santé")

    def ready(self):
        from contacts import access as persons_access
        from contacts import meetings
        from entractes import freshness
        from health import access, person

        meetings.register(person.RECORDS)
        freshness.count_persons_through(person.RECORDS)
        persons_access.register_reach(access.persons_reached)
