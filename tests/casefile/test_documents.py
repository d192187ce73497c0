"""Documents: uploaded to a person, a procedure or a PSP file from the pages, kept
encrypted, checked for size and type, downloaded through the checkpoint with each
download logged; archived, anonymised, erased and handed over with the person's file."""

import datetime
import io

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from casefile.models import Document, DocumentContent
from casefile.retention import person_anonymise
from contacts.models import Person
from entractes.models import AccessLogEntry
from tests.factories import (
    TINY_PDF,
    DocumentFactory,
    PersonFactory,
    ProcedureFactory,
    PSPFileFactory,
    tiny_png,
)

pytestmark = pytest.mark.django_db

# Text that must never be found in clear in the database.
TITLE = "Carte de séjour ZQSECRETTITLE"
SECRET = b"ZQSECRETBYTES of a scanned residence permit"
PDF = b"%PDF-1.7\n" + SECRET + b"\n%%EOF\n"
REFUSED_ROLES = ["director", "nurse", "partner_practitioner", "peer_volunteer", "administrator"]


def upload(name: str, content: bytes, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def create_url(**query) -> str:
    url = reverse("casefile:document-create")
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def raw(table: str, columns: str, pk_column: str, pk) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} WHERE {pk_column} = %s", [pk])
        return cursor.fetchone()


def stored_bytes(document: Document) -> bytes:
    (content,) = raw(DocumentContent._meta.db_table, "content", "document_id", document.pk)
    return bytes(content or b"")


@pytest.fixture
def person():
    return PersonFactory(nickname="Fatou")


@pytest.fixture
def procedure(person, educator):
    return ProcedureFactory(person=person, worker=educator, request="Titre de séjour")


@pytest.fixture
def psp_file(person, educator):
    return PSPFileFactory(person=person, worker=educator)


# --- Upload ------------------------------------------------------------------------------


