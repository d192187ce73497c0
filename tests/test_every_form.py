"""Every sub-form of every record page, posted valid and invalid by every role that may:
never a server error; a valid post creates the record, an invalid one names the field in
French and writes nothing."""

import datetime

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from contacts.models import PARTIES, years_before
from entractes.permissions import ROLE_CAPABILITIES
from health.models import ServiceLine
from minors.forms import SUBFORMS, TRAINING_FORMS
from minors.models import MinorFile
from rights.forms import StepForm
from rights.models import Procedure, ProcedureTheme, PSPFile
from tests import tally
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def roles_with(capability):
    return sorted(role for role, caps in ROLE_CAPABILITIES.items() if capability in caps)


def valid_data(form, overrides=None):
    """What a careful user would type in each field of a form."""
    data = {}
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        if not field.required and not isinstance(field, forms.ChoiceField):
            continue
        if isinstance(field, forms.ModelMultipleChoiceField):
            first = field.queryset.first()
            if first is not None:
                data[key] = [first.pk]
        elif isinstance(field, forms.ModelChoiceField):
            first = field.queryset.first()
            if first is not None and field.required:
                data[key] = first.pk
        elif isinstance(field, forms.ChoiceField):
            values = [v for v, _label in field.choices if v not in ("", None)]
            if values and field.required:
                data[key] = values[0]
        elif isinstance(field, forms.TimeField):
            data[key] = "10:00"
        elif isinstance(field, forms.DateField):
            data[key] = (timezone.localdate() - datetime.timedelta(days=10)).isoformat()
        elif isinstance(field, forms.IntegerField | forms.DecimalField):
            data[key] = field.min_value if field.min_value is not None else 1
        elif isinstance(field, forms.CharField):
            data[key] = "Saisie"
    for name, value in (overrides or {}).items():
        data[form.add_prefix(name)] = value
    return data


# A browser always sends the form's CSRF token, even with every field left empty.
EMPTY = {"csrfmiddlewaretoken": "x"}
# Per kind, what the generic values cannot guess (cross-field rules).
OVERRIDES = {"school": {"pupils": 10, "boys": 1, "girls": 1}}


@pytest.fixture
def minor_file(make_user):
    worker = make_user("minors_team")
    return MinorFile.objects.create(
        person=PersonFactory(birth_date=years_before(timezone.localdate(), 16)),
        worker=worker,
        created_by=worker,
        first_meeting_place="online",
        opened_on=timezone.localdate() - datetime.timedelta(days=100),
    )


def _file_add(minor_file, kind):
    form_class, _title = SUBFORMS[kind]
    return (
        reverse("minors:file-add", args=[minor_file.pk, kind]),
        form_class(prefix=kind),
        form_class._meta.model,
    )


def _training_add(_minor_file, kind):
    form_class, _title = TRAINING_FORMS[kind]
    return reverse("minors:training-add", args=[kind]), form_class(), form_class._meta.model


# Every record page with sub-forms: page -> (registry, capability, build).
PAGES = {
    "minors:file-add": (SUBFORMS, "minors.read_file", _file_add),
    "minors:training-add": (TRAINING_FORMS, "minors.read_file", _training_add),
}
CASES = [
    (page, kind, role)
    for page, (registry, capability, _build) in PAGES.items()
    for kind in registry
    for role in roles_with(capability)
]


def test_every_page_taking_a_kind_of_record_is_covered():
    from django.urls import get_resolver

    def names(resolver, ns=""):
        for entry in resolver.url_patterns:
            if hasattr(entry, "url_patterns"):
                yield from names(entry, f"{ns}{entry.namespace}:" if entry.namespace else ns)
            elif "<slug:kind>" in str(entry.pattern) and entry.name.endswith("-add"):
                yield ns + entry.name

    assert set(names(get_resolver())) == set(PAGES)


def _count_post(response):
    tally.add("form_posts")
    tally.add("form_500s", int(response.status_code >= 500))


@pytest.mark.parametrize(("page", "kind", "role"), CASES)
def test_a_valid_sub_form_creates_its_record(client, make_user, minor_file, page, kind, role):
    url, form, model = PAGES[page][2](minor_file, kind)
    client.force_login(make_user(role))
    before = model.objects.count()
    response = client.post(url, valid_data(form, OVERRIDES.get(kind)))
    _count_post(response)
    assert response.status_code == 302, response.context and response.context["form"].errors
    assert model.objects.count() == before + 1


