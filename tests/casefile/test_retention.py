"""Retention, anonymisation, right of access and erasure (GDPR)."""

import datetime
import io
import json

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from casefile.retention import person_anonymise
from contacts.models import Language, LegalIdentity, Person, Product, sound_key, years_before
from contacts.services import person_merge
from entractes.lib.personfile import ANONYMISED
from entractes.models import AccessLogEntry
from health.models import Act, Consultation, ConsultationAct
from minors.models import MinorFile, PartnerExchange, ReceivedReport
from rights.models import Procedure, ProcedureStep, ProcedureTheme, PSPFile
from tests.factories import (
    ConsultationFactory,
    ContactFactory,
    GroupHealthSessionFactory,
    LegalIdentityFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LONG_AGO = years_before(TODAY, 3)  # past the default limit of two years
LATELY = TODAY - datetime.timedelta(days=180)


def moment(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(14)))


def person(nickname: str, created: datetime.date = LONG_AGO, **kwargs) -> Person:
    """A person created on ``created`` (the factories would make them new)."""
    found = PersonFactory(nickname=nickname, **kwargs)
    Person.all_objects.filter(pk=found.pk).update(created_at=moment(created))
    return found


def run(*args) -> str:
    out = io.StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


def refreshed(found: Person) -> Person:
    return Person.all_objects.get(pk=found.pk)


@pytest.fixture
def author(make_user):
    return make_user("educator", "minors_team", username="author")


@pytest.fixture
def full_file(author):
    """A person last met three years ago, with a record of every kind, all closed."""
    subject = person(
        "Ramona",
        birth_date=datetime.date(2001, 4, 2),
        gender="trans_woman",
        country_of_origin="Pérou",
        notes="Vit chez sa tante rue des Lilas",
        uses_drugs=True,
        referral_source="peer",
    )
    subject.languages.set(Language.objects.all()[:1])
    subject.products.set(Product.objects.all()[:1])
    LegalIdentityFactory(person=subject, last_name="QUISPE")
    ContactFactory(
        person=subject, author=author, occurred_at=moment(LONG_AGO), note="Parle de son frère Luis"
    )
    consultation = ConsultationFactory(
        person=subject,
        author=author,
        at=moment(LONG_AGO),
        clinical_note="Note clinique RAMONA",
        shared_note="Transmission RAMONA",
    )
    ConsultationAct.objects.create(
        consultation=consultation,
        act=Act.objects.get(slug="trod_hiv"),
        result="negative",
        detail="Détail RAMONA",
    )
    procedure = Procedure.objects.create(
        person=subject,
        theme=ProcedureTheme.objects.first(),
        request="Titre de séjour RAMONA",
        missing_documents="Acte de naissance RAMONA",
        worker=author,
        created_by=author,
        opened_on=LONG_AGO,
        status="completed",
        status_on=LONG_AGO,
        updated_at=moment(LONG_AGO),
    )
    ProcedureStep.objects.create(
        procedure=procedure, date=LONG_AGO, note="Appel préfecture RAMONA", author=author
    )
    PSPFile.objects.create(
        person=subject,
        kind="first_request",
        state="closed",
        notes="Notes PSP RAMONA",
        worker=author,
        created_by=author,
        created_at=moment(LONG_AGO),
    )
    minor_file = MinorFile.objects.create(
        person=subject,
        worker=author,
        created_by=author,
        first_meeting_place="outreach",
        opened_on=LONG_AGO,
        closed_on=LONG_AGO,
        close_reason="turned_21",
        notes="Notes mineure RAMONA",
    )
    PartnerExchange.objects.create(
        file=minor_file, date=LONG_AGO, note="Échange RAMONA", author=author
    )
    ReceivedReport.objects.create(
        received_on=LONG_AGO,
        description="Signalement RAMONA",
        from_whom="Mme Voisine",
        person=subject,
        linked_on=LONG_AGO,
        author=author,
    )
    return subject


# --- The command ----------------------------------------------------------------------


