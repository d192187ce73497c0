import datetime

import pytest

from rights import figures, services
from rights.models import ProcedureTheme, PSPDocumentKind
from tests.factories import (
    LegalIdentityFactory,
    PersonFactory,
    ProcedureFactory,
    PSPFileFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def procedure(person, theme, opened, by, status="in_progress", status_on=None):
    return ProcedureFactory(
        person=person,
        theme=ProcedureTheme.objects.get(slug=theme),
        worker=by,
        opened_on=opened,
        status=status,
        status_on=status_on or opened,
    )


def psp(person, by, filed, decision, decided, review=None, kind="first_request"):
    LegalIdentityFactory(person=person)
    f = PSPFileFactory(person=person, kind=kind, worker=by, documents=PSPDocumentKind.objects.all())
    services.psp_file_transition(psp_file=f, to="filed", data={"filed_on": filed}, by=by)
    services.psp_file_transition(
        psp_file=f,
        to="decided",
        data={"decision": decision, "decision_on": decided, "decision_reason": "m"},
        by=by,
    )
    if review:
        services.psp_file_transition(psp_file=f, to="review", data={}, by=by)
        services.psp_file_transition(
            psp_file=f,
            to="decided",
            data={"review_outcome": review, "review_on": decided + datetime.timedelta(days=7)},
            by=by,
        )
    return f


def test_section_3_on_hand_built_records(educator, django_assert_max_num_queries):
    person = PersonFactory()
    procedure(person, "social_benefits", D(2023, 1, 5), educator)
    procedure(person, "social_benefits", D(2022, 11, 5), educator, "completed", D(2023, 2, 1))
    procedure(person, "social_benefits", D(2023, 3, 5), educator, "completed", D(2023, 4, 1))
    procedure(person, "housing", D(2023, 6, 5), educator, "abandoned", D(2023, 7, 1))
    procedure(person, "housing", D(2023, 12, 5), educator, "completed", D(2024, 1, 10))
    others = [PersonFactory() for _ in range(5)]
    psp(others[0], educator, D(2023, 3, 1), "favourable", D(2023, 4, 1))
    psp(
        others[1], educator, D(2023, 5, 2), "unfavourable", D(2023, 6, 15), review="favourable"
    )  # Madame O
    psp(
        others[2], educator, D(2023, 12, 10), "favourable", D(2024, 1, 20)
    )  # filed in Dec, decided in Jan
    psp(others[3], educator, D(2023, 6, 1), "unfavourable", D(2023, 7, 1))
    psp(others[4], educator, D(2023, 6, 1), "favourable", D(2023, 7, 1), kind="first_renewal")
    psp(PersonFactory(), educator, D(2022, 6, 1), "favourable", D(2022, 7, 1))
    with django_assert_max_num_queries(6):
        values = figures.figures(2023)
    expected = {
        "rights.procedures.social_benefits.opened": 2,
        "rights.procedures.social_benefits.completed": 2,
        "rights.procedures.housing.opened": 2,
        "rights.procedures.housing.completed": 0,
        "rights.procedures.banking.opened": 0,
        "rights.psp.first_requests": 4,
        "rights.psp.renewals": 1,
        "rights.psp.favourable": 4,
    }
    assert {k: values[k] for k in expected} == expected
    for theme in ProcedureTheme.objects.values_list("slug", flat=True):
        assert f"rights.procedures.{theme}.opened" in values
        assert f"rights.procedures.{theme}.completed" in values
    (listed,) = figures.records("rights.psp.favourable", 2023)
    assert listed.count() == 4
