"""Journeys through the real pages, in Chromium, as the staff live them (the night
round on the round sheet is in test_round_sheet.py)."""

import datetime
import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from contacts.models import Contact, ContactMaterial
from entractes.models import User
from health.models import Consultation
from reporting.figures import all_figures
from reporting.models import NarrativeBlock, ReportRender
from tests.browser.conftest import log_in, path_of, screenshot
from tests.factories import ContactFactory, PersonFactory

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips the journeys, or fails them under CI
    expect = None

# The reference lists (roles, channels, materials, acts...) come from data migrations:
# serialized_rollback puts them back after each transactional test's flush.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_educator_sees_no_clinical_content_of_a_rapid_test(new_page, make_user):
    nurse = make_user("nurse", username="nurse", first_name="Claire")
    educator = make_user("educator", username="educ", first_name="Inès")
    perle = PersonFactory(nickname="Perle")
    clinical = "Lésion buccale à surveiller, exposition à risque il y a trois semaines"
    shared = "Orientée vers le CeGIDD, rendez-vous pris"

    page = log_in(new_page(), nurse)
    page.get_by_role("navigation").get_by_role("link", name="Personnes").click()
    page.get_by_placeholder("Code ou surnom").fill("perle")
    page.locator("#results").get_by_role("link", name=perle.code).click()
    page.get_by_role("link", name="Nouvelle consultation").click()
    assert page.get_by_label("Personne (code)").input_value() == perle.code
    page.get_by_label("Ligne").select_option(label="Infirmière")
    page.locator("select[name=acts-0-act]").select_option(label="TROD VIH")
    page.locator("select[name=acts-0-result]").select_option(label="Négatif")
    page.get_by_label("Note clinique").fill(clinical)
    page.get_by_label("Note de transmission partageable").fill(shared)
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Consultation enregistrée.").wait_for()
    assert page.get_by_text("TROD VIH — Négatif").is_visible()
    assert page.get_by_text(clinical).is_visible()
    consultation = Consultation.objects.get(person=perle)
    assert consultation.clinical_note == clinical
    assert [(a.act.slug, a.result) for a in consultation.acts.all()] == [("trod_hiv", "negative")]
    consultation_path = path_of(page)

    page = log_in(new_page(), educator)
    # The consultation's own page does not open for an educator...
    response = page.goto(consultation_path)
    assert response.status == 403
    assert clinical not in page.content()
    # ...and the person's page shows nothing clinical once every panel has loaded (htmx):
    # an absence must not come from a panel that is not there yet.
    page.goto(f"/personnes/{perle.code}/")
    health = page.locator(".card", has=page.get_by_role("heading", name="Santé", exact=True))
    health.wait_for()
    expect(page.locator(".placeholder-glow")).to_have_count(0)
    content = page.content()
    for secret in (clinical, "Lésion buccale", "Négatif", "negative", "TROD"):
        assert secret not in content, f"{secret!r} is shown to an educator"
    assert page.get_by_role("link", name="Nouvelle consultation").count() == 0
    # What an educator may know: the shareable note, not which line was consulted.
    expect(health).to_contain_text(shared)
    expect(health).not_to_contain_text("Infirmière")
    expect(health).not_to_contain_text("Suivi santé")
    screenshot(page, "clinical-confidentiality")


def test_director_writes_the_editorial_and_downloads_the_pdf(new_page, make_user, tmp_path):
    director = make_user("director", username="direction", first_name="Agnès")
    year = timezone.localdate().year - 1
    in_year = datetime.datetime(year, 6, 12, 15, 0, tzinfo=datetime.UTC)
    ContactFactory.create_batch(37, person=None, author=director, occurred_at=in_year)
    assert all_figures(year)["attendance.contacts"] == 37
    editorial = "Une année de tournées de nuit portées par une équipe solide."

    page = log_in(new_page(), director)
    assert path_of(page) == "/rapport/"  # the director's home is the dashboard
    page.get_by_role("link", name="Textes du rapport").click()
    page.get_by_role("heading", name=f"Textes du rapport {year}").wait_for()
    page.get_by_label("Type").select_option(label="Éditorial")
    page.get_by_label("Titre").fill("Tenir le cap")
    page.get_by_label("Texte").fill(f"{editorial}\n\nMerci aux **bénévoles pairs**.")
    page.get_by_label("Signature").fill("La directrice")
    page.get_by_role("button", name="Aperçu").click()
    page.locator("#preview strong", has_text="bénévoles pairs").wait_for()
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Texte enregistré.").wait_for()
    assert page.get_by_role("link", name="Éditorial · Tenir le cap").is_visible()
    assert NarrativeBlock.objects.get(year=year, kind="editorial").body.startswith(editorial)

    page.get_by_role("navigation").get_by_role("link", name="Rapport").click()
    page.get_by_role("link", name="Chiffres du rapport").click()
    page.get_by_role("heading", name=f"Chiffres {year}").wait_for()
    page.get_by_role("link", name="PDF", exact=True).click()
    assert page.get_by_text("Aucun PDF généré pour cette année.").is_visible()
    page.get_by_role("button", name="Générer le PDF").click()
    page.get_by_text("Génération du PDF lancée.").wait_for()
    status = page.locator("#render-status")
    status.get_by_text("Le PDF est prêt.").wait_for()
    render = ReportRender.objects.get(year=year)
    assert (render.status, render.progress) == ("done", 100)

    with page.expect_download() as download_info:
        status.get_by_role("link", name="Télécharger").click()
    download = download_info.value
    assert download.suggested_filename == f"rapport-activite-{year}.pdf"
    pdf_path = tmp_path / "rapport.pdf"
    download.save_as(pdf_path)
    reader = PdfReader(io.BytesIO(pdf_path.read_bytes()))
    text = "\n".join(page_.extract_text() for page_ in reader.pages)
    assert editorial in " ".join(text.split())
    assert "La directrice" in text
    assert re.search(r"(?<!\d)37\s*contacts", text), "the key figure is missing"
    screenshot(page, "annual-report-pdf")


