import datetime
import io
import json
import zoneinfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from contacts.models import Person
from entractes.models import AccessLogEntry
from reporting import services
from reporting.models import (
    CheckAcceptance,
    NarrativeBlock,
    Publication,
    ReportRender,
)
from tests.factories import (
    AwarenessSessionFactory,
    ConsultationFactory,
    ContactFactory,
    NarrativeBlockFactory,
    PersonFactory,
    ReferenceFigureFactory,
    WorkshopFactory,
)

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")

# Keys of the specification that are not families of a reference list.
SPEC_KEYS = """
attendance.contacts attendance.people attendance.people_minors attendance.people_young_adults
caarud.contacts caarud.people caarud.people_minors caarud.new_people caarud.share_of_people
health.midwife.smears health.nurse.screenings health.nurse.people_drug_users
health.nurse.consultations_drug_users health.nurse.digital_outreach health.workshops
rights.psp.first_requests rights.psp.renewals rights.psp.favourable mediation.events
digital.messages_sent digital.replies digital.reply_rate digital.parcels digital.hiv_selftests_sent
digital.new_people_at_drop_in social.people social.people_minors
minors.people minors.reported_not_met minors.runaways.base minors.runaways.people
training.cycles training.days training.trainees training.trainees_departement_share training.satisfaction
awareness.sessions schools.sessions schools.pupils schools.boys schools.girls schools.satisfaction schools.interest
""".split()
FAMILIES = {
    "caarud.gender.": ["female", "male", "trans_woman", "trans_man", "non_binary", "unknown"],
    "rdr.material.": [
        "crack_pipe",
        "crack_grid",
        "mouthpiece",
        "foil",
        "syringe",
        "male_condom",
        "disinfectant_wipe",
        "intimate_wipe",
        "lubricant_gel",
        "internal_condom",
        "sniff_kit",
        "hiv_selftest",
    ],
    "services.": ["snack_meal", "shower", "clothing", "laundry", "rest", "food_parcel"],
    "mediation.contacts.": [
        "sex_workers",
        "residents",
        "shopkeepers",
        "local_youth",
        "team",
        "clients",
        "other",
    ],
    "mediation.themes.": ["noise", "cleanliness", "violence", "visibility", "codes", "other"],
    "minors.people.": ["minor", "young_adult", "age_unknown"],
    "minors.gender.": ["girl", "boy", "trans"],
    "minors.measures.": ["single", "double", "none", "to_assess"],
    "minors.runaways.housed_by.": ["clients", "friends", "peers", "family", "alone"],
    "minors.runaways.housed_where.": ["flat", "squat", "hotel", "street"],
    "minors.consumers.": ["minor", "young_adult", "age_unknown"],
    "minors.tobacco.": ["minor", "young_adult", "age_unknown"],
}
LINES = [
    "nurse",
    "doctor",
    "midwife",
    "fibroscan",
    "socio_esthetics",
    "health_insurance_desk",
    "osteopathy",
    "massage",
    "sophrology",
]
THEMES = [
    "social_benefits",
    "health_cover",
    "housing",
    "justice",
    "residence_permit",
    "employment_training",
    "violence",
    "banking",
    "other",
]
NETWORKS = ["facebook", "instagram", "snapchat", "tiktok", "x"]


def expected_keys():
    keys = set(SPEC_KEYS)
    for prefix, slugs in FAMILIES.items():
        keys |= {prefix + slug for slug in slugs}
    keys |= {
        f"health.{line}.{m}" for line in LINES for m in ("sessions", "people", "consultations")
    }
    keys |= {f"rights.procedures.{t}.{m}" for t in THEMES for m in ("opened", "completed")}
    keys |= {f"social.{n}.{m}" for n in NETWORKS for m in ("followers", "contacts")}
    keys |= {f"minors.age.{n}" for n in range(10, 18)}
    for cat in ("minor", "young_adult", "age_unknown"):
        keys |= {
            f"minors.products.{cat}.{p}"
            for p in ("alcohol", "cannabis", "cocaine", "crack", "nitrous_oxide", "heroin", "mdma")
        }
        keys |= {
            f"minors.first_meeting.{cat}.{p}" for p in ("outreach", "drop_in", "online", "partner")
        }
        keys |= {
            f"minors.prostitution_modes.{cat}.{m}"
            for m in ("street", "internet", "social_networks", "bars_abroad")
        }
    return keys


