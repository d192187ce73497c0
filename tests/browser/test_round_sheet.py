"""The round sheet on a phone, as educators use it at night: fast to fill, never lost.

Every tap a journey makes on the sheet goes through ``Taps``, which counts them; a
field filled counts as the tap that focuses it (typing itself is not a tap).
"""

import datetime
import json
import re
import time

import pytest
from django.contrib.sessions.models import Session as DjangoSession
from django.utils import timezone
from django_otp.oath import totp

from contacts.models import Contact, ContactMaterial, Session
from entractes.models import AuthenticatorDevice
from tests.browser.conftest import log_in, path_of, screenshot
from tests.conftest import PASSWORD
from tests.factories import PersonFactory

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips the journeys, or fails them under CI
    expect = None

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SHEET_KEY = "entractes.sheet."


class Taps:
    """Taps and clicks of a journey, counted."""

    def __init__(self):
        self.n = 0

    def tap(self, locator):
        self.n += 1
        locator.tap()

    def fill(self, locator, text: str):
        self.n += 1
        locator.tap()
        locator.fill(text)


def rows(page):
    return page.locator("#sheet-list [data-row]")


def row(page, index: int):
    return rows(page).nth(index)


def plus(row_locator, material: str):
    return row_locator.get_by_role("button", name=f"Plus {material}", exact=True)


def quantity(row_locator, material: str):
    return row_locator.get_by_role("spinbutton", name=material, exact=True)


def stored_sheets(page) -> dict:
    return page.evaluate(
        f"""Object.fromEntries(Object.keys(localStorage)
            .filter(k => k.startsWith({json.dumps(SHEET_KEY)}))
            .map(k => [k, JSON.parse(localStorage.getItem(k))]))"""
    )


def night_round(educator, *, days_ago: int = 1) -> Session:
    return Session.objects.create(
        kind="night_round",
        date=timezone.localdate() - datetime.timedelta(days=days_ago),
        start_time=datetime.time(21),
        end_time=datetime.time(1),
        created_by=educator,
    )


def open_sheet(page, session: Session):
    page.goto(f"/terrain/sessions/{session.pk}/feuille/")
    page.locator("#sheet-save").wait_for()