def test_administrator_creates_a_peer_volunteer_who_sees_only_that_menu(new_page, make_user):
    admin = make_user("administrator", username="admin", first_name="Sam")
    initial_password, own_password = "bienvenue-chez-Entractes-42", "mon-secret-de-pair-2026"

    page = log_in(new_page(), admin)
    page.get_by_role("navigation").get_by_role("link", name="Comptes").click()
    page.get_by_role("link", name="Nouveau compte").click()
    page.locator("input[name=username]").fill("lina")
    page.get_by_label("Prénom").fill("Lina")
    page.get_by_label("Nom", exact=True).fill("Moreau")
    page.locator("input[name=email]").fill("lina@example.org")
    page.get_by_label("Bénévole pair").check()
    page.locator("input[name=password1]").fill(initial_password)
    page.locator("input[name=password2]").fill(initial_password)
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Compte lina créé.").wait_for()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="lina", exact=True))
    assert "Bénévole pair" in row.inner_text()
    lina = User.objects.get(username="lina")
    assert lina.role_slugs == {"peer_volunteer"}
    assert lina.password_change_required

    page = log_in(new_page(), lina, initial_password)
    assert path_of(page) == "/compte/mot-de-passe/"  # the first login asks for her own
    page.locator("input[name=old_password]").fill(initial_password)
    page.locator("input[name=new_password1]").fill(own_password)
    page.locator("input[name=new_password2]").fill(own_password)
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("heading", name="Mot de passe changé").wait_for()
    page.get_by_role("link", name="Continuer").click()
    page.get_by_role("heading", name="Bonjour Lina").wait_for()

    menu = page.locator("#mainnav")
    assert menu.get_by_role("link", name="Tournées et accueils").is_visible()
    for other_roles_entry in (
        "Personnes",
        "Santé",
        "Démarches",
        "PSP",
        "Mineurs",
        "En ligne",
        "Médiation",
        "Rapport",
        "Comptes",
        "Journal des accès",
    ):
        assert menu.get_by_role("link", name=other_roles_entry, exact=True).count() == 0
    lina.refresh_from_db()
    assert not lina.password_change_required
    assert lina.check_password(own_password)
    screenshot(page, "staff-account")


def test_peer_volunteer_logs_three_anonymous_contacts_at_the_drop_in(new_page, make_user):
    volunteer = make_user("peer_volunteer", username="volunteer", first_name="Jo")
    page = log_in(new_page(phone=True), volunteer)

    page.get_by_role("link", name="Nouvelle session").click()
    page.get_by_label("Type").select_option(label="Accueil au local")
    page.get_by_label("Date").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Ouvrir et saisir les contacts").click()
    page.get_by_role("heading", name="Feuille de tournée").wait_for()
    # A volunteer logs anonymous contacts only: no person field on the sheet.
    page.locator("#sheet-save").wait_for()
    assert page.get_by_label("Personne (code ou surnom)").count() == 0
    rows = page.locator("#sheet-list [data-row]")
    entries = [
        ("femme", "adulte", "Préservatif masculin", "12"),
        ("homme", "18-20", "Pipe à crack", "1"),
        ("trans", "?", "Gel lubrifiant", "4"),
    ]
    for index, (gender, age, material, quantity) in enumerate(entries):
        page.get_by_role("button", name=f"Anonyme {gender}", exact=True).tap()
        expect(rows).to_have_count(index + 1)
        row = rows.nth(index)
        row.get_by_role("button", name=age, exact=True).tap()
        row.get_by_role("spinbutton", name=material, exact=True).fill(quantity)
    page.get_by_role("button", name="Enregistrer", exact=True).tap()
    expect(page.locator('#sheet-list [data-status="saved"]')).to_have_count(3)
    page.get_by_role("link", name="Voir la session").tap()

    page.get_by_role("heading", name="Accueil au local").wait_for()
    assert page.get_by_role("heading", name="3 contacts").is_visible()
    assert page.get_by_text("anonyme (Femme trans)").is_visible()
    contacts = Contact.objects.filter(session__kind="drop_in")
    assert contacts.count() == 3
    assert all(c.person is None and c.author == volunteer for c in contacts)
    assert {c.channel.slug for c in contacts} == {"drop_in"}
    assert sorted(contacts.values_list("anonymous_gender", "anonymous_age_category")) == [
        ("female", "adult"),
        ("male", "young_adult"),
        ("trans_woman", "age_unknown"),
    ]
    assert sorted(
        ContactMaterial.objects.filter(contact__in=contacts).values_list(
            "material__slug", "quantity"
        )
    ) == [("crack_pipe", 1), ("lubricant_gel", 4), ("male_condom", 12)]
    screenshot(page, "drop-in-volunteer")