def test_an_educator_uploads_a_scan_to_a_person_it_is_stored_encrypted(client, educator, person):
    client.force_login(educator)
    form = client.get(create_url(person=person.code))
    html = form.content.decode()
    assert form.status_code == 200
    assert 'accept="image/*,application/pdf"' in html and "capture" not in html
    assert 'enctype="multipart/form-data"' in html
    assert 'name="person"' not in html  # the person comes from their page

    response = client.post(
        create_url(person=person.code), {"title": TITLE, "file": upload("titre.pdf", PDF)}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:person-detail", args=[person.code])
    document = Document.objects.get()
    assert (document.person, document.procedure, document.psp_file) == (person, None, None)
    assert (document.title, document.original_name) == (TITLE, "titre.pdf")
    assert (document.content_type, document.size, document.uploaded_by) == (
        "application/pdf",
        len(PDF),
        educator,
    )
    assert DocumentContent.objects.get(document=document).content == PDF
    # In the database: Fernet tokens only, for the bytes, the title and the file name.
    token = stored_bytes(document)
    assert token.startswith(b"gAAAA") and SECRET not in token and b"%PDF" not in token
    title, name = raw(Document._meta.db_table, "title, original_name", "id", document.pk)
    assert title.startswith("gAAAA") and "ZQSECRETTITLE" not in title
    assert name.startswith("gAAAA") and "titre" not in name
    # The change history names the fields, never the title nor the bytes.
    for entry in LogEntry.objects.all():
        assert "ZQSECRET" not in str(entry.changes)


def test_an_upload_to_a_procedure_or_a_psp_file_belongs_to_its_person_too(
    client, educator, person, procedure, psp_file
):
    client.force_login(educator)
    to_procedure = client.post(
        create_url(demarche=procedure.pk),
        {"title": "Récépissé de la préfecture", "file": upload("photo.png", tiny_png())},
    )
    to_psp = client.post(
        create_url(psp=psp_file.pk),
        {"title": "Attestation association", "file": upload("att.pdf", TINY_PDF)},
    )
    assert to_procedure["Location"] == reverse("rights:procedure-detail", args=[procedure.pk])
    assert to_psp["Location"] == reverse("rights:psp-detail", args=[psp_file.pk])
    on_procedure = Document.objects.get(procedure=procedure)
    on_psp = Document.objects.get(psp_file=psp_file)
    assert on_procedure.person == on_psp.person == person
    assert on_procedure.content_type == "image/png"
    # Each file's panel lists its own; the person's panel lists both, with their file.
    procedure_panel = client.get(reverse("casefile:procedure-documents", args=[procedure.pk]))
    assert "Récépissé de la préfecture" in procedure_panel.content.decode()
    assert "Attestation association" not in procedure_panel.content.decode()
    psp_panel = client.get(reverse("casefile:psp-documents", args=[psp_file.pk])).content.decode()
    assert "Attestation association" in psp_panel and "Récépissé" not in psp_panel
    person_panel = client.get(reverse("casefile:person-documents", args=[person.code]))
    body = person_panel.content.decode()
    assert "Récépissé de la préfecture" in body and "Attestation association" in body
    assert "dossier PSP" in body


def test_the_page_without_a_person_asks_for_the_code(client, educator, person):
    client.force_login(educator)
    assert 'name="person"' in client.get(create_url()).content.decode()
    response = client.post(
        create_url(), {"person": person.code, "title": "Courrier CAF", "file": upload("c.pdf", PDF)}
    )
    assert response.status_code == 302
    assert Document.objects.get().person == person
    unknown = client.post(
        create_url(), {"person": "ZZZ-999", "title": "Courrier", "file": upload("c.pdf", PDF)}
    )
    assert unknown.status_code == 200
    assert "Aucune personne ne porte le code ZZZ-999" in unknown.content.decode()
    assert Document.objects.count() == 1


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "image/heic"),
        (b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00", "image/heif"),
    ],
    ids=["jpeg", "webp", "heic", "heif"],
)
def test_the_photos_of_phones_are_recognised_by_their_bytes(client, educator, person, head, kind):
    client.force_login(educator)
    # Named as the phone names them, or not at all: the bytes decide.
    client.post(
        create_url(person=person.code),
        {"title": "Photo", "file": upload("IMG_0042", head + b"\x00" * 64, "")},
    )
    assert Document.objects.get().content_type == kind


@override_settings(DOCUMENT_MAX_BYTES=1000)
def test_a_file_too_big_is_refused_naming_the_field_and_the_limit(client, educator, person):
    client.force_login(educator)
    big = b"%PDF-1.4\n" + b"0" * 5000
    response = client.post(
        create_url(person=person.code), {"title": TITLE, "file": upload("gros.pdf", big)}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"file"}
    message = errors["file"][0]
    # The real size is said although only the allowed part was kept in memory.
    assert message.startswith("Le fichier pèse 4,9\xa0Ko : la taille maximale")
    assert "1\u202f000\xa0octets" in message
    html = response.content.decode()
    assert "Le fichier pèse" in html and f'value="{TITLE}"' in html  # the title is kept
    assert not Document.all_objects.exists() and not DocumentContent.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("lettre.pdf", b"<!doctype html><script>alert(1)</script>", "application/pdf"),
        ("photo.jpg", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 60, "image/jpeg"),
        ("scan.pdf", b"PK\x03\x04 a zip named like a PDF", "application/pdf"),
        ("note.png", b"un simple texte", "image/png"),
    ],
    ids=["html-as-pdf", "exe-as-jpg", "zip-as-pdf", "text-as-png"],
)
def test_a_file_of_another_type_is_refused_whatever_its_name(
    client, educator, person, name, content, content_type
):
    client.force_login(educator)
    response = client.post(
        create_url(person=person.code),
        {"title": TITLE, "file": upload(name, content, content_type)},
    )
    assert response.status_code == 200
    message = response.context["form"].errors["file"][0]
    assert "n'est ni un PDF ni une photo" in message
    assert f'value="{TITLE}"' in response.content.decode()
    assert not Document.all_objects.exists() and not DocumentContent.objects.exists()


