"""Any input gives a form error or a valid record: never a server error, never half a record."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contacts.forms import PersonForm
from contacts.models import Contact, Person
from contacts.services import person_create
from reporting.records.engine import ImportRefused, import_records

pytestmark = pytest.mark.django_db

text = st.text(max_size=40)
cell = st.one_of(
    text,
    st.sampled_from(
        [
            "",
            "31/12/2023",
            "2023-02-30",
            "-1",
            "oui",
            "female",
            "Femme",
            "drop_in",
            "=1+1",
            "1e9",
            "99999999999",
            "12/13/2023 25:61",
            "crack_pipe=2;foil=x",
        ]
    ),
)
HYPOTHESIS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@HYPOTHESIS
@given(nickname=text, gender=cell, birth_year=cell, birth_date=cell, code=cell)
def test_person_form_gives_an_error_or_a_valid_person(
    educator, nickname, gender, birth_year, birth_date, code
):
    before = Person.all_objects.count()
    form = PersonForm(
        {
            "nickname": nickname,
            "gender": gender,
            "birth_year": birth_year,
            "birth_date": birth_date,
            "code": code,
            "referral_source": "unknown",
        }
    )
    if form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("confirm_new", None)
        person = person_create(data=data, by=educator)
        person.full_clean()
        assert Person.all_objects.count() == before + 1
    else:
        assert form.errors
        assert Person.all_objects.count() == before


@HYPOTHESIS
@given(values=st.lists(st.tuples(cell, cell, cell, cell), min_size=1, max_size=5))
def test_import_writes_everything_or_nothing(admin_user, values):
    before = (Person.all_objects.count(), Contact.objects.count())
    data = {
        "persons": [
            (i + 2, {"id": f"p{i}", "nickname": nick, "gender": gender, "birth_date": born})
            for i, (nick, gender, born, _x) in enumerate(values)
        ],
        "contacts": [
            (
                i + 2,
                {
                    "id": f"k{i}",
                    "occurred_at": born,
                    "channel": channel,
                    "person": f"p{i}",
                    "material": channel,
                },
            )
            for i, (_n, channel, born, _x) in enumerate(values)
        ],
    }
    try:
        summary = import_records(data, by=admin_user)
    except ImportRefused as refused:
        assert refused.problems
        assert (Person.all_objects.count(), Contact.objects.count()) == before
    else:
        assert summary["persons"]["created"] + summary["persons"]["updated"] + summary["persons"][
            "unchanged"
        ] == len(values)
