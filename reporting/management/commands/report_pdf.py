"""Write a year's report PDF without the task worker (for scripts and checks)."""

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reporting import document, figures


class Command(BaseCommand):
    help = (
        "Write the annual report PDF of a year to a file: the same document as the one "
        "generated from the PDF page (figures computed from the records, the year's texts)."
    )

    def add_arguments(self, parser):
        parser.add_argument("year", help="année du rapport, par exemple 2023")
        parser.add_argument("path", help="fichier PDF à écrire")

    def handle(self, *args, **options):
        year = self._year(options["year"])
        target = self._target(options["path"])
        # The page's render without a publication: the figures as computed now and the
        # year's narrative blocks, through the same rendering function.
        pdf = document.render_pdf(
            year, figures.all_figures(year), document.narrative_snapshot(year)
        )
        # Written beside, then moved: a failure never leaves half a file.
        handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".pdf.part")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(pdf)
            os.replace(temporary, target)
        except OSError as error:
            Path(temporary).unlink(missing_ok=True)
            raise CommandError(
                f"Impossible d'écrire le fichier « {target} » : {error.strerror}."
            ) from error
        self.stdout.write(f"Rapport {year} écrit dans {target} ({len(pdf)} octets).")

    @staticmethod
    def _year(value: str) -> int:
        last = timezone.localdate().year
        try:
            year = int(value)
        except ValueError:
            raise CommandError(
                f"« {value} » n'est pas une année : donnez l'année du rapport, par exemple 2023."
            ) from None
        if not 2000 <= year <= last:
            raise CommandError(f"L'année doit être comprise entre 2000 et {last} (reçu : {year}).")
        return year

    @staticmethod
    def _target(value: str) -> Path:
        target = Path(value).expanduser().absolute()
        if target.is_dir():
            raise CommandError(
                f"« {target} » est un dossier : donnez le chemin du fichier PDF à écrire."
            )
        if not target.parent.is_dir():
            raise CommandError(f"Le dossier « {target.parent} » n'existe pas.")
        if not os.access(target.parent, os.W_OK) or (
            target.exists() and not os.access(target, os.W_OK)
        ):
            raise CommandError(f"Impossible d'écrire dans « {target} » : accès refusé.")
        return target
