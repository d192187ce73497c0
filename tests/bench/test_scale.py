"""The benchmarks' copies of the demo (bench/scale.py): k copies count k times."""

import pytest
from django.urls import reverse

from bench import scale
from contacts.models import Contact, Person
from entractes.models import User
from reporting import figures

YEAR = 2023


def test_every_additive_figure_of_the_demo_is_k_times_its_value(demo_db):
    before = figures.all_figures(YEAR)
    persons = Person.all_objects.count()
    scale.multiply(2)
    scale.multiply(3)  # goes on from 2x
    after = figures.all_figures(YEAR)
    summable = figures.summable_keys(YEAR)
    assert {"attendance.contacts", "caarud.contacts"} <= summable
    assert any(key.startswith("rdr.material.") for key in summable)
    wrong = {
        key: (before[key], after[key])
        for key in summable
        if isinstance(before.get(key), int | float) and after[key] != 3 * before[key]
    }
    assert wrong == {}
    assert after["attendance.contacts"] > 0
    assert after["attendance.people"] == 3 * before["attendance.people"]
    assert scale.scale_reached() == 3
    assert Person.all_objects.count() == 3 * persons
    assert Person.all_objects.filter(code__endswith="-2").count() == persons


def test_copies_are_records_as_others(demo_db, client):
    scale.multiply(2)
    copy = Person.objects.filter(code__endswith="-1", contacts__isnull=False).first()
    original = Person.objects.get(code=copy.code.removesuffix("-1"))
    assert copy.nickname == original.nickname  # decrypted from the copied ciphertext
    assert copy.contacts.count() == original.contacts.count()
    client.force_login(User.objects.get(username="direction"))
    assert client.get(reverse("contacts:person-detail", args=[copy.code])).status_code == 200
    # New records take keys after the copies'.
    contact = Contact.objects.create(
        day=copy.contacts.first().day,
        occurred_at=copy.contacts.first().occurred_at,
        channel=copy.contacts.first().channel,
        author=copy.contacts.first().author,
        person=copy,
    )
    assert contact.pk > Contact.all_objects.exclude(pk=contact.pk).order_by("-pk").first().pk


def test_a_scale_below_the_one_reached_is_refused(demo_db):
    scale.multiply(2)
    with pytest.raises(ValueError, match="2x already"):
        scale.multiply(1)
