import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from entractes.models import AccessLogEntry


class Command(BaseCommand):
    help = "Delete access-log entries older than 12 months (the retention period)."

    def handle(self, *args, **options):
        before = timezone.now() - datetime.timedelta(days=366)
        deleted = AccessLogEntry.objects.purge(before=before)
        self.stdout.write(f"{deleted} entrée(s) de plus de 12 mois supprimée(s).")
