"""Five journeys through the real pages, in Chromium, as the staff live them."""

import datetime
import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from contacts.models import Contact, ContactMaterial, Session
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


def pick_person(page, field, typed: str, nickname: str) -> str:
    """Type part of a nickname in a person field, choose the suggestion; returns its code."""
    field.press_sequentially(typed, delay=20)
    option = page.locator("#person-options option").filter(has_text=re.compile(f"^{nickname}$"))
    option.wait_for(state="attached")
    code = option.get_attribute("value")
    # What choosing an entry of the datalist does: the field takes the option's value.
    field.fill(code)
    return code


def sheet_row(page, index: int):
    return page.locator("#sheet-rows [data-row]").nth(index)


def add_sheet_rows(page, count: int) -> None:
    """Add rows to the round sheet, each click checked (round-sheet.js adds them)."""
    rows = page.locator("#sheet-rows [data-row]")
    page.wait_for_load_state()  # the sheet's script runs once the page has loaded
    for _ in range(count):
        before = rows.count()
        page.get_by_role("button", name="+ Ajouter un contact").click()
        expect(rows).to_have_count(before + 1)


def test_educator_logs_a_night_round_of_ten_contacts_on_a_phone(new_page, make_user):
    educator = make_user("educator", username="educ", first_name="Inès")
    bichette = PersonFactory(nickname="Bichette")
    PersonFactory(nickname="Bichounette")  # a second suggestion for "Bich"
    loulou = PersonFactory(nickname="Loulou Rose")
    page = log_in(new_page(phone=True), educator)

    page.get_by_role("link", name="Nouvelle session").click()
    page.get_by_label("Type").select_option(label="Tournée de nuit (antenne mobile)")
    round_day = timezone.localdate() - datetime.timedelta(days=1)
    page.get_by_label("Date").fill(round_day.isoformat())
    page.get_by_label("Début").fill("21:00")
    page.get_by_label("Fin").fill("01:00")
    page.get_by_label("Quartier de la gare").check()
    page.get_by_role("button", name="Ouvrir et saisir les contacts").click()
    page.get_by_role("heading", name="Feuille de tournée").wait_for()
    assert re.fullmatch(r"/terrain/sessions/\d+/feuille/", path_of(page))

    add_sheet_rows(page, 9)
    expect(page.locator("#sheet-rows [data-row]")).to_have_count(10)
    # Every row takes the session's channel by default.
    assert sheet_row(page, 9).get_by_label("Canal").input_value() == (
        page.locator("#id_form-0-channel option", has_text="Antenne mobile").get_attribute("value")
    )

    first = sheet_row(page, 0)
    code_bichette = pick_person(page, first.get_by_label("Personne (code)"), "Bich", "Bichette")
    first.get_by_label("Préservatif masculin").fill("10")
    first.get_by_label("Gel lubrifiant").fill("5")
    second = sheet_row(page, 1)
    code_loulou = pick_person(page, second.get_by_label("Personne (code)"), "loulou", "Loulou Rose")
    second.get_by_label("Pipe à crack").fill("2")
    second.get_by_label("Usage de drogues (CAARUD)").check()
    assert (code_bichette, code_loulou) == (bichette.code, loulou.code)
    for index in range(2, 10):
        row = sheet_row(page, index)
        row.get_by_label("Genre estimé").select_option(label="Femme" if index % 2 else "Homme")
        row.get_by_label("Âge estimé").select_option(label="Majeur·e (21 ans et plus)")
        row.get_by_label("Préservatif masculin").fill(str(index))
    page.get_by_role("button", name="Enregistrer la feuille").click()

    page.get_by_text("10 contact(s) enregistré(s) sur la session.").wait_for()
    assert page.get_by_role("heading", name="10 contacts").is_visible()
    session = Session.objects.get()
    assert (session.kind, session.date, session.created_by) == ("night_round", round_day, educator)
    contacts = Contact.objects.filter(session=session)
    assert contacts.count() == 10
    assert {c.person for c in contacts if c.person} == {bichette, loulou}
    assert (
        contacts.filter(person__isnull=True, anonymous_gender__in=["female", "male"]).count() == 8
    )
    assert {c.channel.slug for c in contacts} == {"mobile_unit"}
    condoms = ContactMaterial.objects.filter(contact__session=session, material__slug="male_condom")
    assert sorted(condoms.values_list("quantity", flat=True)) == [2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert contacts.get(person=loulou).caarud

    # The session page links the known persons: open Bichette's page.
    page.get_by_role("link", name=code_bichette).click()
    page.get_by_role("heading", name=f"{code_bichette} · Bichette").wait_for()
    panel = page.locator(".card", has=page.get_by_role("heading", name="Contacts", exact=True))
    panel.get_by_text("Tournée de nuit (antenne mobile)").wait_for()
    assert "10 préservatif masculin, 5 gel lubrifiant" in panel.inner_text()
    assert round_day.strftime("%d/%m/%Y") in panel.inner_text()
    screenshot(page, "night-round")


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
    assert page.get_by_label("Personne (code)").count() == 0
    add_sheet_rows(page, 2)

    rows = [
        ("Femme", "Majeur·e (21 ans et plus)", "Préservatif masculin", "12"),
        ("Homme", "Jeune majeur·e (18-20 ans)", "Pipe à crack", "1"),
        ("Femme trans", "Âge à déterminer", "Gel lubrifiant", "4"),
    ]
    for index, (gender, age, material, quantity) in enumerate(rows):
        row = sheet_row(page, index)
        row.get_by_label("Genre estimé").select_option(label=gender)
        row.get_by_label("Âge estimé").select_option(label=age)
        row.get_by_label(material).fill(quantity)
    page.get_by_role("button", name="Enregistrer la feuille").click()

    page.get_by_text("3 contact(s) enregistré(s) sur la session.").wait_for()
    assert page.get_by_role("heading", name="Accueil au local").is_visible()
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
