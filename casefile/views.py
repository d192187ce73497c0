"""Archive a record (staff) and restore it (administrators): nothing is deleted."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from casefile import archive
from entractes.models import AccessLogEntry
from entractes.permissions import requires


class ArchiveForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Motif"),
        max_length=200,
        help_text=gettext_lazy("Par exemple : saisi deux fois, mauvaise personne, erreur de date."),
    )


def _archive_view(slug: str):
    kind = archive.kinds()[slug]

    @never_cache
    @requires(kind.capability)
    def view(request, pk):
        record = kind.get(request.user, pk)
        form = ArchiveForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                archive.archive(kind, record, by=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Archivé. Un·e administrateur·rice peut le restaurer si besoin."),
                )
                return redirect(kind.after(record))
        return render(
            request,
            "casefile/archive_confirm.html",
            {"form": form, "kind": kind, "label": kind.describe(record)},
        )

    view.__name__ = view.__qualname__ = f"archive_{slug}"
    return view


archive_views = {slug: _archive_view(slug) for slug in archive.kinds()}


@never_cache
@requires("records.restore")
def archive_list(request):
    rows = [(kind, record, kind.describe(record)) for kind, record in archive.archived_records()]
    AccessLogEntry.objects.record(
        user=request.user,
        action=AccessLogEntry.Action.READ,
        target="archive",
        detail="archive list",
    )
    return render(request, "casefile/archive_list.html", {"rows": rows})


@require_POST
@requires("records.restore")
def archive_restore(request, kind, pk):
    kinds = archive.kinds()
    if kind not in kinds:
        raise Http404
    record = archive.get_archived(kinds[kind], pk)
    archive.restore(record)
    messages.success(request, _("Enregistrement restauré."))
    return redirect("casefile:archive-list")