@pytest.mark.parametrize(("page", "kind", "role"), CASES)
def test_an_empty_sub_form_names_the_field_and_writes_nothing(
    client, make_user, minor_file, page, kind, role
):
    url, form, model = PAGES[page][2](minor_file, kind)
    client.force_login(make_user(role))
    before = model.objects.count()
    response = client.post(url, EMPTY)
    _count_post(response)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors and all(name in form.fields for name in errors if name != "__all__")
    assert "Ce champ est obligatoire" in response.content.decode()
    assert model.objects.count() == before


@pytest.mark.parametrize(("page", "kind"), sorted({(p, k) for p, k, _r in CASES}))
def test_a_role_without_the_capability_is_refused(client, make_user, minor_file, page, kind):
    url, form, model = PAGES[page][2](minor_file, kind)
    client.force_login(make_user("educator"))
    assert client.post(url, valid_data(form, OVERRIDES.get(kind))).status_code == 403
    assert not model.objects.exists()


@pytest.mark.parametrize("role", roles_with("rights.use"))
def test_procedure_steps_are_added_or_refused_by_field(client, make_user, role):
    user = make_user(role)
    procedure = Procedure.objects.create(
        person=PersonFactory(),
        theme=ProcedureTheme.objects.first(),
        request="Demande",
        worker=user,
        created_by=user,
    )
    url = reverse("rights:procedure-detail", args=[procedure.pk])
    client.force_login(user)
    empty = client.post(url, EMPTY)
    assert empty.status_code == 200 and set(empty.context["step_form"].errors) == {"date", "note"}
    assert not procedure.steps.exists()
    assert client.post(url, valid_data(StepForm())).status_code == 302
    assert procedure.steps.count() == 1


def _creation_pages():
    """Every page that creates a record and needs no argument, with its capability."""
    from django.urls import get_resolver

    def walk(resolver, ns=""):
        for entry in resolver.url_patterns:
            if hasattr(entry, "url_patterns"):
                yield from walk(entry, f"{ns}{entry.namespace}:" if entry.namespace else ns)
            elif (entry.name or "").endswith("-create") and not entry.pattern.converters:
                yield ns + entry.name, entry.callback.required_capability

    # Staff accounts are covered by the staff tests (their own confirmation workflow).
    return {name: cap for name, cap in walk(get_resolver()) if name != "staff-create"}


CREATION_PAGES = _creation_pages()
CREATION_CASES = [
    (name, role) for name, cap in sorted(CREATION_PAGES.items()) for role in roles_with(cap)
]


def _rows():
    from django.apps import apps

    labels = ("contacts", "health", "rights", "minors", "reporting", "exchange", "casefile")
    return {
        model._meta.label: model._base_manager.count()
        for label in labels
        for model in apps.get_app_config(label).get_models()
    }


def test_the_creation_pages_are_found():
    assert {"contacts:person-create", "health:consultation-create"} <= set(CREATION_PAGES)


@pytest.mark.parametrize(("name", "role"), CREATION_CASES)
def test_an_empty_creation_form_names_a_field_and_writes_nothing(client, make_user, name, role):
    client.force_login(make_user(role))
    url = reverse(name)
    before = _rows()
    response = client.post(url, EMPTY)
    _count_post(response)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert "Ce champ est obligatoire" in response.content.decode()
    else:  # a one-field form on a list page: the message goes with the redirect
        assert "obligatoire" in " ".join(m.message for m in response.wsgi_request._messages)
    assert _rows() == before


def _tiny_pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import TINY_PDF

    return SimpleUploadedFile("scan.pdf", TINY_PDF, content_type="application/pdf")


def _person_code():
    return PersonFactory(birth_date=years_before(timezone.localdate(), 16)).code


# What the generic values cannot guess on a creation page (a person's code, a formset).
CREATION_OVERRIDES = {
    "contacts:mediation-create": lambda: {PARTIES[0][0]: 2},
    # A contact with nobody named says whom, roughly: its estimated gender.
    "contacts:contact-create": lambda: {"person": "", "anonymous_gender": "unknown"},
    "contacts:person-create": lambda: {"nickname": "Nouvelle", "confirm_new": "on"},
    # A new action is due today or later; a handover says something.
    "agenda:action-create": lambda: {"due_on": timezone.localdate().isoformat()},
    "agenda:handover-create": lambda: {"happened": "Soirée calme."},
    "minors:file-create": lambda: {"person": _person_code()},
    "rights:procedure-create": lambda: {"person": _person_code()},
    "rights:psp-create": lambda: {"person": _person_code()},
    # A document needs a file of an accepted kind (its bytes say it is a PDF).
    "casefile:document-create": lambda: {"person": _person_code(), "file": _tiny_pdf()},
    "health:consultation-create": lambda: {
        "person": _person_code(),
        "acts-TOTAL_FORMS": 0,
        "acts-INITIAL_FORMS": 0,
    },
}