def test_retention_anonymises_only_persons_past_the_limit(full_file, author):
    never_met_long_ago = person("Jamais vue")
    never_met_lately = person("Nouvelle", created=LATELY)
    met_lately = person("Revue")
    ContactFactory(person=met_lately, author=author, occurred_at=moment(LONG_AGO))
    ContactFactory(person=met_lately, author=author, occurred_at=moment(LATELY))
    procedure_lately = person("Démarche récente")
    procedure = Procedure.objects.create(
        person=procedure_lately,
        theme=ProcedureTheme.objects.first(),
        request="AME",
        worker=author,
        created_by=author,
        opened_on=LONG_AGO,
        status="completed",
        status_on=LONG_AGO,
        updated_at=moment(LONG_AGO),
    )
    ProcedureStep.objects.create(procedure=procedure, date=LATELY, note="Relance", author=author)
    open_file = person("Dossier ouvert")
    MinorFile.objects.create(
        person=open_file,
        worker=author,
        created_by=author,
        first_meeting_place="outreach",
        opened_on=LONG_AGO,
    )

    out = run()

    for gone in (full_file, never_met_long_ago):
        assert refreshed(gone).anonymised_at is not None
    for kept in (never_met_lately, met_lately, procedure_lately, open_file):
        assert refreshed(kept).anonymised_at is None
    assert "2 personne(s) anonymisée(s)" in out
    assert "1 autre(s) personne(s) sans activité gardée(s)" in out


def test_the_limit_is_configurable(author):
    met = person("Ancienne")
    ContactFactory(person=met, author=author, occurred_at=moment(LONG_AGO))
    with override_settings(RETENTION_YEARS=5):
        run()
    assert refreshed(met).anonymised_at is None
    run("--years", "1")
    assert refreshed(met).anonymised_at is not None


def test_anonymisation_clears_what_identifies_and_keeps_what_is_counted(full_file, author):
    duplicate = person("Ramona B", notes="Doublon RAMONA")
    person_merge(kept=full_file, duplicate=duplicate, by=author)
    old_code = full_file.code

    run()

    anonymised = refreshed(full_file)
    assert anonymised.nickname == ANONYMISED
    assert anonymised.nickname_key == "anonymisee"
    assert anonymised.nickname_sound == sound_key(ANONYMISED)
    assert anonymised.code != old_code
    assert (anonymised.notes, anonymised.country_of_origin) == ("", "")
    assert anonymised.referral_source == "unknown"
    assert not anonymised.languages.exists()
    # What the figures count stays.
    assert anonymised.gender == "trans_woman"
    assert anonymised.birth_date == datetime.date(2001, 4, 2)
    assert anonymised.turns_18_on == datetime.date(2019, 4, 2)
    assert anonymised.uses_drugs and anonymised.products.count() == 1
    assert anonymised.contacts.count() == 1 and anonymised.consultations.count() == 1
    # The merged duplicate goes with the person.
    assert refreshed(duplicate).nickname == ANONYMISED
    assert refreshed(duplicate).notes == ""
    # The identity is gone for good; no free text of any record is left.
    assert not LegalIdentity.objects.filter(person__in=[full_file, duplicate]).exists()
    assert anonymised.contacts.get().note == ""
    consultation = Consultation.objects.get(person=anonymised)
    assert (consultation.clinical_note, consultation.shared_note) == ("", "")
    assert ConsultationAct.objects.get().detail == ""
    assert ConsultationAct.objects.get().result == "negative"
    procedure = Procedure.objects.get(person=anonymised)
    assert (procedure.request, procedure.missing_documents) == (ANONYMISED, "")
    assert procedure.status == "completed" and procedure.status_on == LONG_AGO
    assert ProcedureStep.objects.get().note == ANONYMISED
    assert PSPFile.objects.get(person=anonymised).notes == ""
    assert MinorFile.objects.get(person=anonymised).notes == ""
    assert PartnerExchange.objects.get().note == ANONYMISED
    report = ReceivedReport.objects.get()
    assert (report.description, report.from_whom) == (ANONYMISED, "")
    assert report.linked_on == LONG_AGO


def test_encrypted_notes_are_emptied_in_the_database(full_file):
    run()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT clinical_note, shared_note FROM {Consultation._meta.db_table}")
        assert cursor.fetchall() == [(None, None)]


def test_anonymisation_deletes_the_change_history(full_file):
    consultation = Consultation.objects.get(person=full_file)
    watched = [full_file, full_file.legal_identity, consultation, Procedure.objects.get()]
    for record in watched:
        assert LogEntry.objects.get_for_object(record).exists(), record
    other = person("Autre", created=LATELY)
    run()
    for record in watched:
        content_type = ContentType.objects.get_for_model(record)
        assert not LogEntry.objects.filter(
            content_type=content_type, object_id=record.pk
        ).exists(), record
    assert LogEntry.objects.get_for_object(other).exists()


def test_retention_is_idempotent(full_file):
    run()
    first = refreshed(full_file)
    out = run()
    assert "0 personne(s) anonymisée(s)" in out
    again = refreshed(full_file)
    assert (again.code, again.anonymised_at, again.version) == (
        first.code,
        first.anonymised_at,
        first.version,
    )
    assert person_anonymise(person=again) is False


