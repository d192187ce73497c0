"""Every record kind of the business apps has a factory that builds a valid record."""

import inspect

import factory
import pytest
from django.apps import apps

from tests import factories

APPS = ("contacts", "health", "rights", "minors", "reporting", "exchange", "casefile")


def model_factories():
    found = {}
    for _name, value in inspect.getmembers(factories, inspect.isclass):
        if issubclass(value, factory.django.DjangoModelFactory) and not value._meta.abstract:
            found.setdefault(value._meta.model, value)
    return found


FACTORIES = model_factories()
MODELS = [m for app in APPS for m in apps.get_app_config(app).get_models()]


def test_every_model_of_the_business_apps_has_a_factory():
    missing = [m._meta.label for m in MODELS if m not in FACTORIES]
    assert not missing


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_each_factory_saves_a_valid_record(model):
    made = FACTORIES[model]()
    assert made.pk is not None
    stored = model._base_manager.get(pk=made.pk)
    stored.full_clean()
    # A second record of the same kind does not collide with the first.
    other = FACTORIES[model]()
    assert other.pk != made.pk
    other.full_clean()
