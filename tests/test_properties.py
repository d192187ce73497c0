"""Any input gives a form error or a valid record: never a server error, never half a record."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contacts.forms import PersonForm
from contacts.models import Contact, ContactMaterial, Person
from contacts.services import person_create
from exchange.engine import ImportRefused, import_records
from tests import tally

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
# A page post renders the whole form again (a round sheet: every row's widgets), a hundred
# times the cost of a form checked alone: fewer examples, over the same strategies.
PAGE_POSTS = settings(HYPOTHESIS, max_examples=30)


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


# Through the pages: the test client re-raises any server error, so an exception here is
# a 500 the user would have seen.
row_value = st.one_of(
    cell,
    st.sampled_from(["", "0", "3", "-2", "100000", "x", " ", "22:30", "adult", "CONNUE"]),
)


def _sheet(rows):
    data = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"form-{index}-{key}"] = value
    return data


@PAGE_POSTS
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {
                "person": row_value,
                "anonymous_gender": row_value,
                "anonymous_age_category": row_value,
                "channel": row_value,
                "time": row_value,
                "qty_male_condom": row_value,
                "qty_crack_pipe": row_value,
                "note": text,
            }
        ),
        min_size=1,
        max_size=4,
    )
)
def test_round_sheet_saves_every_row_or_none(client, educator, rows):
    from django.urls import reverse

    from contacts.models import Channel
    from tests.factories import PersonFactory, SessionFactory

    PersonFactory(nickname="Connue")
    session = SessionFactory(created_by=educator)
    # Some rows get a real channel so that valid sheets happen too.
    mobile = str(Channel.objects.get(slug="mobile_unit").pk)
    for index, row in enumerate(rows):
        if index % 2 == 0:
            row["channel"] = mobile
    client.force_login(educator)
    before = (Contact.objects.count(), ContactMaterial.objects.count())
    response = client.post(reverse("contacts:round-sheet", args=[session.pk]), _sheet(rows))
    assert response.status_code in (200, 302)
    after = (Contact.objects.count(), ContactMaterial.objects.count())
    if response.status_code == 302:
        assert after[0] == before[0] + len(rows)
    else:
        assert after == before


@PAGE_POSTS
@given(date=cell, time=cell, modality=cell, act=cell, result=cell, note=text, person=cell)
def test_consultation_page_gives_an_error_or_a_whole_consultation(
    client, nurse, date, time, modality, act, result, note, person
):
    from django.urls import reverse

    from health.models import Consultation, ConsultationAct, ServiceLine

    client.force_login(nurse)
    before = (Consultation.objects.count(), ConsultationAct.objects.count())
    response = client.post(
        reverse("health:consultation-create"),
        {
            "person": person,
            "line": ServiceLine.objects.get(slug="nurse").pk,
            "date": date,
            "time": time,
            "modality": modality,
            "clinical_note": note,
            "acts-TOTAL_FORMS": "1",
            "acts-INITIAL_FORMS": "0",
            "acts-MIN_NUM_FORMS": "0",
            "acts-MAX_NUM_FORMS": "1000",
            "acts-0-act": act,
            "acts-0-result": result,
        },
    )
    assert response.status_code in (200, 302)
    after = (Consultation.objects.count(), ConsultationAct.objects.count())
    if response.status_code == 200:
        assert after == before


@PAGE_POSTS
@given(request_text=text, opened_on=cell, due=cell, body=text, person=cell)
def test_procedure_page_gives_an_error_or_a_procedure(
    client, educator, request_text, opened_on, due, body, person
):
    from django.urls import reverse

    from rights.models import Procedure, ProcedureTheme

    client.force_login(educator)
    before = Procedure.objects.count()
    response = client.post(
        reverse("rights:procedure-create"),
        {
            "person": person,
            "theme": ProcedureTheme.objects.first().pk,
            "request": request_text,
            "body": body,
            "worker": educator.pk,
            "opened_on": opened_on,
            "next_action_due": due,
        },
    )
    assert response.status_code in (200, 302)
    assert Procedure.objects.count() == before + (1 if response.status_code == 302 else 0)


def _pages_without_arguments():
    """Every URL of the project that needs no argument: the list and search pages."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix="", namespace=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern) and not entry.pattern.converters:
                path = "/" + prefix + str(entry.pattern)
                if "<" not in path and "(" not in path and "^" not in path:
                    yield path

    return sorted(set(walk(get_resolver().url_patterns)) - {"/compte/deconnexion/"})


PAGES = _pages_without_arguments()
# The query parameters the views read (request.GET.get(...)), and some they do not.
PARAMETERS = [
    "kind",
    "days",
    "team",
    "theme",
    "status",
    "worker",
    "session",
    "person",
    "channel",
    "q",
    "page",
    "year",
    "key",
    "show",
    "user",
    "action",
    "start",
    "end",
    "gender",
    "category",
    "activity",
    "line",
    "fmt",
    "next",
]
param_value = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["\x00", "abc", "99999999999", "-1", "0", "1", "1e9", "2**70", "é🙂", ""]),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
)


@pytest.fixture
def every_role_user(make_user):
    """One account with every role, for all the examples of a test."""
    from entractes.permissions import ROLES

    return make_user(*ROLES)


def test_every_page_without_arguments_is_tried():
    # Picks up new pages; fails if the walk of the URL conf found nothing.
    assert "/terrain/sessions/" in PAGES and "/droits/demarches/" in PAGES


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    page=st.sampled_from(PAGES),
    params=st.dictionaries(
        st.one_of(st.sampled_from(PARAMETERS), st.text(min_size=1, max_size=8)),
        param_value,
        max_size=4,
    ),
)
def test_no_query_string_gives_a_server_error(client, every_role_user, page, params):
    client.force_login(every_role_user)
    response = client.get(page, params)
    tally.add("malformed_inputs")
    tally.add("malformed_500s", int(response.status_code >= 500))
    assert response.status_code < 500, (page, params)


@pytest.mark.parametrize(
    "url",
    [
        "/personnes/suggestions/?q=%00",
        "/personnes/%00/",
        "/personnes/?q=%00",
        "/terrain/sessions/?days=abc",
        "/terrain/sessions/?days=99999999999",
        "/droits/demarches/?team=1&worker=abc",
        "/droits/demarches/?team=1&worker=99999999999",
        "/sante/consultations/nouvelle/?session=abc",
        "/sante/consultations/nouvelle/?session=99999999999",
    ],
)
def test_malformed_parameters_are_refused_cleanly(client, make_user, url):
    from entractes.permissions import ROLES

    client.force_login(make_user(*ROLES))
    response = client.get(url)
    tally.add("malformed_inputs")
    tally.add("malformed_500s", int(response.status_code >= 500))
    assert response.status_code in (200, 400, 404), response.status_code
    if "%00" in url:
        assert response.status_code == 400
        assert "octet nul" in response.content.decode()


def test_a_nul_byte_in_a_posted_search_finds_nothing_without_error(client, educator):
    client.force_login(educator)
    response = client.post("/personnes/suggestions/", {"q": "ab\x00"})
    assert response.status_code == 200
