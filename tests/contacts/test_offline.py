"""The round sheet installable and usable offline: manifest, service worker, the page's
configuration and what logging out clears on the phone."""

import json
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from contacts.models import Material
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db


def test_manifest_names_the_sheet_and_starts_on_the_sessions(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] == "Entr'Actes — feuille de tournée"
    assert data["start_url"] == reverse("contacts:session-list")
    assert data["display"] == "standalone"
    for icon in data["icons"]:
        assert finders.find(icon["src"].removeprefix(settings.STATIC_URL.rstrip("/") + "/"))


def test_service_worker_keeps_static_files_only(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    script = response.content.decode()
    assets = json.loads(re.search(r"const ASSETS = (\[.*?\]);", script).group(1))
    assert "/static/js/round-sheet.js" in assets
    assert all(asset.startswith("/static/") for asset in assets)
    # The only page it answers is a bare shell, with no record in it.
    shell = json.loads(re.search(r"const SHELL = (\".*?\");\n", script).group(1))
    assert 'id="sheet-app"' in shell
    assert "csrf" not in shell.lower()


def test_the_sheet_gives_its_script_the_storage_key_and_the_login_span(client, educator):
    session = SessionFactory(kind="night_round")
    client.force_login(educator)
    response = client.get(reverse("contacts:round-sheet", args=[session.pk]))
    config = json.loads(
        re.search(
            r'<script id="sheet-config" type="application/json">(.*?)</script>',
            response.content.decode(),
        ).group(1)
    )
    assert config["storage_key"] == f"entractes.sheet.{educator.pk}.{session.pk}"
    assert config["user"] == educator.pk
    assert config["max_age"] == settings.SESSION_MAX_SECONDS
    assert config["send_url"] == reverse("contacts:round-sheet-send", args=[session.pk])
    assert config["login_url"].endswith(
        f"?next={reverse('contacts:round-sheet', args=[session.pk])}"
    )
    # The night round's usual materials on each row, every other one a tap away.
    usual = {m.slug for m in Material.objects.filter(active=True) if m.usual_on("night_round")}
    assert {m["slug"] for m in config["materials"]} == usual
    assert {"male_condom", "crack_pipe", "syringe"} <= usual
    others = {m["slug"] for m in config["other_materials"]}
    assert "naloxone" in others and not others & usual


def test_logout_clears_the_phone(client, educator):
    client.force_login(educator)
    response = client.post(reverse("logout"))
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert "_auth_user_id" not in client.session
