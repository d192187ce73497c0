"""The PSP page's commissions: the coming ones, or, when none is coming, the last ones."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from rights.models import PSPFile
from tests.factories import PSPFileFactory

pytestmark = pytest.mark.django_db

URL = reverse("rights:psp-list")
PAST_LABEL = "Aucune commission à venir. Les dernières commissions passées :"


def days_from_today(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def detail(psp_file):
    return f'href="{reverse("rights:psp-detail", args=[psp_file.pk])}"'


def block(page, element_id):
    """The list with that id on the page."""
    start = page.index(f'id="{element_id}"')
    return page[start : page.index("</div>", start)]


def test_coming_commissions_are_shown_without_the_past_ones(client, educator):
    coming = PSPFileFactory(
        worker=educator, state=PSPFile.State.FILED, commission_date=days_from_today(10)
    )
    today = PSPFileFactory(
        worker=educator, state=PSPFile.State.FILED, commission_date=days_from_today(0)
    )
    PSPFileFactory(
        worker=educator,
        state=PSPFile.State.CLOSED,
        commission_date=days_from_today(-30),
    )
    client.force_login(educator)
    response = client.get(URL)
    assert response.status_code == 200
    assert [f.pk for f in response.context["upcoming"]] == [today.pk, coming.pk]
    assert response.context["past"] == []
    page = response.content.decode()
    assert PAST_LABEL not in page
    assert block(page, "psp-upcoming").index(detail(today)) < block(page, "psp-upcoming").index(
        detail(coming)
    )


def test_without_a_coming_commission_the_last_past_ones_are_shown_labelled(client, educator):
    past = [
        PSPFileFactory(
            worker=educator,
            state=PSPFile.State.DECIDED,
            decision=PSPFile.Decision.FAVOURABLE,
            commission_date=days_from_today(-7 * n),
        )
        for n in range(1, 13)
    ]
    # Decided files with a date to come are not coming commissions.
    PSPFileFactory(worker=educator, state=PSPFile.State.DECIDED, commission_date=days_from_today(5))
    client.force_login(educator)
    response = client.get(URL)
    page = response.content.decode()
    assert response.context["upcoming"] == []
    assert [f.pk for f in response.context["past"]] == [f.pk for f in past[:10]]
    assert PAST_LABEL in page
    shown = block(page, "psp-past")
    assert shown.index(detail(past[0])) < shown.index(detail(past[9]))
    assert detail(past[10]) not in shown
    assert "Favorable" in shown
    assert 'id="psp-upcoming"' not in page
    assert "Aucune commission à venir." in page


def test_empty_database_says_no_commission_is_coming(client, educator):
    client.force_login(educator)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Aucune commission à venir." in block(page, "psp-upcoming")
    assert PAST_LABEL not in page


def test_a_path_already_ended_is_said_overdue(client, educator):
    PSPFileFactory(
        state=PSPFile.State.PATH,
        path_start=days_from_today(-200),
        path_end=days_from_today(-10),
    )
    PSPFileFactory(
        state=PSPFile.State.PATH,
        path_start=days_from_today(-150),
        path_end=days_from_today(20),
    )
    client.force_login(educator)
    page = client.get(URL).content.decode()
    assert page.count("renouvellement en retard") == 1
    assert page.count("renouvellement à préparer") == 1
