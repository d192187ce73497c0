import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from casefile.retention import retention_apply


class Command(BaseCommand):
    help = (
        "Anonymise the persons with no activity for RETENTION_YEARS years (their figures "
        "stay) and delete the access-log entries older than 12 months."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--years",
            type=int,
            default=None,
            help=f"Years without activity (default: RETENTION_YEARS, {settings.RETENTION_YEARS}).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Say what would be done.")
        parser.add_argument("--today", help="The day to count from, YYYY-MM-DD (default: today).")

    def handle(self, *args, **options):
        years = options["years"] if options["years"] is not None else settings.RETENTION_YEARS
        if years < 1:
            raise CommandError("La durée de conservation doit être d'au moins un an.")
        today = None
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError("--today attend une date AAAA-MM-JJ.") from None
        report = retention_apply(today=today, years=years, dry_run=options["dry_run"])
        would = " seraient" if report.dry_run else ""
        if report.dry_run:
            self.stdout.write("Simulation : rien n'a été écrit.")
        self.stdout.write(
            f"Sans activité depuis le {report.limit:%d/%m/%Y} ({years} an(s)) : "
            f"{report.anonymised} personne(s){would} anonymisée(s)."
        )
        if report.kept_open:
            self.stdout.write(
                f"{report.kept_open} autre(s) personne(s) sans activité gardée(s) : dossier "
                "mineur·e ou PSP ouvert, ou démarche en cours (à clôturer ou vérifier)."
            )
        self.stdout.write(
            f"{report.purged} entrée(s) du journal des accès de plus de 12 mois{would} "
            "supprimée(s)."
        )