def test_educator_logs_a_night_round_of_ten_contacts_in_thirty_taps(new_page, make_user):
    educator = make_user("educator", username="educ", first_name="Inès")
    bichette = PersonFactory(nickname="Bichette")
    PersonFactory(nickname="Bichounette")  # a second suggestion for "Bich"
    loulou = PersonFactory(nickname="Loulou Rose")
    momo = PersonFactory(nickname="Momo")
    zaza = PersonFactory(nickname="Zaza")
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
    page.locator("#sheet-save").wait_for()

    taps = Taps()
    person = page.get_by_label("Personne (code ou surnom)")

    def pick(typed: str, nickname: str) -> str:
        """Type part of a nickname, tap the suggestion (what choosing a datalist entry does:
        the field takes the option's value, with no key typed)."""
        taps.tap(person)
        person.press_sequentially(typed, delay=10)
        option = page.locator("#sheet-person-options option").filter(
            has_text=re.compile(f"^{nickname}$")
        )
        option.wait_for(state="attached")
        code = option.get_attribute("value")
        taps.n += 1  # the tap on the suggestion
        person.evaluate(
            "(field, code) => { field.value = code; field.dispatchEvent(new Event('input')); }",
            code,
        )
        return code

    anonymous = [
        ("femme", "adulte"),
        ("homme", None),
        ("femme", "18-20"),
        ("trans", "adulte"),
        ("?", None),
        ("homme", "adulte"),
    ]
    # 1: Bichette from the suggestions, 10 condoms and 5 gels typed.
    code_bichette = pick("Bich", "Bichette")
    expect(rows(page)).to_have_count(1)
    taps.fill(quantity(row(page, 0), "Préservatif masculin"), "10")
    taps.fill(quantity(row(page, 0), "Gel lubrifiant"), "5")
    # 2-4: three anonymous passages, one condom each, an age band on two.
    for index in range(3):
        gender, age = anonymous[index]
        taps.tap(page.get_by_role("button", name=f"Anonyme {gender}", exact=True))
        expect(rows(page)).to_have_count(index + 2)
        if age:
            taps.tap(row(page, index + 1).get_by_role("button", name=age, exact=True))
        taps.tap(plus(row(page, index + 1), "Préservatif masculin"))
    # 5: Loulou Rose from the suggestions, 2 crack pipes, CAARUD.
    code_loulou = pick("loulou", "Loulou Rose")
    loulou_row = row(page, 4)
    taps.tap(plus(loulou_row, "Pipe à crack"))
    taps.tap(plus(loulou_row, "Pipe à crack"))
    taps.tap(loulou_row.locator("summary"))
    taps.tap(loulou_row.get_by_label("Usage de drogues (CAARUD)"))
    # 6-7: Momo by the nickname typed, Zaza by the code typed; no material.
    taps.tap(person)
    person.fill("Momo")
    person.press("Enter")
    person.fill(zaza.code)
    person.press("Enter")
    expect(rows(page)).to_have_count(7)
    # 8-10: three more anonymous passages with material.
    for index in range(3, 6):
        gender, age = anonymous[index]
        taps.tap(page.get_by_role("button", name=f"Anonyme {gender}", exact=True))
        new = row(page, index + 4)
        if age:
            taps.tap(new.get_by_role("button", name=age, exact=True))
        taps.tap(plus(new, "Préservatif masculin"))
    expect(rows(page)).to_have_count(10)
    # Every change is on the phone as it is typed.
    (sheet,) = stored_sheets(page).values()
    assert [r["material"].get("male_condom") for r in sheet["rows"]] == [
        10,
        1,
        1,
        1,
        None,
        None,
        None,
        1,
        1,
        1,
    ]
    # Each row's time is when it was added, brought within the round's span (21:00-01:00).
    assert all(r["time"] >= "21:00" or r["time"] <= "01:00" for r in sheet["rows"])
    taps.tap(page.get_by_role("button", name="Enregistrer", exact=True))
    expect(page.locator('#sheet-list [data-status="saved"]')).to_have_count(10)
    print(f"taps: {taps.n}")
    assert taps.n <= 30
    screenshot(page, "round-sheet")

    session = Session.objects.get()
    assert (session.kind, session.date, session.created_by) == ("night_round", round_day, educator)
    contacts = Contact.objects.filter(session=session)
    assert contacts.count() == 10
    assert {c.person for c in contacts if c.person} == {bichette, loulou, momo, zaza}
    assert sorted(
        contacts.filter(person__isnull=True).values_list("anonymous_gender", flat=True)
    ) == sorted(["female", "male", "female", "trans_woman", "unknown", "male"])
    assert contacts.filter(anonymous_age_category="adult").count() == 3
    assert {c.channel.slug for c in contacts} == {"mobile_unit"}
    lines = ContactMaterial.objects.filter(contact__session=session)
    assert lines.values("contact").distinct().count() == 8
    condoms = lines.filter(material__slug="male_condom")
    assert sorted(condoms.values_list("quantity", flat=True)) == [1, 1, 1, 1, 1, 1, 10]
    assert lines.get(material__slug="crack_pipe").contact.person == loulou
    assert lines.get(material__slug="crack_pipe").quantity == 2
    assert contacts.get(person=loulou).caarud
    # Once saved, the phone keeps no code, nickname or note of them.
    kept = json.dumps(stored_sheets(page), ensure_ascii=False)
    for secret in (code_bichette, code_loulou, zaza.code, "Momo", "Bichette"):
        assert secret not in kept
    # Saved rows stay on the sheet, greyed and not sent again.
    taps.tap(page.get_by_role("button", name="Enregistrer", exact=True))
    expect(page.locator("#sheet-status")).to_contain_text("10 enregistré(s), 0 à enregistrer")
    assert contacts.count() == 10

    # The session page links the known persons: open Bichette's page.
    page.get_by_role("link", name="Voir la session").click()
    page.get_by_role("heading", name="10 contacts").wait_for()
    page.get_by_role("link", name=code_bichette).click()
    page.get_by_role("heading", name=f"{code_bichette} · Bichette").wait_for()
    panel = page.locator(".card", has=page.get_by_role("heading", name="Contacts", exact=True))
    panel.get_by_text("Tournée de nuit (antenne mobile)").wait_for()
    assert "10 préservatifs masculins, 5 gels lubrifiants" in panel.inner_text()
    assert code_loulou == loulou.code
    # Every panel of the page loaded (htmx) before the journey ends and its data goes.
    expect(page.locator(".placeholder-glow")).to_have_count(0)
    screenshot(page, "night-round")


