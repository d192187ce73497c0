"""The person code box: autocomplete on every form that asks for a person; archived
persons are not found."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

FORMS = [
    ("health:consultation-create", "nurse"),
    ("contacts:contact-create", "educator"),
    ("rights:procedure-create", "educator"),
    ("minors:file-create", "minors_educator"),
]


@pytest.mark.parametrize(("name", "role"), FORMS)
def test_person_box_asks_for_suggestions_by_post_sending_only_itself(request, client, name, role):
    client.force_login(request.getfixturevalue(role))
    page = client.get(reverse(name)).content.decode()
    box = re.search(r'<input[^>]*name="(?:[\w-]+-)?person"[^>]*>', page)
    assert box, name
    tag = box.group(0)
    assert f'hx-post="{reverse("contacts:person-suggest")}"' in tag
    assert 'hx-target="#person-options"' in tag
    assert re.search(r'hx-params="(?:[\w-]+-)?person"', tag)
    assert '<datalist id="person-options">' in page


def test_suggestions_answer_the_box_of_any_form(client, nurse):
    PersonFactory(nickname="Perlette")
    client.force_login(nurse)
    response = client.post(reverse("contacts:person-suggest"), {"person": "perl"})
    assert "Perlette" in response.content.decode()


def test_an_archived_person_cannot_be_chosen(client, educator):
    person = PersonFactory(archived_at=timezone.now())
    client.force_login(educator)
    suggestions = client.post(reverse("contacts:person-suggest"), {"person": person.nickname})
    assert person.code not in suggestions.content.decode()
    from contacts.forms import PersonCodeField

    with pytest.raises(Exception, match="Aucune personne"):
        PersonCodeField().clean(person.code)