def test_dry_run_writes_nothing(full_file):
    old = AccessLogEntry.objects.create(
        user=None, action="read", target_type="url", target_id="/x/", at=moment(LONG_AGO)
    )
    logs = LogEntry.objects.count()
    out = run("--dry-run")
    assert "Simulation" in out
    assert "1 personne(s) seraient anonymisée(s)" in out
    assert "1 entrée(s) du journal des accès de plus de 12 mois seraient supprimée(s)" in out
    unchanged = refreshed(full_file)
    assert unchanged.anonymised_at is None and unchanged.nickname == "Ramona"
    assert LegalIdentity.objects.filter(person=full_file).exists()
    assert LogEntry.objects.count() == logs
    assert AccessLogEntry.objects.filter(pk=old.pk).exists()


def test_retention_purges_access_log_entries_older_than_a_year():
    old = AccessLogEntry.objects.create(
        user=None, action="read", target_type="url", target_id="/old/", at=moment(LONG_AGO)
    )
    young = AccessLogEntry.objects.create(
        user=None, action="read", target_type="url", target_id="/young/", at=moment(LATELY)
    )
    out = run()
    assert not AccessLogEntry.objects.filter(pk=old.pk).exists()
    assert AccessLogEntry.objects.filter(pk=young.pk).exists()
    assert "1 entrée(s) du journal des accès de plus de 12 mois supprimée(s)" in out


def test_a_day_to_count_from_can_be_given(author):
    met = person("Comptée", created=datetime.date(2020, 1, 1))
    ContactFactory(person=met, author=author, occurred_at=moment(datetime.date(2021, 3, 1)))
    run("--today", "2022-06-01")
    assert refreshed(met).anonymised_at is None
    run("--today", "2023-03-02")
    assert refreshed(met).anonymised_at is not None


@pytest.mark.parametrize("args", [["--years", "0"], ["--today", "demain"]])
def test_wrong_arguments_are_refused(args):
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        run(*args)


def test_retention_leaves_the_figures_of_past_years_unchanged(demo_db):
    """On the demo years (2022, 2023): every figure is the same before and after."""
    from reporting.figures import all_figures

    # The demo was made today; its persons and files date from its years.
    end_2023 = moment(datetime.date(2023, 12, 31))
    Person.all_objects.update(created_at=end_2023)
    Procedure.all_objects.update(updated_at=end_2023)
    PSPFile.objects.update(created_at=end_2023)
    before = {year: all_figures(year) for year in (2022, 2023)}

    run("--today", max(TODAY, datetime.date(2026, 6, 1)).isoformat())

    anonymised = Person.all_objects.filter(anonymised_at__isnull=False).count()
    assert anonymised > 500
    assert (
        not Person.all_objects.filter(anonymised_at__isnull=False)
        .exclude(nickname=ANONYMISED)
        .exists()
    )
    for year in (2022, 2023):
        assert all_figures(year) == before[year], year
    # The same holds for the persons kept for an open file, once anonymised in their turn.
    for kept in Person.all_objects.filter(merged_into__isnull=True, anonymised_at__isnull=True):
        person_anonymise(person=kept)
    for year in (2022, 2023):
        assert all_figures(year) == before[year], year


# --- Right of access ------------------------------------------------------------------


