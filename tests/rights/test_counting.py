"""An archived procedure is withdrawn with its steps: no procedure figure counts it."""

import datetime

import pytest

from casefile import archive
from rights import figures
from rights.models import ProcedureTheme
from tests.factories import ProcedureFactory, ProcedureStepFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def test_an_archived_procedure_leaves_the_procedure_figures(educator):
    theme = ProcedureTheme.objects.order_by("position").first()
    kept = ProcedureFactory(
        theme=theme,
        worker=educator,
        opened_on=D(2023, 2, 1),
        status="completed",
        status_on=D(2023, 6, 1),
    )
    mistake = ProcedureFactory(
        theme=theme,
        worker=educator,
        opened_on=D(2023, 3, 1),
        status="completed",
        status_on=D(2023, 7, 1),
    )
    for procedure in (kept, mistake):
        ProcedureStepFactory(procedure=procedure, date=D(2023, 4, 1))
    opened, completed = (
        f"rights.procedures.{theme.slug}.opened",
        f"rights.procedures.{theme.slug}.completed",
    )
    assert (figures.figures(2023)[opened], figures.figures(2023)[completed]) == (2, 2)

    archive.archive(archive.kinds()["procedure"], mistake, by=educator, reason="Doublon")

    values = figures.figures(2023)
    assert (values[opened], values[completed]) == (1, 1)
    assert [p.pk for p in figures.records(opened, 2023)[0]] == [kept.pk]
