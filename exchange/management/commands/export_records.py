from django.core.management.base import BaseCommand

from exchange.engine import export_records


class Command(BaseCommand):
    help = "Export every record to an XLSX workbook (PATH.xlsx) or a folder of CSV files."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, **options):
        path = options["path"]
        counts = export_records(path, "xlsx" if path.endswith(".xlsx") else "csv")
        for sheet, count in counts.items():
            self.stdout.write(f"{sheet} : {count} ligne(s)")
