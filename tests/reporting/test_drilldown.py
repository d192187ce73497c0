"""The drill-down follows what each figure set declares: who may list its records, and
which of its keys are offered as a list."""

import dataclasses
import datetime

import pytest
from django.urls import reverse

from contacts import figures as contact_figures
from entractes.lib.figures import OPEN
from entractes.models import AccessLogEntry
from entractes.permissions import CAPABILITIES
from reporting import figures
from tests.factories import ContactFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def met_in_2023(educator):
    person = PersonFactory(nickname="Corina", uses_drugs=True)
    ContactFactory(
        person=person,
        author=educator,
        occurred_at=datetime.datetime(2023, 3, 3, 15, tzinfo=datetime.UTC),
    )
    return person


def drill(client, key: str):
    return client.get(reverse("reporting:drilldown"), {"key": key, "year": 2023})


def test_a_set_declaring_a_capability_is_refused_to_a_role_without_it(
    client, director, make_user, met_in_2023, monkeypatch
):
    client.force_login(director)
    assert drill(client, "attendance.people").status_code == 200

    declared = contact_figures.figure_sets

    def needing_clinical(period, scope=OPEN):
        return [
            dataclasses.replace(s, capability="health.read_clinical")
            for s in declared(period, scope)
        ]

    monkeypatch.setattr(contact_figures, "figure_sets", needing_clinical)
    assert not director.has_capability("health.read_clinical")
    assert drill(client, "attendance.people").status_code == 403
    assert AccessLogEntry.objects.filter(
        user=director,
        action=AccessLogEntry.Action.REFUSED,
        target_id="figure:attendance.people",
        detail="health.read_clinical",
    ).exists()

    client.force_login(make_user("director", "nurse", username="director-nurse"))
    response = drill(client, "attendance.people")
    assert response.status_code == 200
    assert "Corina" in response.content.decode()


def test_the_declared_capabilities_are_those_that_read_the_records(met_in_2023):
    expected = {"health.": "health.read_clinical", "minors.": "minors.read_file"}
    for figure_set in figures.figure_sets(2023):
        assert figure_set.capability is None or figure_set.capability in CAPABILITIES
        for figure in figure_set.figures:
            wanted = next((c for p, c in expected.items() if figure.key.startswith(p)), None)
            assert figure_set.capability == wanted, figure.key


def test_only_declared_keys_are_offered_as_lists(client, director, met_in_2023):
    client.force_login(director)
    response = client.get(reverse("reporting:figures"), {"year": 2023})
    rows = {row.key: row for _s, _t, rs in response.context["sections"] for row in rs}
    assert rows["attendance.people"].listable
    # Declared, but not offered: a sum of days; a share read from another figure.
    assert not rows["training.days"].listable
    assert not rows["caarud.share_of_people"].listable
    # Computed outside any set.
    assert not rows["training.satisfaction"].listable
    # Not offered, still reachable: the share lists the persons behind it.
    listed = drill(client, "caarud.share_of_people").context["lists"]
    assert listed == drill(client, "caarud.people").context["lists"]
    assert [cells[1] for list_ in listed for cells, _page in list_.rows] == ["Corina"]
    assert drill(client, "training.satisfaction").status_code == 404


def test_the_figures_page_links_only_what_the_reader_may_list(client, director, make_user):
    """No dead end: a director without the clinical capability is not offered a link to
    a health figure's records, a director who is also a nurse is."""
    health_link = f"{reverse('reporting:drilldown')}?key=health.nurse.sessions&amp;year=2023"
    contacts_link = f"{reverse('reporting:drilldown')}?key=attendance.people&amp;year=2023"
    client.force_login(director)
    page = client.get(reverse("reporting:figures"), {"year": 2023}).content.decode()
    assert contacts_link in page
    assert health_link not in page
    assert "health.nurse.sessions" in page  # the figure itself is shown
    client.force_login(make_user("director", "nurse"))
    page = client.get(reverse("reporting:figures"), {"year": 2023}).content.decode()
    assert health_link in page
