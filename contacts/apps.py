from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = _("Personnes et contacts")

    def ready(self):
        from contacts import meetings, person
        from entractes import freshness

        meetings.register(person.RECORDS)
        freshness.count_persons_through(person.RECORDS)