def test_an_empty_upload_names_each_field_and_writes_nothing(client, educator, person):
    client.force_login(educator)
    response = client.post(create_url(person=person.code), {"title": ""})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"title", "file"}
    assert "Ce champ est obligatoire." in response.content.decode()
    empty = client.post(
        create_url(person=person.code), {"title": "Vide", "file": upload("vide.pdf", b"")}
    )
    assert "file" in empty.context["form"].errors
    assert not Document.all_objects.exists()


def test_the_upload_never_writes_the_file_in_clear_to_a_temporary_file(
    client, educator, person, monkeypatch
):
    """Past FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) Django would spool the upload to disk."""
    from django.core.files import uploadedfile

    def refused(*args, **kwargs):
        raise AssertionError("a temporary file was written")

    monkeypatch.setattr(uploadedfile.TemporaryUploadedFile, "__init__", refused)
    content = b"%PDF-1.4\n" + b"x" * (3 * 1024 * 1024)
    client.force_login(educator)
    response = client.post(
        create_url(person=person.code), {"title": "Gros scan", "file": upload("s.pdf", content)}
    )
    assert response.status_code == 302
    assert DocumentContent.objects.get().content == content


def test_the_upload_checks_the_csrf_token_after_choosing_its_upload_handler(educator, person):
    """The page sets its own upload handler, which Django allows only before the CSRF
    middleware reads the body: the check is made by the view itself, and still made."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(educator)
    url = create_url(person=person.code)
    data = {"title": TITLE, "file": upload("t.pdf", PDF)}
    assert client.post(url, data).status_code == 403
    assert not Document.all_objects.exists()
    client.get(url)
    token = client.cookies["csrftoken"].value
    data = {"title": TITLE, "file": upload("t.pdf", PDF), "csrfmiddlewaretoken": token}
    assert client.post(url, data).status_code == 302
    assert Document.objects.get().title == TITLE


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_other_roles_may_not_upload(client, make_user, person, procedure, role):
    client.force_login(make_user(role))
    for url in (create_url(), create_url(person=person.code), create_url(demarche=procedure.pk)):
        assert client.get(url).status_code == 403
        response = client.post(url, {"title": TITLE, "file": upload("t.pdf", PDF)})
        assert response.status_code == 403
    assert not Document.all_objects.exists()


def test_a_procedure_given_by_a_wrong_id_answers_404(client, educator):
    client.force_login(educator)
    assert client.get(create_url(demarche=999999)).status_code == 404
    assert client.get(create_url(demarche="abc")).status_code == 404
    assert client.get(create_url(psp="1e3")).status_code == 404
    assert client.get(create_url(person="INCONNU")).status_code == 404


# --- Download ----------------------------------------------------------------------------


def test_a_download_serves_the_bytes_as_an_attachment_and_is_logged(client, educator, person):
    png = tiny_png()
    # Named .pdf by the phone, a PNG by its bytes: it is served as what it is.
    document = DocumentFactory(person=person, content=png, original_name="carte.pdf")
    document.content_type = "image/png"
    document.save()
    client.force_login(educator)
    before = AccessLogEntry.objects.count()
    response = client.get(reverse("casefile:document-download", args=[document.pk]))
    assert response.status_code == 200
    assert response.content == png
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="carte.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    (entry,) = AccessLogEntry.objects.order_by("pk")[before:]
    assert (entry.user, entry.action, entry.target_type, entry.target_id, entry.detail) == (
        educator,
        "read",
        "casefile.document",
        str(document.pk),
        "document download",
    )
    # Each download is logged again.
    client.get(reverse("casefile:document-download", args=[document.pk]))
    assert AccessLogEntry.objects.filter(detail="document download").count() == 2


def test_a_name_with_accents_reaches_the_browser(client, educator, person):
    document = DocumentFactory(person=person, original_name="Récépissé préfecture.pdf")
    client.force_login(educator)
    response = client.get(reverse("casefile:document-download", args=[document.pk]))
    assert (
        "filename*=utf-8''R%C3%A9c%C3%A9piss%C3%A9%20pr%C3%A9fecture.pdf"
        in (response["Content-Disposition"])
    )


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_other_roles_get_no_list_and_no_download(client, make_user, person, procedure, role):
    own = DocumentFactory(person=person, title=TITLE, content=PDF)
    DocumentFactory(procedure=procedure, title="ZQPROCEDUREDOC")
    user = make_user(role)
    client.force_login(user)
    download = client.get(reverse("casefile:document-download", args=[own.pk]))
    assert download.status_code in (403, 404)
    assert SECRET not in download.content
    panel = client.get(reverse("casefile:person-documents", args=[person.code]))
    # Person readers get an empty panel; the others are refused.
    assert panel.status_code in (200, 403, 404)
    assert "ZQSECRETTITLE" not in panel.content.decode()
    assert "ZQPROCEDUREDOC" not in panel.content.decode()
    for name, pk in (("procedure-documents", procedure.pk), ("archive-document", own.pk)):
        response = client.get(reverse(f"casefile:{name}", args=[pk]))
        assert response.status_code in (403, 404)
        assert "ZQSECRETTITLE" not in response.content.decode()
        assert "ZQPROCEDUREDOC" not in response.content.decode()
    assert not AccessLogEntry.objects.filter(user=user, action="read").exists()
    assert AccessLogEntry.objects.filter(user=user, action="refused").exists()


def test_a_missing_document_and_one_of_an_archived_procedure_answer_404(
    client, educator, procedure
):
    document = DocumentFactory(procedure=procedure)
    client.force_login(educator)
    assert client.get(reverse("casefile:document-download", args=[999999])).status_code == 404
    client.post(reverse("casefile:archive-procedure", args=[procedure.pk]), {"reason": "Doublon"})
    assert client.get(reverse("casefile:document-download", args=[document.pk])).status_code == 404
    panel = client.get(reverse("casefile:person-documents", args=[procedure.person.code]))
    assert "Attestation" not in panel.content.decode()


def test_the_procedure_and_psp_pages_load_the_documents_panel_for_its_readers_only(
    client, educator, director, procedure, psp_file
):
    panel = reverse("casefile:procedure-documents", args=[procedure.pk])
    psp_panel = reverse("casefile:psp-documents", args=[psp_file.pk])
    client.force_login(educator)
    assert (
        panel
        in client.get(reverse("rights:procedure-detail", args=[procedure.pk])).content.decode()
    )
    assert (
        psp_panel in client.get(reverse("rights:psp-detail", args=[psp_file.pk])).content.decode()
    )
    client.force_login(director)  # reads procedures, not their documents
    assert (
        panel
        not in client.get(reverse("rights:procedure-detail", args=[procedure.pk])).content.decode()
    )
    assert (
        psp_panel
        not in client.get(reverse("rights:psp-detail", args=[psp_file.pk])).content.decode()
    )


def test_the_person_page_loads_the_panel_and_the_panel_logs_one_read(client, educator, person):
    DocumentFactory(person=person, title="Avis d'imposition")
    client.force_login(educator)
    page = client.get(reverse("contacts:person-detail", args=[person.code])).content.decode()
    assert reverse("casefile:person-documents", args=[person.code]) in page
    before = AccessLogEntry.objects.count()
    panel = client.get(reverse("casefile:person-documents", args=[person.code])).content.decode()
    assert "Avis d&#x27;imposition" in panel
    assert reverse("casefile:document-create") + f"?person={person.code}" in panel
    (entry,) = AccessLogEntry.objects.order_by("pk")[before:]
    assert (entry.target_type, entry.detail) == ("contacts.person", "documents.person")


def test_the_person_panel_runs_the_same_queries_whatever_the_number_of_documents(
    client, educator, person, procedure, django_assert_max_num_queries
):
    for _ in range(2):
        DocumentFactory(person=person)
    client.force_login(educator)
    url = reverse("casefile:person-documents", args=[person.code])
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for _ in range(10):
        DocumentFactory(person=person)
        DocumentFactory(procedure=procedure)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).content.decode().count("telecharger") == 22


# --- Archive -----------------------------------------------------------------------------


def test_a_document_is_archived_not_deleted_and_restored_by_an_administrator(
    client, educator, admin_user, person
):
    document = DocumentFactory(person=person, title=TITLE, content=PDF)
    download = reverse("casefile:document-download", args=[document.pk])
    client.force_login(educator)
    archive = reverse("casefile:archive-document", args=[document.pk])
    assert client.get(archive).status_code == 200
    refused = client.post(archive, {"reason": ""})
    assert refused.status_code == 200 and not Document.all_objects.get().archived_at
    response = client.post(archive, {"reason": "Mauvaise personne"})
    assert response["Location"] == reverse("contacts:person-detail", args=[person.code])
    assert Document.all_objects.get(pk=document.pk).archived_at is not None
    assert DocumentContent.objects.get(document=document).content == PDF  # nothing deleted
    assert client.get(download).status_code == 404
    panel = client.get(reverse("casefile:person-documents", args=[person.code])).content.decode()
    assert "ZQSECRETTITLE" not in panel

    client.force_login(admin_user)
    archives = client.get(reverse("casefile:archive-list")).content.decode()
    assert "Document déposé le" in archives and person.code in archives
    assert "ZQSECRETTITLE" not in archives  # the administrator may not read it
    assert client.get(download).status_code == 403
    client.post(reverse("casefile:archive-restore", args=["document", document.pk]))

    client.force_login(educator)
    assert client.get(download).content == PDF


def test_a_person_holding_a_document_is_not_archived(client, educator, person):
    DocumentFactory(person=person)
    client.force_login(educator)
    response = client.post(
        reverse("casefile:archive-person", args=[person.pk]), {"reason": "Doublon"}
    )
    assert response.status_code == 200
    assert Person.objects.filter(pk=person.pk).exists()


# --- Anonymisation, erasure, right of access ---------------------------------------------


def _assert_emptied(document: Document) -> None:
    title, name, size = raw(
        Document._meta.db_table, "title, original_name, size", "id", document.pk
    )
    assert (title, name, size) == (None, None, 0)
    assert stored_bytes(document) == b""


def test_erasure_destroys_the_documents_content_and_title(client, director, educator, person):
    document = DocumentFactory(person=person, title=TITLE, content=PDF)
    archived = DocumentFactory(person=person, title=TITLE, content=PDF)
    Document.objects.filter(pk=archived.pk).update(
        archived_at=timezone.now(), archive_reason="Erreur"
    )
    client.force_login(director)
    response = client.post(
        reverse("casefile:person-erase", args=[person.code]),
        {"reason": "request", "confirm": "on"},
    )
    assert response.status_code == 302
    _assert_emptied(document)
    _assert_emptied(archived)
    assert not LogEntry.objects.filter(object_id=document.pk, content_type__model="document")
    client.force_login(educator)
    code = Person.all_objects.get(pk=person.pk).code
    assert client.get(reverse("casefile:document-download", args=[document.pk])).status_code == 404
    panel = client.get(reverse("casefile:person-documents", args=[code])).content.decode()
    assert "Aucun document." in panel


def test_anonymisation_empties_the_documents_of_the_files_too(educator, person):
    procedure = ProcedureFactory(person=person, status="completed")
    document = DocumentFactory(procedure=procedure, title=TITLE, content=PDF)
    other = DocumentFactory(title="Gardé", content=PDF)
    assert person_anonymise(person=person)
    _assert_emptied(document)
    assert DocumentContent.objects.get(document=other).content == PDF


def test_the_right_of_access_lists_the_documents_to_their_readers_only(
    client, educator, director, person
):
    DocumentFactory(person=person, title="Attestation ZQLISTED", content=PDF)
    client.force_login(educator)
    page = client.get(reverse("casefile:person-data-access", args=[person.code])).content.decode()
    assert "Documents déposés" in page and "Attestation ZQLISTED" in page
    assert "PDF" in page and f"{len(PDF)}" in page
    exported = client.get(reverse("casefile:person-data-export", args=[person.code])).json()
    (section,) = [s for s in exported["sections"] if s["titre"] == "Documents déposés"]
    (row,) = section["lignes"]
    assert row["Titre"] == "Attestation ZQLISTED" and row["Type"] == "PDF"
    assert row["Rattaché à"] == "la fiche" and row["Taille"]
    assert SECRET.decode() not in str(exported)  # the list, not the bytes

    client.force_login(director)
    page = client.get(reverse("casefile:person-data-access", args=[person.code])).content.decode()
    assert "Documents déposés" in page and "ZQLISTED" not in page
    assert "communiqués par l&#x27;équipe éducative" in page


def test_the_right_of_access_tells_the_downloads_to_those_who_may_read_documents(
    client, educator, director, person
):
    document = DocumentFactory(person=person)
    client.force_login(educator)
    client.get(reverse("casefile:document-download", args=[document.pk]))
    exported = client.get(reverse("casefile:person-data-export", args=[person.code])).json()
    reads = exported["sections"][-1]["lignes"]
    assert "Documents : téléchargement d'un document" in [row["Finalité"] for row in reads]
    client.force_login(director)
    exported = client.get(reverse("casefile:person-data-export", args=[person.code])).json()
    assert "téléchargement" not in str(exported["sections"][-1])


def test_the_history_shows_a_documents_changes_masked_and_only_to_its_readers(
    client, educator, nurse, person
):
    DocumentFactory(person=person, title=TITLE)
    client.force_login(educator)
    history = client.get(reverse("casefile:person-history", args=[person.code])).content.decode()
    assert "document" in history and "ZQSECRETTITLE" not in history
    client.force_login(nurse)
    history = client.get(reverse("casefile:person-history", args=[person.code])).content.decode()
    assert "Attestation" not in history and "titre" not in history


def test_a_merge_moves_the_documents_to_the_kept_person(client, educator, person):
    duplicate = PersonFactory()
    document = DocumentFactory(person=duplicate)
    client.force_login(educator)
    from contacts.services import person_merge

    person_merge(kept=person, duplicate=duplicate, by=educator)
    assert Document.objects.get(pk=document.pk).person == person
    response = client.get(reverse("casefile:document-download", args=[document.pk]))
    assert response.status_code == 200


# --- Keys --------------------------------------------------------------------------------

OLD_KEY = "old-document-encryption-key-0123456789abcdef"
NEW_KEY = "new-document-encryption-key-0123456789abcdef"


def test_a_key_rotation_rewrites_the_documents_and_another_key_reads_nothing(person):
    from cryptography.fernet import InvalidToken

    with override_settings(SALT_KEY=[OLD_KEY]):
        document = DocumentFactory(person=person, content=PDF)
        old_token = stored_bytes(document)
    with override_settings(SALT_KEY=[NEW_KEY, OLD_KEY]):
        call_command("reencrypt", stdout=io.StringIO())
        assert stored_bytes(document) != old_token
    with override_settings(SALT_KEY=[NEW_KEY]):
        assert DocumentContent.objects.get(document=document).content == PDF
    with (
        override_settings(SALT_KEY=["some-other-key-0123456789abcdefghij"]),
        pytest.raises(InvalidToken),
    ):
        DocumentContent.objects.get(document=document)


def test_uploaded_at_is_the_upload_time(client, educator, person):
    client.force_login(educator)
    client.post(create_url(person=person.code), {"title": "X", "file": upload("x.pdf", PDF)})
    assert timezone.now() - Document.objects.get().uploaded_at < datetime.timedelta(minutes=1)
