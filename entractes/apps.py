from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def create_cache_tables(using, **kwargs):
    """The database caches' tables (the figures' cache) exist wherever migrations ran."""
    call_command("createcachetable", database=using, verbosity=0)


class EntractesConfig(AppConfig):
    name = "entractes"
    verbose_name = _("Personnel et accès")

    def ready(self):
        from entractes import checks, freshness  # noqa: F401 (checks register themselves)

        freshness.connect()
        post_migrate.connect(create_cache_tables, sender=self, dispatch_uid="cache_tables")