@pytest.fixture
def year_2023(educator, nurse):
    person = PersonFactory(nickname="Corina", uses_drugs=True, birth_year=1985)
    for month in (2, 5, 9):
        ContactFactory(
            person=person,
            author=educator,
            caarud=True,
            occurred_at=datetime.datetime(2023, month, 3, 15, tzinfo=PARIS),
            material={"crack_pipe": 2},
        )
    ContactFactory(
        person=None, author=educator, occurred_at=datetime.datetime(2023, 3, 3, 15, tzinfo=PARIS)
    )
    ConsultationFactory(
        person=person,
        author=nurse,
        at=datetime.datetime(2023, 4, 3, 11, tzinfo=PARIS),
        clinical_note="ZZCLINICAL",
        acts=[("wound_care", "")],  # a consultation with no act is a finding of the checks
    )
    NarrativeBlockFactory(
        year=2023,
        kind="editorial",
        body="Une année **forte** pour le service.",
        signature="La direction",
        updated_by=educator,
    )
    return person


def test_report_figures_prints_every_key_of_the_spec_as_json(year_2023):
    out = io.StringIO()
    call_command("report_figures", "2023", "--format", "json", stdout=out)
    values = json.loads(out.getvalue())
    assert expected_keys() - set(values) == set()
    assert list(values) == sorted(values)
    assert values["attendance.contacts"] == 4
    assert values["caarud.share_of_people"] == 1.0
    assert values["social.tiktok.followers"] is None


