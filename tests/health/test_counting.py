"""An archived consultation is withdrawn with its acts: no act or screening figure
counts them."""

import datetime
import zoneinfo

import pytest

from casefile import archive
from health import figures
from health.models import ServiceLine
from tests.factories import ConsultationFactory

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def at(y, m, d, hour=15):
    return datetime.datetime(y, m, d, hour, tzinfo=PARIS)


def test_an_archived_consultation_acts_leave_the_act_figures(nurse, midwife):
    nurse_line = ServiceLine.objects.get(slug="nurse")
    midwife_line = ServiceLine.objects.get(slug="midwife")
    ConsultationFactory(
        line=nurse_line, author=nurse, at=at(2023, 2, 1), acts=[("trod_hiv", "negative")]
    )
    doubled = ConsultationFactory(
        line=nurse_line,
        author=nurse,
        at=at(2023, 3, 1),
        acts=[("trod_hiv", "negative"), ("trod_hcv", "negative")],
    )
    ConsultationFactory(
        line=midwife_line, author=midwife, at=at(2023, 4, 1), acts=[("cervical_smear", "pending")]
    )
    smear_by_mistake = ConsultationFactory(
        line=midwife_line, author=midwife, at=at(2023, 5, 1), acts=[("cervical_smear", "pending")]
    )
    values = figures.figures(2023)
    assert values["health.nurse.screenings"] == 3
    assert values["health.midwife.smears"] == 2

    kind = archive.kinds()["consultation"]
    archive.archive(kind, doubled, by=nurse, reason="Saisie en double")
    archive.archive(kind, smear_by_mistake, by=midwife, reason="Mauvaise personne")

    values = figures.figures(2023)
    assert values["health.nurse.screenings"] == 1
    assert values["health.midwife.smears"] == 1
    assert values["health.nurse.consultations"] == 1
    (screenings,) = figures.records("health.nurse.screenings", 2023)
    assert screenings.count() == 1
