"""The demo built once for the tests that ask for it: each gets it whole, the others none."""

import pytest

from contacts.models import Contact, Person
from entractes.models import User


def test_a_test_may_change_the_demo(demo_db):
    Person.all_objects.update(nickname="Changé")
    User.objects.update(is_active=False)
    assert not Person.all_objects.exclude(nickname="Changé").exists()


def test_the_next_test_gets_the_demo_whole_again(demo_db):
    assert Contact.objects.exists()
    assert not Person.all_objects.filter(nickname="Changé").exists()
    assert Person.all_objects.filter(merged_into__isnull=True).count() >= demo_db.persons
    assert all(user.is_active for user in demo_db.accounts)


@pytest.mark.django_db
def test_a_database_test_without_the_demo_starts_from_an_empty_database():
    assert not Person.all_objects.exists()
    assert not User.objects.exists()