def test_report_figures_csv(year_2023):
    out = io.StringIO()
    call_command("report_figures", "2023", "--format", "csv", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "key,value"
    assert "attendance.contacts,4" in lines


def test_figures_page_compares_with_reference_figures_of_the_previous_year(
    client, director, year_2023
):
    ReferenceFigureFactory(
        key="attendance.contacts", year=2022, value=2, source="rapport 2022", created_by=director
    )
    client.force_login(director)
    response = client.get(reverse("reporting:figures"), {"year": 2023})
    rows = {row.key: row for _s, _t, rs in response.context["sections"] for row in rs}
    assert (rows["attendance.contacts"].value, rows["attendance.contacts"].previous) == (4, 2)
    assert rows["attendance.contacts"].change == 100.0
    assert response.context["previous_source"] == "reference"


def test_educators_see_the_figures_without_drill_down(client, educator, director, year_2023):
    client.force_login(educator)
    body = client.get(reverse("reporting:figures"), {"year": 2023}).content.decode()
    assert "attendance.contacts" in body
    assert reverse("reporting:drilldown") not in body
    drill = reverse("reporting:drilldown") + "?key=attendance.people&year=2023"
    assert client.get(drill).status_code == 403
    client.force_login(director)
    assert (
        reverse("reporting:drilldown")
        in client.get(reverse("reporting:figures"), {"year": 2023}).content.decode()
    )


def test_drill_down_lists_what_the_figure_counted_and_is_logged(client, director, year_2023):
    client.force_login(director)
    response = client.get(
        reverse("reporting:drilldown"), {"key": "attendance.people", "year": 2023}
    )
    lists = response.context["lists"]
    assert sum(len(list_.rows) for list_ in lists) == response.context["value"] == 1
    assert "Corina" in response.content.decode()
    assert AccessLogEntry.objects.filter(action="drilldown", user=director).exists()


def test_drill_down_into_clinical_records_stays_restricted(client, director, nurse, year_2023):
    client.force_login(director)
    assert (
        client.get(
            reverse("reporting:drilldown"), {"key": "health.nurse.people", "year": 2023}
        ).status_code
        == 403
    )
    client.force_login(nurse)
    assert (
        client.get(
            reverse("reporting:drilldown"), {"key": "health.nurse.people", "year": 2023}
        ).status_code
        == 403
    )


def test_narrative_is_sanitised(client, director):
    client.force_login(director)
    client.post(
        reverse("reporting:narrative", args=[2023]),
        {
            "kind": "focus",
            "part": "activity",
            "title": "Ptit déj",
            "body": "**Gras**\n\n<script>alert(1)</script>\n\n- un\n- deux",
            "position": 1,
        },
    )
    block = NarrativeBlock.objects.get()
    assert "<strong>Gras</strong>" in block.html
    assert "<script" not in block.html
    assert "<li>un</li>" in block.html
    preview = client.post(
        reverse("reporting:narrative-preview"), {"body": "<img src=x onerror=alert(1)>**ok**"}
    )
    assert "onerror" not in preview.content.decode()
    assert "<strong>ok</strong>" in preview.content.decode()


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_is_generated_in_the_background_with_the_outline_page_numbers_and_figures(
    client, director, year_2023, django_capture_on_commit_callbacks
):
    client.force_login(director)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reporting:pdf-start", args=[2023]))
    render = ReportRender.objects.get()
    assert render.status == "done" and render.progress == 100
    status = client.get(
        reverse("reporting:pdf", args=[2023]), headers={"HX-Request": "true"}
    ).content.decode()
    assert reverse("reporting:pdf-download", args=[render.pk]) in status
    response = client.get(reverse("reporting:pdf-download", args=[render.pk]))
    pages, text = pdf_text(b"".join(response.streaming_content))
    assert pages >= 8
    for heading in (
        "Sommaire",
        "Edito",
        "01. Présentation d'Entr'Actes",
        "02. Activité du service en 2023",
        "03. Prostitution des mineur·e·s",
        "04. Former et sensibiliser",
        "05. Plan d'amélioration continue",
        "Conclusion : perspectives 2024",
        "Annexe",
    ):
        assert heading in text, heading
    assert f"2 / {pages}" in text
    assert "Une année forte pour le service." in text
    assert "attendance.contacts" in text
    assert "ZZCLINICAL" not in text
    assert AccessLogEntry.objects.filter(action="print").exists()


def test_a_failed_generation_shows_its_cause(
    client, director, monkeypatch, django_capture_on_commit_callbacks
):
    from reporting import document

    def broken(*args, **kwargs):
        raise RuntimeError("police de caractères introuvable")

    monkeypatch.setattr(document, "render_pdf", broken)
    client.force_login(director)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reporting:pdf-start", args=[2023]))
    render = ReportRender.objects.get()
    assert render.status == "failed"
    assert "police de caractères introuvable" in render.error
    status = client.get(reverse("reporting:pdf", args=[2023])).content.decode()
    assert "police de caractères introuvable" in status


def test_checks_must_be_fixed_or_accepted_before_publishing(client, director, year_2023):
    Person.objects.filter(pk=year_2023.pk).update(gender="unknown")
    client.force_login(director)
    response = client.post(reverse("reporting:publish", args=[2023]), {"reason": ""}, follow=True)
    assert "contrôle" in response.content.decode()
    assert not Publication.objects.exists()
    findings = services.open_findings(2023)
    assert [f.code for f in findings] == ["persons:gender_unknown"]
    client.post(
        reverse("reporting:checks", args=[2023]),
        {"code": "persons:gender_unknown", "note": "Refus de dire"},
    )
    assert CheckAcceptance.objects.filter(year=2023).exists()
    client.post(reverse("reporting:publish", args=[2023]), {"reason": ""})
    assert Publication.objects.get().version == 1


def test_breakdown_that_does_not_add_up_is_found(year_2023):
    from reporting import checks

    findings = checks.run(
        2023, {"caarud.people": 5, "caarud.gender.female": 3, "caarud.gender.male": 1}, {}
    )
    assert any(f.code == "breakdown:caarud.gender." for f in findings)


def test_a_published_year_is_frozen_and_lists_what_changed(
    client, director, year_2023, educator, django_capture_on_commit_callbacks
):
    client.force_login(director)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reporting:publish", args=[2023]), {"reason": ""})
    publication = Publication.objects.get()
    assert publication.checksum and publication.pdf
    before_pdf = publication.pdf.read()
    assert publication.figures["attendance.contacts"] == 4
    ContactFactory(
        person=None, author=educator, occurred_at=datetime.datetime(2023, 6, 3, 15, tzinfo=PARIS)
    )
    publication.refresh_from_db()
    assert publication.figures["attendance.contacts"] == 4
    publication.pdf.open("rb")
    assert publication.pdf.read() == before_pdf
    response = client.get(reverse("reporting:figures"), {"year": 2023})
    assert ("attendance.contacts", 4, 5) in response.context["changes"]
    publication.figures = {"attendance.contacts": 5}
    with pytest.raises(PermissionError):
        publication.save()
    # A new version needs a reason; the first stays downloadable.
    client.post(reverse("reporting:publish", args=[2023]), {"reason": ""})
    assert Publication.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reporting:publish", args=[2023]), {"reason": "Contact oublié"})
    assert list(Publication.objects.values_list("version", flat=True)) == [2, 1]
    assert (
        client.get(reverse("reporting:publication-download", args=[publication.pk])).status_code
        == 200
    )


@pytest.mark.parametrize("role", ["educator", "nurse", "online_worker"])
def test_only_director_and_administrator_publish(client, make_user, role, year_2023):
    client.force_login(make_user(role))
    assert (
        client.post(reverse("reporting:publish", args=[2023]), {"reason": "x"}).status_code == 403
    )
    assert not Publication.objects.exists()


def test_administrator_can_publish(client, admin_user, year_2023):
    client.force_login(admin_user)
    client.post(reverse("reporting:publish", args=[2023]), {"reason": ""})
    assert Publication.objects.count() == 1


def test_dashboard_compares_the_year_to_date(client, director, educator):
    from django.utils import timezone

    today = timezone.localdate()
    ContactFactory(person=None, author=educator, occurred_at=timezone.now())
    client.force_login(director)
    response = client.get(reverse("reporting:dashboard"))
    rows = {label: (now, before) for label, now, before, _c in response.context["rows"]}
    assert rows["Contacts"][0] >= 1
    assert response.context["chart"].startswith("data:image/svg+xml;base64,")
    assert today.year


def test_a_publication_keeps_the_records_its_document_lists(
    director, year_2023, django_capture_on_commit_callbacks
):
    from reporting import layout

    WorkshopFactory(title="Atelier Octobre rose", date=datetime.date(2023, 10, 12))
    AwarenessSessionFactory(host="ENPJJ de Roubaix", date=datetime.date(2023, 3, 14))
    with django_capture_on_commit_callbacks(execute=True):
        publication = services.publish(year=2023, reason="", by=director)
    publication.refresh_from_db()
    assert [w["title"] for w in publication.records["workshops"]] == ["Atelier Octobre rose"]
    assert [a["host"] for a in publication.records["awareness"]] == ["ENPJJ de Roubaix"]
    _pages, text = pdf_text(publication.pdf.read())
    assert "Atelier Octobre rose" in text and "ENPJJ de Roubaix" in text
    # Records added afterwards are in the year's document, never in the publication's.
    WorkshopFactory(title="Atelier massage", date=datetime.date(2023, 11, 5))
    assert "Atelier massage" in str(layout.records_snapshot(2023)["workshops"])
    render = services.report_render_start(year=2023, by=director, publication=publication)
    services.report_render_run(render.pk)
    render.refresh_from_db()
    _pages, text = pdf_text(render.file.read())
    assert "Atelier Octobre rose" in text and "Atelier massage" not in text
    publication.records = {}
    with pytest.raises(PermissionError):
        publication.save()