def export(client, user, subject) -> dict:
    client.force_login(user)
    response = client.get(reverse("casefile:person-data-export", args=[subject.code]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    return json.loads(response.content)


def section(document: dict, title: str) -> dict:
    return next(s for s in document["sections"] if s["titre"] == title)


def test_export_holds_the_person_data_and_the_reads_of_their_file(client, full_file, make_user):
    educator = make_user("educator", first_name="Zoé", last_name="Lecteurnom")
    client.force_login(educator)
    client.get(reverse("contacts:identity-show", args=[full_file.code]))

    document = export(client, educator, full_file)

    body = json.dumps(document, ensure_ascii=False)
    assert section(document, "Fiche")["champs"]["Prénom d'usage ou surnom"] == "Ramona"
    assert section(document, "Identité légale")["champs"]["Nom"] == "QUISPE"
    contact = section(document, "Contacts")["lignes"][0]
    assert contact["Note"] == "Parle de son frère Luis"
    assert contact["Jour compté"] == LONG_AGO.isoformat()
    assert "Titre de séjour RAMONA" in body and "Notes PSP RAMONA" in body
    reads = section(document, "Lectures de votre dossier")["lignes"]
    identity_read = next(r for r in reads if r["Finalité"] == "Affichage de l'identité légale")
    assert identity_read["Par (rôle)"] == "Éducateur·rice"
    assert any(r["Action"] == "export" for r in reads)
    # Colleagues appear by their role, never by name.
    assert "Lecteurnom" not in body and "Zoé" not in body


def test_export_gives_an_educator_no_clinical_content(client, full_file, educator):
    document = export(client, educator, full_file)
    body = json.dumps(document, ensure_ascii=False)
    consultations = section(document, "Consultations du pôle santé")
    assert [set(row) for row in consultations["lignes"]] == [{"Date et heure", "Ligne"}]
    assert "équipe santé" in consultations["remarque"]
    for clinical in ("Note clinique RAMONA", "Transmission RAMONA", "Détail RAMONA"):
        assert clinical not in body
    # Nor the minors' follow-up, which an educator outside the minors' team does not read.
    assert "Notes mineure RAMONA" not in body and "Échange RAMONA" not in body


def test_export_gives_a_nurse_the_clinical_records(client, full_file, nurse):
    document = export(client, nurse, full_file)
    body = json.dumps(document, ensure_ascii=False)
    for clinical in ("Note clinique RAMONA", "Transmission RAMONA", "Détail RAMONA"):
        assert clinical in body
    # Not what a nurse does not read: identity, procedures.
    assert "QUISPE" not in body and "Titre de séjour RAMONA" not in body
    assert "remarque" in section(document, "Identité légale")


def test_export_is_logged_once(client, full_file, educator):
    before = AccessLogEntry.objects.count()
    export(client, educator, full_file)
    new = list(AccessLogEntry.objects.order_by("pk")[before:])
    assert [(e.action, e.user, e.target_id) for e in new] == [
        ("export", educator, str(full_file.pk))
    ]


@pytest.mark.parametrize(
    "role", ["peer_volunteer", "partner_practitioner", "administrator", "minors_team"]
)
def test_export_is_refused_to_other_roles(client, make_user, full_file, role):
    client.force_login(make_user(role))
    for name in ("casefile:person-data-export", "casefile:person-data-access"):
        before = AccessLogEntry.objects.count()
        response = client.get(reverse(name, args=[full_file.code]))
        assert response.status_code == 403
        assert "RAMONA" not in response.content.decode()
        new = list(AccessLogEntry.objects.order_by("pk")[before:])
        assert [e.action for e in new] == ["refused"]


def _export_queries(client, user, subject) -> int:
    from django.test.utils import CaptureQueriesContext

    client.force_login(user)
    url = reverse("casefile:person-data-export", args=[subject.code])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_export_runs_the_same_queries_whatever_the_number_of_records(
    client, full_file, author, director, nurse
):
    from minors.models import Runaway

    minor_file = MinorFile.objects.get(person=full_file)
    procedure = Procedure.objects.get(person=full_file)

    def add(batches: int) -> None:
        for _n in range(batches):
            ContactFactory(person=full_file, author=author, material={"male_condom": 3})
            ConsultationFactory(person=full_file, author=author, acts=[("trod_hiv", "negative")])
            ProcedureStep.objects.create(procedure=procedure, note="Étape", author=author)
            Runaway.objects.create(file=minor_file, start=LONG_AGO)
            PartnerExchange.objects.create(file=minor_file, note="Échange", author=author)
            client.force_login(author)
            client.get(reverse("contacts:identity-show", args=[full_file.code]))

    add(1)
    first = {user: _export_queries(client, user, full_file) for user in (director, nurse)}
    add(9)
    for user, count in first.items():
        assert _export_queries(client, user, full_file) <= count, user


def test_the_readable_page_shows_the_document_and_links_the_download(client, full_file, director):
    client.force_login(director)
    response = client.get(reverse("casefile:person-data-access", args=[full_file.code]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "QUISPE" in body and "Notes mineure RAMONA" in body
    assert "Note clinique RAMONA" not in body
    assert reverse("casefile:person-data-export", args=[full_file.code]) in body


def test_person_page_links_the_rights_to_those_who_may_use_them(client, full_file, make_user):
    access = reverse("casefile:person-data-access", args=[full_file.code])
    erase = reverse("casefile:person-erase", args=[full_file.code])
    detail = reverse("contacts:person-detail", args=[full_file.code])
    for role, links in {
        "director": {access, erase},
        "educator": {access},
        "nurse": {access},
        "partner_practitioner": set(),
    }.items():
        client.force_login(make_user(role))
        body = client.get(detail).content.decode()
        assert {link for link in (access, erase) if link in body} == links, role


# --- Erasure --------------------------------------------------------------------------


def erase(client, user, subject, **data):
    client.force_login(user)
    payload = {"reason": "request", "confirm": "on"} | data
    return client.post(reverse("casefile:person-erase", args=[subject.code]), payload)


def test_director_erases_a_person_at_once(client, director, author):
    subject = person("Effacée", created=LATELY)
    LegalIdentityFactory(person=subject)
    ContactFactory(person=subject, author=author, occurred_at=moment(LATELY), note="Note")
    client.force_login(director)
    assert client.get(reverse("casefile:person-erase", args=[subject.code])).status_code == 200

    response = erase(client, director, subject)

    erased = refreshed(subject)
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:person-detail", args=[erased.code])
    assert erased.anonymised_at is not None and erased.nickname == ANONYMISED
    assert not LegalIdentity.objects.filter(person=subject).exists()
    assert erased.contacts.get().note == ""
    entry = AccessLogEntry.objects.filter(target_id=str(subject.pk)).latest("pk")
    assert (entry.user, entry.action, entry.detail) == (director, "erase", "erasure: request")


def test_erasure_needs_a_confirmation(client, director):
    subject = person("Pas confirmée", created=LATELY)
    response = erase(client, director, subject, confirm="")
    assert response.status_code == 200
    assert refreshed(subject).anonymised_at is None


@pytest.mark.parametrize("follow_up", ["minor_file", "psp_file", "procedure"])
def test_erasure_is_refused_while_a_follow_up_is_open(client, director, author, follow_up):
    subject = person("Suivie", created=LATELY)
    if follow_up == "minor_file":
        MinorFile.objects.create(
            person=subject, worker=author, created_by=author, first_meeting_place="outreach"
        )
        expected = "dossier mineur·e ouvert"
    elif follow_up == "psp_file":
        PSPFile.objects.create(
            person=subject, kind="first_request", worker=author, created_by=author
        )
        expected = "dossier PSP ouvert"
    else:
        Procedure.objects.create(
            person=subject,
            theme=ProcedureTheme.objects.first(),
            request="RSA",
            worker=author,
            created_by=author,
        )
        expected = "démarche en cours"

    client.force_login(director)
    page = client.get(reverse("casefile:person-erase", args=[subject.code]))
    response = erase(client, director, subject)

    assert expected in page.content.decode()
    assert response.status_code == 200
    assert "Effacement impossible" in response.content.decode()
    assert expected in response.content.decode()
    assert refreshed(subject).anonymised_at is None
    assert refreshed(subject).nickname == "Suivie"


def test_erasure_is_allowed_once_the_follow_up_is_closed(client, director, author):
    subject = person("Suivie", created=LATELY)
    MinorFile.objects.create(
        person=subject,
        worker=author,
        created_by=author,
        first_meeting_place="outreach",
        opened_on=LATELY,
        closed_on=LATELY,
        close_reason="moved",
    )
    assert erase(client, director, subject).status_code == 302
    assert refreshed(subject).anonymised_at is not None


@pytest.mark.parametrize("role", ["educator", "nurse", "administrator", "minors_team"])
def test_erasure_is_refused_to_other_roles(client, make_user, role):
    subject = person("Protégée", created=LATELY)
    response = erase(client, make_user(role), subject)
    assert response.status_code in (403, 404)
    assert refreshed(subject).anonymised_at is None


@pytest.mark.parametrize("name", ["person-data-access", "person-data-export", "person-erase"])
def test_a_merged_duplicate_leads_to_the_kept_person(client, director, author, name):
    kept, duplicate = person("Gardée"), person("Doublon")
    person_merge(kept=kept, duplicate=duplicate, by=author)
    client.force_login(director)
    response = client.get(reverse(f"casefile:{name}", args=[duplicate.code]))
    assert response.status_code == 302
    assert response["Location"] == reverse(f"casefile:{name}", args=[kept.code])


def test_a_group_session_lately_keeps_its_participant_and_is_in_their_document(
    client, author, nurse, educator
):
    came = person("Sophro")
    ContactFactory(person=came, author=author, occurred_at=moment(LONG_AGO))
    session = GroupHealthSessionFactory(date=LATELY, participants=[came])

    run()
    assert refreshed(came).anonymised_at is None

    groups = section(export(client, nurse, came), "Séances collectives du pôle santé")
    assert groups["lignes"][0]["Ligne"] == str(session.line)
    withheld = section(export(client, educator, came), "Séances collectives du pôle santé")
    assert "lignes" not in withheld and "équipe santé" in withheld["remarque"]
