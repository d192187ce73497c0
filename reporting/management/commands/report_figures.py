import json

from django.core.management.base import BaseCommand, CommandError

from entractes.lib.exports import to_csv
from reporting.figures import all_figures


class Command(BaseCommand):
    help = "Print every figure of the annual report for a year (keys of the specification)."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, **options):
        year = options["year"]
        if not 2000 <= year <= 2100:
            raise CommandError("L'année doit être comprise entre 2000 et 2100.")
        values = all_figures(year)
        if options["format"] == "json":
            self.stdout.write(json.dumps(values, sort_keys=True, ensure_ascii=False, indent=1))
        else:
            self.stdout.write(
                to_csv(["key", "value"], [(k, "" if v is None else v) for k, v in values.items()]),
                ending="",
            )