def test_contacts_typed_without_network_are_saved_once_when_it_comes_back(new_page, make_user):
    educator = make_user("educator", username="educ")
    session = night_round(educator)
    page = log_in(new_page(phone=True), educator)
    open_sheet(page, session)
    # The service worker controls the page once it is active (it claims its clients).
    # (Awaited in one evaluation: wait_for_function's polling evaluates strings, which
    # the pages' content security policy refuses.)
    assert page.evaluate(
        """() => navigator.serviceWorker.ready.then(() => navigator.serviceWorker.controller
            || new Promise((resolve) => navigator.serviceWorker.addEventListener(
                "controllerchange", resolve))).then(() => true)"""
    )
    context = page.context
    for gender in ("femme", "homme", "femme", "trans", "?"):
        page.get_by_role("button", name=f"Anonyme {gender}", exact=True).tap()
    plus(row(page, 0), "Préservatif masculin").tap()
    expect(rows(page)).to_have_count(5)

    context.set_offline(True)
    page.get_by_role("button", name="Enregistrer", exact=True).tap()
    status = page.locator("#sheet-status")
    expect(status).to_have_text("En attente de réseau — 5 contact(s) gardés sur ce téléphone")
    assert Contact.objects.count() == 0
    # Reloaded without network: the service worker gives the shell, the sheet is restored.
    page.reload()
    expect(page.get_by_text("Hors ligne : feuille gardée sur ce téléphone.")).to_be_visible()
    expect(rows(page)).to_have_count(5)
    expect(status).to_have_text("En attente de réseau — 5 contact(s) gardés sur ce téléphone")
    assert quantity(row(page, 0), "Préservatif masculin").input_value() == "1"

    context.set_offline(False)  # the "online" event sends what waits
    expect(page.locator('#sheet-list [data-status="saved"]')).to_have_count(5)
    for _ in range(3):
        page.get_by_role("button", name="Enregistrer", exact=True).tap()
        page.evaluate("window.dispatchEvent(new Event('online'))")
    # A phone that never heard the answer sends the same rows again: "already", once.
    page.evaluate(
        """(prefix) => Object.keys(localStorage).filter((k) => k.startsWith(prefix))
            .forEach((k) => {
                const sheet = JSON.parse(localStorage.getItem(k));
                sheet.rows.forEach((row) => { row.status = "new"; row.queued = true; });
                localStorage.setItem(k, JSON.stringify(sheet));
            })""",
        SHEET_KEY,
    )
    with page.expect_response(re.compile(r"/feuille/envoi/$")) as sent:
        page.reload()
    assert [r["status"] for r in sent.value.json()["results"]] == ["already"] * 5
    expect(page.locator('#sheet-list [data-status="saved"]')).to_have_count(5)
    contacts = Contact.objects.filter(session=session)
    assert contacts.count() == 5
    assert len(set(contacts.values_list("device_id", flat=True))) == 5
    (sheet,) = stored_sheets(page).values()
    assert {str(d) for d in contacts.values_list("device_id", flat=True)} == {
        r["device_id"] for r in sheet["rows"]
    }
    assert ContactMaterial.objects.get(contact__session=session).quantity == 1


def _second_factor(page, device) -> None:
    """The second step of the login: the code of the educator's authenticator app.

    The code of the step the server expects now (its clock as corrected by the device's
    drift, learnt at the last login) and never one already used: a code is never
    accepted twice, and a login across a step's boundary shifts the device's drift.
    """
    device.refresh_from_db()
    now = int(time.time()) // device.step
    expected = max(now + device.drift, device.last_t + 1)
    code = totp(device.bin_key, step=device.step, drift=expected - now)
    page.locator("input[name=token]").fill(f"{code:06d}")
    with page.expect_navigation():
        page.get_by_role("button", name="Valider").click()


def test_a_session_expired_mid_sheet_keeps_the_sheet_until_logged_in_again(
    new_page, make_user, settings
):
    settings.OTP_REQUIRED = True
    educator = make_user("educator", username="educ")
    device = AuthenticatorDevice.objects.create(user=educator, name="phone", confirmed=True)
    session = night_round(educator)
    page = log_in(new_page(phone=True), educator)
    _second_factor(page, device)
    open_sheet(page, session)
    page.get_by_role("button", name="Anonyme femme", exact=True).tap()
    page.get_by_role("button", name="Anonyme homme", exact=True).tap()
    quantity(row(page, 1), "Pipe à crack").fill("3")
    row(page, 1).get_by_label("Heure 2").fill("23:40")
    # The login ends on the server while the educator types.
    DjangoSession.objects.all().delete()
    page.get_by_role("button", name="Enregistrer", exact=True).tap()
    status = page.locator("#sheet-status")
    expect(status).to_contain_text(
        "Votre session a expiré : reconnectez-vous, la feuille reste sur ce téléphone."
    )
    assert Contact.objects.count() == 0

    status.get_by_role("link", name="Se reconnecter").tap()
    page.locator("input[name=username]").fill(educator.username)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    # The second factor again (never the code used at the first login).
    _second_factor(page, device)
    assert path_of(page) == f"/terrain/sessions/{session.pk}/feuille/"
    # The sheet as it was; the rows the educator had asked to save go at once.
    expect(rows(page)).to_have_count(2)
    expect(page.locator('#sheet-list [data-status="saved"]')).to_have_count(2)
    expect(row(page, 1)).to_contain_text("23:40")
    expect(row(page, 1)).to_contain_text("3 pipes à crack")
    page.get_by_role("button", name="Enregistrer", exact=True).tap()
    expect(status).to_contain_text("2 enregistré(s), 0 à enregistrer")
    contacts = Contact.objects.filter(session=session)
    assert contacts.count() == 2
    man = contacts.get(anonymous_gender="male")
    assert timezone.localtime(man.occurred_at).strftime("%H:%M") == "23:40"
    assert man.material_lines.get().quantity == 3