@pytest.mark.parametrize(("name", "role"), CREATION_CASES)
def test_a_valid_creation_form_creates_a_record(client, make_user, name, role):
    user = make_user(role)
    if role == "partner_practitioner":  # a partner works on the line they belong to
        ServiceLine.objects.get(slug="osteopathy").practitioners.add(user)
    client.force_login(user)
    url = reverse(name)
    page = client.get(url)
    form = page.context["form"] if page.status_code == 200 else None
    overrides = CREATION_OVERRIDES.get(name, dict)()
    # A page answering POST only: its form is the overrides.
    data = overrides if form is None else {**valid_data(form), **overrides}
    before = _rows()
    response = client.post(url, data)
    _count_post(response)
    assert response.status_code == 302, response.context and response.context["form"].errors
    after = _rows()
    assert any(after[label] > count for label, count in before.items())


@pytest.mark.parametrize("role", roles_with("rights.use"))
def test_psp_and_procedure_actions_refuse_an_empty_post_without_writing(client, make_user, role):
    from rights.services import psp_file_create

    user = make_user(role)
    psp_file = psp_file_create(person=PersonFactory(), by=user)
    procedure = Procedure.objects.create(
        person=PersonFactory(),
        theme=ProcedureTheme.objects.first(),
        request="Demande",
        worker=user,
        created_by=user,
    )
    client.force_login(user)
    for url in (
        reverse("rights:psp-transition", args=[psp_file.pk]),
        reverse("rights:procedure-status", args=[procedure.pk]),
    ):
        before = _rows()
        response = client.post(url, EMPTY, follow=True)
        assert response.status_code == 200
        assert list(response.context["messages"])
        assert _rows() == before
    psp_file.refresh_from_db()
    procedure.refresh_from_db()
    assert (psp_file.state, procedure.status) == (
        PSPFile.State.PREPARING,
        Procedure.Status.IN_PROGRESS,
    )


# The report's own pages: a text of the year and a reference figure, as every role
# that edits the report; the identity form, as every role that writes identities.
REPORT_PAGES = {
    "narrative": (
        lambda: reverse("reporting:narrative", args=[2023]),
        {"kind": "editorial", "part": "", "title": "Édito", "body": "Texte", "position": 0},
        "reporting.NarrativeBlock",
    ),
    "reference figure": (
        lambda: reverse("reporting:reference-figures"),
        {"key": "attendance.contacts", "year": 2021, "value": "12", "source": "Rapport 2021"},
        "reporting.ReferenceFigure",
    ),
}
REPORT_CASES = [
    (page, role) for page in REPORT_PAGES for role in sorted(roles_with("reporting.edit"))
]


@pytest.mark.parametrize(("page", "role"), REPORT_CASES)
def test_report_pages_save_a_valid_post_and_name_the_field_of_an_empty_one(
    client, make_user, page, role
):
    from django.apps import apps

    url, data, label = REPORT_PAGES[page]
    model = apps.get_model(label)
    client.force_login(make_user(role))
    empty = client.post(url(), EMPTY)
    _count_post(empty)
    assert empty.status_code == 200 and "Ce champ est obligatoire" in empty.content.decode()
    assert model.objects.count() == 0
    saved = client.post(url(), data)
    _count_post(saved)
    assert saved.status_code == 302, saved.context and saved.context["form"].errors
    assert model.objects.count() == 1


@pytest.mark.parametrize("page", REPORT_PAGES)
def test_report_pages_refuse_a_role_that_does_not_edit_the_report(client, make_user, page):
    url, data, _label = REPORT_PAGES[page]
    client.force_login(make_user("educator"))
    assert client.post(url(), data).status_code == 403


@pytest.mark.parametrize("role", sorted(roles_with("persons.edit_identity")))
def test_identity_form_saves_or_names_the_field(client, make_user, role):
    from contacts.models import LegalIdentity

    person = PersonFactory()
    url = reverse("contacts:identity-edit", args=[person.code])
    client.force_login(make_user(role))
    form = client.get(url).context["form"]
    bad = {**valid_data(form), "birth_date": "31/02/1990"}
    refused = client.post(url, bad)
    _count_post(refused)
    assert refused.status_code == 200 and "birth_date" in refused.context["form"].errors
    assert not LegalIdentity.objects.filter(person=person).exists()
    saved = client.post(url, {**valid_data(form), "last_name": "Nom", "birth_date": ""})
    _count_post(saved)
    assert saved.status_code == 302, saved.context and saved.context["form"].errors
    assert LegalIdentity.objects.get(person=person).last_name == "Nom"
