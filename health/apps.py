from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "health"
    verbose_name = _("Santé")

    def ready(self):
        from contacts import access as persons_access
        from contacts import meetings
        from health import access, person

        meetings.register(person.RECORDS)
        persons_access.register_reach(access.persons_reached)