def test_logout_clears_the_sheet_from_the_phone(new_page, make_user):
    educator = make_user("educator", username="educ")
    session = night_round(educator)
    page = log_in(new_page(phone=True), educator)
    open_sheet(page, session)
    # The round's services to no one in particular are one link away.
    services = page.get_by_role("link", name=re.compile("^Prestations sans personne"))
    expect(services).to_have_attribute("href", f"/terrain/sessions/{session.pk}/prestations/")
    page.get_by_role("button", name="Anonyme femme", exact=True).tap()
    # A long press on + counts on by itself (a box of 50 condoms without 50 taps).
    plus(row(page, 0), "Préservatif masculin").hover()
    page.mouse.down()
    page.wait_for_timeout(1200)
    page.mouse.up()
    held = int(quantity(row(page, 0), "Préservatif masculin").input_value())
    assert held >= 4
    (sheet,) = stored_sheets(page).values()
    assert sheet["rows"][0]["material"] == {"male_condom": held}
    assert list(stored_sheets(page)) == [f"{SHEET_KEY}{educator.pk}.{session.pk}"]
    # Another user's sheet left on the phone, and a sheet older than a login may last,
    # are dropped when a sheet opens.
    started = 1_000 * int(timezone.now().timestamp())
    page.evaluate(
        """([prefix, other, mine, started]) => {
            localStorage.setItem(prefix + other + ".1", JSON.stringify(
                {owner: other, session: 1, started: started, rows: []}));
            localStorage.setItem(prefix + mine + ".999", JSON.stringify(
                {owner: mine, session: 999, started: started - 13 * 3600 * 1000, rows: []}));
        }""",
        [SHEET_KEY, educator.pk + 1, educator.pk, started],
    )
    assert len(stored_sheets(page)) == 3
    open_sheet(page, session)
    assert list(stored_sheets(page)) == [f"{SHEET_KEY}{educator.pk}.{session.pk}"]
    expect(rows(page)).to_have_count(1)
    page.get_by_role("button", name="Menu").tap()
    page.get_by_role("button", name=educator.get_short_name() or educator.username).tap()
    page.get_by_role("button", name="Se déconnecter").tap()
    page.wait_for_url(re.compile(r"/compte/"))
    assert stored_sheets(page) == {}


def test_a_nickname_matching_several_or_nobody_is_settled_on_its_row(new_page, make_user):
    educator = make_user("educator", username="educ")
    session = night_round(educator)
    first = PersonFactory(nickname="Aïcha")
    PersonFactory(nickname="Aicha")
    page = log_in(new_page(phone=True), educator)
    open_sheet(page, session)
    # A CSRF refusal (the token changed since the page opened): the page reads the
    # cookie again and sends once more, unseen by the educator.
    sends = []

    def refuse_first(route):
        sends.append(route.request.headers["x-csrftoken"])
        if len(sends) == 1:
            route.fulfill(status=403, json={"csrf": True})
        else:
            route.continue_()

    page.route(re.compile(r"/feuille/envoi/$"), refuse_first)
    person = page.get_by_label("Personne (code ou surnom)")
    for typed in ("aisha", "Zora"):
        person.fill(typed)
        person.press("Enter")
    page.get_by_role("button", name="Anonyme homme", exact=True).tap()
    page.get_by_role("button", name="Enregistrer", exact=True).tap()
    # The anonymous passage is saved; the two others wait on their rows, never refused.
    expect(row(page, 2)).to_have_attribute("data-status", "saved")
    expect(row(page, 0)).to_have_attribute("data-status", "choose")
    expect(row(page, 1)).to_have_attribute("data-status", "unknown")
    assert Contact.objects.filter(session=session).count() == 1
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    assert sends == [token, token]

    row(page, 0).get_by_role("button", name=re.compile(f"\\({first.code}\\)")).tap()
    expect(row(page, 0)).to_have_attribute("data-status", "saved")
    zora = row(page, 1)
    zora.get_by_label("Genre estimé").select_option(label="Femme")
    zora.get_by_label("Année de naissance").fill("1998")
    zora.get_by_role("button", name="Créer la personne « Zora »").tap()
    expect(zora).to_have_attribute("data-status", "saved")
    contacts = Contact.objects.filter(session=session)
    assert contacts.count() == 3
    assert contacts.filter(person=first).count() == 1
    created = contacts.get(person__nickname="Zora").person
    assert (created.gender, created.birth_year) == ("female", 1998)
