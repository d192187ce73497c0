"""Documents: uploaded from a phone to a person, a procedure or a PSP file, listed in
their panels, downloaded through the checkpoint (casefile.access), each download logged."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from casefile import access, documents, services
from casefile.forms import DocumentForm
from contacts import access as contacts_access
from contacts.models import Person
from entractes.permissions import requires
from rights.models import Procedure, PSPFile


@dataclass
class Target:
    """Where a document goes, from the page it was asked from (None: typed in the form)."""

    person: Person | None = None
    procedure: Procedure | None = None
    psp_file: PSPFile | None = None

    @property
    def back(self) -> str:
        if self.procedure is not None:
            return reverse("rights:procedure-detail", args=[self.procedure.pk])
        if self.psp_file is not None:
            return reverse("rights:psp-detail", args=[self.psp_file.pk])
        if self.person is not None:
            return reverse("contacts:person-detail", args=[self.person.code])
        return reverse("contacts:person-list")


def _pk(value: str) -> int:
    if not value.isdigit() or len(value) > 12:
        raise Http404
    return int(value)


def _target(request) -> Target:
    user, query = request.user, request.GET
    if "demarche" in query:
        procedure = access.upload_procedure_for_user(user, _pk(query["demarche"]))
        return Target(procedure.person, procedure=procedure)
    if "psp" in query:
        psp_file = access.upload_psp_file_for_user(user, _pk(query["psp"]))
        return Target(psp_file.person, psp_file=psp_file)
    if query.get("person"):
        person = contacts_access.get_person_for_user(user, query["person"])
        person = person.merged_into or person
        if not access.may_upload_to_person(user, person):
            raise Http404
        return Target(person)
    return Target()


@csrf_exempt
@never_cache
@requires("documents.use")
def document_create(request):
    """The upload page. Its document is received in memory (casefile.documents), which
    the handlers must know before the request is read: the CSRF check comes after."""
    request.upload_handlers = [documents.DocumentUploadHandler(request)]
    return _document_create(request)


@csrf_protect
def _document_create(request):
    target = _target(request)
    form = DocumentForm(
        request.POST or None,
        request.FILES or None,
        may_upload_to=lambda person: access.may_upload_to_person(request.user, person),
        with_person=target.person is None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.document_upload(
                person=target.person or data["person"],
                procedure=target.procedure,
                psp_file=target.psp_file,
                title=data["title"],
                upload=data["file"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Document enregistré, chiffré."))
            return redirect(target.back if target.person else _back_to(data["person"]))
    return render(
        request,
        "casefile/document_form.html",
        {"form": form, "target": target, "max_size": documents.max_size_label()},
    )


def _back_to(person: Person) -> str:
    return reverse("contacts:person-detail", args=[person.code])


@never_cache
@requires("documents.use")
def document_download(request, pk):
    """The document's bytes, as an attachment never kept by a browser or a proxy."""
    document, content = access.download_document_for_user(request.user, pk)
    response = HttpResponse(content, content_type=document.content_type)
    response["Content-Disposition"] = content_disposition_header(True, document.download_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Length"] = str(len(content))
    return response


@never_cache
@requires("persons.view")
def person_documents(request, code):
    """The person page's documents panel (empty for a reader without documents.use)."""
    person = contacts_access.get_person_for_user(request.user, code)
    found = access.person_documents_for_user(request.user, person)
    return render(
        request,
        "casefile/document_panel.html#person",
        {"person": person, "documents": found},
    )


@never_cache
@requires("documents.use")
def procedure_documents(request, pk):
    procedure, found = access.procedure_documents_for_user(request.user, pk)
    return render(
        request,
        "casefile/document_panel.html#file",
        {
            "documents": found,
            "add": f"{reverse('casefile:document-create')}?demarche={procedure.pk}",
        },
    )


@never_cache
@requires("documents.use")
def psp_documents(request, pk):
    psp_file, found = access.psp_file_documents_for_user(request.user, pk)
    return render(
        request,
        "casefile/document_panel.html#file",
        {"documents": found, "add": f"{reverse('casefile:document-create')}?psp={psp_file.pk}"},
    )
