"""The upload form of a document: a title and a file (and the person, when the page was
not opened from their file)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from casefile import documents
from casefile.models import size_label
from contacts.forms import PersonCodeField

ACCEPT = "image/*,application/pdf"


class DocumentForm(forms.Form):
    person = PersonCodeField()
    title = forms.CharField(
        label=_("Titre"),
        max_length=200,
        help_text=_(
            "Par exemple : carte de séjour, courrier de la CAF, attestation d'hébergement."
        ),
    )
    file = forms.FileField(
        label=_("Fichier"),
        # Camera or files, as the phone offers: ``capture`` would force the camera.
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args, may_upload_to, with_person: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.may_upload_to = may_upload_to
        if not with_person:
            del self.fields["person"]
        self.fields["file"].help_text = _(
            "PDF ou photo (JPEG, PNG, WebP, HEIC), %(max)s au plus."
        ) % {"max": documents.max_size_label()}

    def clean_person(self):
        person = self.cleaned_data["person"]
        if person is not None and not self.may_upload_to(person):
            raise forms.ValidationError(
                _("Aucune personne ne porte le code %(code)s.") % {"code": person.code}
            )
        return person

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > documents.max_bytes():
            raise forms.ValidationError(
                _(
                    "Le fichier pèse %(size)s : la taille maximale d'un document est de "
                    "%(max)s. Photographiez la page en qualité moindre ou déposez-la en "
                    "plusieurs fois."
                )
                % {"size": size_label(upload.size), "max": documents.max_size_label()}
            )
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        if documents.sniff(head) is None:
            raise forms.ValidationError(
                _(
                    "Ce fichier n'est ni un PDF ni une photo (JPEG, PNG, WebP, HEIC) : il "
                    "n'est pas accepté, quel que soit son nom."
                )
            )
        return upload
