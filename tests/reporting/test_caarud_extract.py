"""The national CAARUD extract: each line the sum of the year's figure keys, the modes of
intervention counted by channel kind, every code documented."""

import csv
import datetime
import io
import re
import zoneinfo
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from contacts.models import Channel
from entractes.models import AccessLogEntry
from reporting.figures import all_figures
from reporting.national import FIXED, SECTIONS, extract
from tests.factories import ContactFactory, PersonFactory

pytestmark = pytest.mark.django_db

YEAR = 2025
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def _contact(person, channel, *, day, caarud=True, material=None):
    return ContactFactory(
        person=person,
        channel=Channel.objects.get(slug=channel),
        occurred_at=datetime.datetime.combine(day, datetime.time(15), tzinfo=PARIS),
        caarud=caarud,
        material=material or {},
    )


@pytest.fixture
def year_of_records():
    spring = datetime.date(YEAR, 4, 10)
    lea = PersonFactory(nickname="Léa", gender="female", uses_drugs=True, birth_year=1990)
    sam = PersonFactory(nickname="Sam", gender="trans_woman", uses_drugs=True, birth_year=1985)
    other = PersonFactory(nickname="Nour", gender="female", uses_drugs=False, birth_year=1995)
    _contact(lea, "mobile_unit", day=spring, material={"male_condom": 20, "crack_pipe": 2})
    _contact(lea, "street", day=spring + datetime.timedelta(days=3))
    _contact(sam, "drop_in", day=spring, material={"crack_pipe": 1})
    _contact(sam, "instagram", day=spring + datetime.timedelta(days=9))
    _contact(other, "drop_in", day=spring, caarud=False, material={"male_condom": 5})
    # Another year's contact counts in none of this year's lines.
    _contact(lea, "mobile_unit", day=datetime.date(YEAR - 1, 6, 1))


def _rows(year=YEAR):
    return {code: value for _section, code, _label, value, _keys in extract(year)}


def test_each_line_is_the_sum_of_its_figures_and_the_modes_are_by_channel(year_of_records):
    rows = _rows()
    assert (rows["personnes"], rows["femmes"], rows["hommes"]) == (2, 1, 0)
    assert rows["personnes_trans_non_binaires"] == 1
    assert (rows["contacts"], rows["contacts_toute_activite"]) == (4, 5)
    assert (rows["aller_vers"], rows["locaux"], rows["en_ligne"]) == (2, 1, 1)
    assert rows["telephone"] == 0 and rows["envoi_postal"] == 0
    # The material handed out: every contact of the year, CAARUD or not.
    assert (rows["materiel_male_condom"], rows["materiel_crack_pipe"]) == (25, 3)
    values = all_figures(YEAR)
    for _section, code, _label, value, keys in extract(YEAR):
        listed = [key for key in keys.split("+") if key and not key.startswith("national.")]
        assert value >= sum(int(values[key] or 0) for key in listed), code
        if listed and len(listed) == len(keys.split("+")):
            assert value == sum(int(values[key] or 0) for key in listed), code


def test_the_lines_follow_the_national_report_and_cover_every_material(year_of_records):
    found = list(extract(YEAR))
    sections = [section for section, *_rest in found]
    order = list(SECTIONS.values())
    assert sections == sorted(sections, key=order.index)
    codes = [code for _section, code, *_rest in found]
    assert len(codes) == len(set(codes))
    values = all_figures(YEAR)
    materials = {
        key.removeprefix("rdr.material.") for key in values if key.startswith("rdr.material.")
    }
    assert {f"materiel_{slug}" for slug in materials} <= set(codes)
    assert "demarches_acces_droits" in codes


def test_the_csv_is_downloaded_by_the_figures_readers_and_logged(client, director, year_of_records):
    client.force_login(director)
    response = client.get(reverse("exchange:caarud-extract", args=[YEAR]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="extrait-caarud-{YEAR}.csv"'
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert table[0] == ["section", "code", "libelle", str(YEAR), "cles"]
    by_code = {row[1]: row for row in table[1:]}
    assert by_code["personnes"][3] == "2" and by_code["personnes"][4] == "caarud.people"
    assert (
        by_code["materiel_male_condom"][2] == "Préservatif masculin"
        or by_code["materiel_male_condom"][2]
    )
    assert AccessLogEntry.objects.filter(
        user=director, action="export", target_id=f"caarud-extract:{YEAR}"
    ).exists()
    assert client.get(f"/echanges/{YEAR + 50}/extrait-caarud.csv").status_code == 404


def test_every_fixed_line_is_documented():
    doc = (Path(settings.BASE_DIR) / "docs" / "caarud-extract.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| [^|]+ \| `([a-z_]+)` \|", doc, flags=re.MULTILINE))
    assert {line.code for line in FIXED} <= documented
