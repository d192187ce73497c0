"""Writes of the reporting app: reference figures, narrative, checks, renders, publications."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from entractes.lib.writes import save_record
from reporting import checks, document, figures, layout
from reporting.models import (
    CheckAcceptance,
    NarrativeBlock,
    Publication,
    ReferenceFigure,
    ReportRender,
)

if TYPE_CHECKING:
    from entractes.models import User


class PublishError(Exception):
    """Publishing refused; the message says why."""


def unknown_key_error(key: str) -> str:
    return _(
        "« %(key)s » n'est pas une clé des chiffres du rapport (par exemple attendance.contacts)."
    ) % {"key": key}


@transaction.atomic
def reference_figure_save(
    *, data: dict[str, Any], by: User, ref: ReferenceFigure | None = None
) -> ReferenceFigure:
    """Record a reference figure (``ref`` given: correct that one).

    Without ``ref``, a figure of the same key and year is replaced (an import gives the
    figures again). Refused with a ``ValidationError`` on ``key`` for a key the report
    does not have, or for the key and year of another figure when correcting one.
    """
    key, year = data["key"], data["year"]
    if key not in figures.figure_keys(year):
        raise ValidationError({"key": unknown_key_error(key)}, code="unknown_key")
    same = ReferenceFigure.objects.select_for_update().filter(key=key, year=year)
    if ref is None:
        ref = same.first() or ReferenceFigure(created_by=by)
    elif same.exclude(pk=ref.pk).exists():
        raise ValidationError(
            {
                "key": _(
                    "Un chiffre de référence %(year)s existe déjà pour cette clé : corrigez-le."
                )
                % {"year": year}
            },
            code="taken",
        )
    fields = {name: data[name] for name in ("key", "year", "value", "source")}
    return save_record(ref, fields)


@transaction.atomic
def reference_figure_remove(*, ref: ReferenceFigure, by: User, reason: str) -> ReferenceFigure:
    """Withdraw a reference figure typed by mistake: archived (who, when, why), left out
    of every comparison; never deleted."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez pourquoi ce chiffre est retiré.")})
    ref = ReferenceFigure.objects.select_for_update().get(pk=ref.pk)
    ref.archived_at, ref.archived_by, ref.archive_reason = timezone.now(), by, reason[:200]
    ref.save(update_fields=["archived_at", "archived_by", "archive_reason"])
    return ref


@transaction.atomic
def narrative_save(
    *, data: dict[str, Any], by: User, block: NarrativeBlock | None = None
) -> NarrativeBlock:
    return save_record(
        block or NarrativeBlock(), {**data, "updated_by": by, "updated_at": timezone.now()}
    )


@transaction.atomic
def check_accept(*, year: int, code: str, note: str, by: User) -> CheckAcceptance:
    acceptance, _created = CheckAcceptance.objects.update_or_create(
        year=year,
        code=code,
        defaults={"note": note, "accepted_by": by, "accepted_at": timezone.now()},
    )
    return acceptance


def open_findings(year: int, values=None) -> list[checks.Finding]:
    """The findings of the year not yet accepted by the director."""
    values = values if values is not None else figures.all_figures(year)
    previous, _source = figures.previous_values(year)
    accepted = set(CheckAcceptance.objects.filter(year=year).values_list("code", flat=True))
    return [f for f in checks.run(year, values, previous) if f.code not in accepted]


@transaction.atomic
def report_render_start(
    *, year: int, by: User, publication: Publication | None = None
) -> ReportRender:
    """Queue the PDF generation as a background task."""
    from reporting.tasks import render_report

    render = ReportRender.objects.create(year=year, requested_by=by, publication=publication)
    transaction.on_commit(lambda: render_report.enqueue(render.pk))
    return render


def report_render_run(render_id: int) -> ReportRender:
    """Generate the PDF of a render (run by the task worker); a failure keeps its cause."""
    render = ReportRender.objects.select_related("publication").get(pk=render_id)

    def step(progress: int, label: str) -> None:
        ReportRender.objects.filter(pk=render.pk).update(progress=progress, step=label)

    ReportRender.objects.filter(pk=render.pk).update(
        status=ReportRender.Status.RUNNING, progress=5, step="chiffres"
    )
    try:
        publication = render.publication
        if publication is not None:
            values, narrative = publication.figures, publication.narrative
            records = publication.records
        else:
            values, narrative = (
                figures.all_figures(render.year),
                document.narrative_snapshot(render.year),
            )
            records = layout.records_snapshot(render.year)
        step(15, "chiffres")
        pdf = document.render_pdf(render.year, values, narrative, on_step=step, records=records)
        name = f"rapport-activite-{render.year}.pdf"
        with transaction.atomic():
            render.file.save(name, ContentFile(pdf), save=False)
            ReportRender.objects.filter(pk=render.pk).update(
                file=render.file.name,
                status=ReportRender.Status.DONE,
                progress=100,
                step="",
                finished_at=timezone.now(),
            )
            if publication is not None and not publication.checksum:
                publication.pdf.save(
                    f"rapport-activite-{render.year}-v{publication.version}.pdf",
                    ContentFile(pdf),
                    save=False,
                )
                Publication.objects.filter(pk=publication.pk, checksum="").update(
                    pdf=publication.pdf.name, checksum=hashlib.sha256(pdf).hexdigest()
                )
    except Exception as error:  # the cause is shown to the director
        ReportRender.objects.filter(pk=render.pk).update(
            status=ReportRender.Status.FAILED,
            error=f"{type(error).__name__}: {error}",
            finished_at=timezone.now(),
        )
        raise
    render.refresh_from_db()
    return render


@transaction.atomic
def publish(*, year: int, reason: str, by: User) -> Publication:
    """Freeze the year's figures and narrative as a new version and render its PDF."""
    values = figures.all_figures(year)
    remaining = open_findings(year, values)
    if remaining:
        raise PublishError(
            _("%(n)s contrôle(s) à corriger ou accepter avant de publier.") % {"n": len(remaining)}
        )
    last = Publication.objects.filter(year=year).aggregate(last=Max("version"))["last"] or 0
    if last and not reason:
        raise PublishError(_("Indiquez le motif de cette nouvelle version."))
    publication = Publication.objects.create(
        year=year,
        version=last + 1,
        reason=reason,
        figures=values,
        narrative=document.narrative_snapshot(year),
        records=layout.records_snapshot(year),
        published_by=by,
    )
    report_render_start(year=year, by=by, publication=publication)
    return publication


def changes_since(
    publication: Publication, now: dict[str, Any] | None = None
) -> list[tuple[str, Any, Any]]:
    """Figures whose value moved since the publication: (key, published, now); ``now``
    the year's figures if already at hand (kept figures are never older than the
    records), else computed."""
    if now is None:
        now = figures.all_figures(publication.year)
    return [
        (key, publication.figures.get(key), now.get(key))
        for key in sorted(set(now) | set(publication.figures))
        if publication.figures.get(key) != now.get(key)
    ]
