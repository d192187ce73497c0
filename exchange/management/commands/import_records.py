from django.core.management.base import BaseCommand, CommandError

from entractes.models import User
from exchange.engine import ImportRefused, Unreadable, import_records, read


class Command(BaseCommand):
    help = "Import records from an XLSX workbook or a folder of CSV files (see docs/import.md)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change; write nothing."
        )
        parser.add_argument(
            "--user", default="", help="Author of the new records (a staff username)."
        )

    def handle(self, *args, **options):
        by = User.objects.filter(username=options["user"]).first() if options["user"] else None
        by = by or User.objects.filter(is_active=True).order_by("pk").first()
        if by is None:
            raise CommandError("Aucun compte du personnel : créez-en un avant d'importer.")
        try:
            summary = import_records(read(options["path"]), by=by, dry_run=options["dry_run"])
        except Unreadable as error:
            raise CommandError(f"Import refusé : {error}") from None
        except ImportRefused as refused:
            for problem in refused.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"Import refusé : {len(refused.problems)} problème(s), rien n'a été écrit."
            ) from None
        prefix = "Simulation — " if options["dry_run"] else ""
        for sheet, counts in summary.items():
            self.stdout.write(
                f"{prefix}{sheet} : {counts['created']} créé(s), {counts['updated']} modifié(s), "
                f"{counts['unchanged']} inchangé(s)"
            )
