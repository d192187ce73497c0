"""A drill-down list links each row to its record where the reader may open it, and is
exported as CSV by who may list it, the export written to the access log."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from contacts.models import Person
from entractes.models import AccessLogEntry
from reporting import drilldown as drill
from reporting import figures
from tests.factories import ConsultationFactory, ContactFactory, PersonFactory

pytestmark = pytest.mark.django_db

IN_2023 = datetime.datetime(2023, 3, 3, 15, tzinfo=datetime.UTC)


@pytest.fixture
def met(educator):
    corina = PersonFactory(nickname="Corina")
    bruno = PersonFactory(nickname="=Bruno")  # a spreadsheet would run it as a formula
    for person in (corina, bruno, None):
        ContactFactory(person=person, author=educator, occurred_at=IN_2023)
    return corina, bruno


def export(client, key: str, year: int = 2023):
    return client.get(reverse("reporting:drilldown-export"), {"key": key, "year": year})


def test_the_director_exports_the_list_as_csv_and_it_is_logged(client, director, met):
    corina, bruno = met
    client.force_login(director)
    before = AccessLogEntry.objects.count()
    response = export(client, "attendance.people")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "detail-attendance.people-2023.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Liste", "Colonne 1", "Colonne 2"]
    assert sorted(rows[1:]) == sorted(
        [["personnes", corina.code, "Corina"], ["personnes", bruno.code, "'=Bruno"]]
    )
    new = list(AccessLogEntry.objects.order_by("pk")[before:])
    assert [(e.user, e.action, e.target_id, e.detail) for e in new] == [
        (director, AccessLogEntry.Action.EXPORT, "figure:attendance.people", "2023")
    ]


def test_the_export_holds_the_same_records_as_the_page(client, director, met):
    client.force_login(director)
    page = client.get(reverse("reporting:drilldown"), {"key": "attendance.contacts", "year": 2023})
    shown = [cells for list_ in page.context["lists"] for cells, _page in list_.rows]
    rows = list(csv.reader(io.StringIO(export(client, "attendance.contacts").content.decode())))
    assert len(rows) - 1 == len(shown) == 3
    assert sorted(row[3] for row in rows[1:]) == sorted(str(cells[2]) for cells in shown)


def test_the_export_is_refused_to_who_may_not_list_it(client, educator, director, met):
    client.force_login(educator)  # reads the figures, not the records behind them
    before = AccessLogEntry.objects.filter(action=AccessLogEntry.Action.EXPORT).count()
    response = export(client, "attendance.people")
    assert response.status_code == 403
    assert "Vous n'avez pas accès" in response.content.decode()
    assert AccessLogEntry.objects.filter(
        user=educator, action=AccessLogEntry.Action.REFUSED, detail="reporting.drilldown"
    ).exists()
    # The director lists contacts' records, not the health unit's.
    ConsultationFactory(person=met[0], at=IN_2023)
    client.force_login(director)
    response = export(client, "health.nurse.consultations")
    assert response.status_code == 403
    assert AccessLogEntry.objects.filter(
        user=director,
        action=AccessLogEntry.Action.REFUSED,
        target_id="figure:health.nurse.consultations",
        detail="health.read_clinical",
    ).exists()
    assert AccessLogEntry.objects.filter(action=AccessLogEntry.Action.EXPORT).count() == before


def test_the_rows_link_to_the_records_the_reader_may_open(client, director, met):
    corina, bruno = met
    client.force_login(director)
    page = client.get(reverse("reporting:drilldown"), {"key": "attendance.contacts", "year": 2023})
    body = page.content.decode()
    export_link = f"{reverse('reporting:drilldown-export')}?key=attendance.contacts&amp;year=2023"
    assert export_link in body
    pages = [p for list_ in page.context["lists"] for _cells, p in list_.rows]
    # Contacts link to their person's page; the anonymous contact links nowhere.
    assert sorted(p for p in pages if p) == sorted(
        reverse("contacts:person-detail", kwargs={"code": person.code})
        for person in (corina, bruno)
    )
    assert pages.count(None) == 1
    for person in (corina, bruno):  # on the person's code
        link = reverse("contacts:person-detail", kwargs={"code": person.code})
        assert f'<a href="{link}">{person.code}</a>' in body
    for link in filter(None, pages):
        assert client.get(link).status_code == 200


def test_no_link_where_the_reader_may_not_open_the_record(admin_user, director, met):
    """The rule itself: an administrator (who reads no person) gets rows without links,
    an archived person's page is not offered to anybody."""
    listed = [
        (person, [person.code]) for person in Person.objects.filter(pk__in=[m.pk for m in met])
    ]
    assert all(page is None for _cells, page in drill.linked(listed, admin_user))
    assert all(page for _cells, page in drill.linked(listed, director))
    Person.objects.filter(pk=met[0].pk).update(archived_at=IN_2023)
    pages = {cells[0]: page for cells, page in drill.linked(listed, director)}
    assert pages[met[0].code] is None and pages[met[1].code]


def test_health_rows_link_to_the_consultation_for_health_staff(client, make_user, met):
    consultation = ConsultationFactory(person=met[0], at=IN_2023)
    client.force_login(make_user("director", "nurse"))
    page = client.get(
        reverse("reporting:drilldown"), {"key": "health.nurse.consultations", "year": 2023}
    )
    link = reverse("health:consultation-detail", kwargs={"pk": consultation.pk})
    assert f'href="{link}"' in page.content.decode()
    assert client.get(link).status_code == 200
    assert "health.nurse.consultations" in figures.listable_keys(2023)


def test_a_long_list_is_paged_and_says_the_file_holds_all(client, director, met, monkeypatch):
    monkeypatch.setattr(drill, "PAGE_LIMIT", 2)
    client.force_login(director)
    url = reverse("reporting:drilldown")
    page = client.get(url, {"key": "attendance.contacts", "year": 2023})
    (contacts,) = page.context["lists"]
    assert (len(contacts.rows), contacts.total, contacts.cut, contacts.pages) == (2, 3, True, 2)
    body = page.content.decode()
    assert "1 à 2 sur 3." in body
    assert "Page 1 sur 2" in body
    assert "Le fichier CSV contient toute la liste." in body
    assert "page=2" in body
    second = client.get(url, {"key": "attendance.contacts", "year": 2023, "page": 2})
    (rest,) = second.context["lists"]
    assert (len(rest.rows), rest.page) == (1, 2)
    assert "3 à 3 sur 3." in second.content.decode()
    # Each contact once over the two pages.
    assert len({tuple(map(str, cells)) for cells, _page in contacts.rows + rest.rows}) == 3
    # A page past the end shows the last one; a page that is not a number, the first.
    assert (
        client.get(url, {"key": "attendance.contacts", "year": 2023, "page": 9})
        .context["lists"][0]
        .page
        == 2
    )
    assert (
        client.get(url, {"key": "attendance.contacts", "year": 2023, "page": "x"})
        .context["lists"][0]
        .page
        == 1
    )
    rows = list(csv.reader(io.StringIO(export(client, "attendance.contacts").content.decode())))
    assert len(rows) == 1 + 3


def test_a_page_is_linked_only_to_who_holds_its_capability(director, nurse):
    """For pages that name records without knowing the reader (the checks)."""
    consultation = reverse("health:consultation-detail", args=[1])
    assert not drill.may_open(director, consultation)
    assert drill.may_open(nurse, consultation)
    assert drill.may_open(director, reverse("contacts:person-detail", args=["ABC-DEF"]))
    assert drill.may_open(director, reverse("home"))
    assert not drill.may_open(director, "/nulle-part/")
