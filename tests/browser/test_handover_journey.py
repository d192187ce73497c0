"""The evening team hands over to the night: a handover note and an action written on a
phone in the evening, read by the night educator at the start of the round."""

import datetime
import zoneinfo

import pytest
from django.conf import settings
from django.utils import timezone

from contacts.models import Action, HandoverNote
from tests.browser.conftest import log_in, screenshot
from tests.factories import PersonFactory

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips the journeys, or fails them under CI
    expect = None

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_night_educator_reads_the_evenings_handover_and_action_on_a_phone(
    new_page, make_user, monkeypatch
):
    evening = make_user("educator", username="evening", first_name="Inès")
    night = make_user("educator", username="night", first_name="Malik", last_name="Benali")
    perle = PersonFactory(nickname="Perle")
    day = timezone.localdate()
    here = zoneinfo.ZoneInfo(settings.TIME_ZONE)

    def clock(hour, minute):
        moment = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=here)
        monkeypatch.setattr(timezone, "now", lambda: moment)

    clock(19, 30)
    page = log_in(new_page(phone=True), evening)
    page.get_by_role("link", name="Transmissions").first.tap()
    expect(page.get_by_role("radio", name="Soirée")).to_be_checked()
    page.get_by_label("Ce qui s'est passé").fill(
        "Tension gare Lille-Flandres : deux hommes en manque, matériel refusé."
    )
    page.get_by_label("À surveiller, à faire").fill("Perle cherche un hébergement pour la nuit.")
    page.get_by_role("button", name="Enregistrer").tap()
    expect(page.get_by_text("Transmission enregistrée.")).to_be_visible()

    page.goto(f"/personnes/{perle.code}/")
    page.get_by_role("link", name="Nouvelle action").tap()
    assert page.get_by_label("Personne (code)").input_value() == perle.code
    page.get_by_label("Action").fill("Appeler le 115 avec Perle")
    page.get_by_label("Urgent").check()
    page.get_by_label("Catégorie").select_option(label="Appel, message à passer")
    page.get_by_label("Confiée à").select_option(label="Malik Benali")
    page.get_by_role("button", name="Enregistrer").tap()
    expect(page.get_by_text("Action enregistrée.")).to_be_visible()
    expect(page.get_by_role("link", name="Appeler le 115 avec Perle")).to_be_visible()

    clock(21, 40)
    page = log_in(new_page(phone=True), night)
    page.get_by_role("link", name="Ma journée").first.tap()
    page.get_by_role("heading", name="Transmissions à lire").wait_for()
    evening_log = page.get_by_role("region", name=f"Soirée {day.day}", exact=False)
    expect(evening_log).to_contain_text("Tension gare Lille-Flandres")
    expect(evening_log).to_contain_text("Perle cherche un hébergement pour la nuit.")
    expect(evening_log).to_contain_text("Inès")
    item = page.locator(".agenda-items li", has_text="Appeler le 115 avec Perle")
    expect(item).to_contain_text("Urgent")
    expect(item).to_contain_text("Perle")
    screenshot(page, "handover-night-start")
    item.get_by_role("button", name="Faite").tap()
    expect(page.get_by_text("Rien n'est dû aujourd'hui.")).to_be_visible()

    note = HandoverNote.objects.get()
    assert (note.author, note.shift, note.date) == (evening, "evening", day)
    action = Action.objects.get()
    assert (action.person, action.assignee, action.urgent) == (perle, night, True)
    assert (action.status, action.done_by) == ("done", night)
