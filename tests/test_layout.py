"""The layout of the code: which app may know which, read from the code itself.

The floors, from the bottom: the kernel (``entractes``), the persons (``contacts``), the
domain apps (``health``, ``rights``, ``minors``), then the apps that compose them
(``reporting``, ``casefile``, ``agenda``) and those that carry records in and out (``exchange``,
``demo``). An app imports only from lower floors; nothing below the composing floor
names another app's model, even as a string.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

ROOT = Path(settings.BASE_DIR)
FLOORS = {
    "entractes": 0,
    "contacts": 1,
    "health": 2,
    "rights": 2,
    "minors": 2,
    "reporting": 3,
    "casefile": 3,
    "agenda": 3,
    "exchange": 4,
    "demo": 4,
}
PRESENT = {app: floor for app, floor in FLOORS.items() if (ROOT / app).is_dir()}


def _sources(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def _imported_apps(path: Path) -> set[str]:
    """The project apps a module imports (at any depth of the module, lazily too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {name.partition(".")[0] for name in names} & set(PRESENT)
    return found


def test_every_app_of_the_project_has_its_floor():
    project = {config.name for config in apps.get_app_configs() if Path(config.path).parent == ROOT}
    assert project - set(PRESENT) == set()


@pytest.mark.parametrize("app", sorted(PRESENT))
def test_an_app_imports_only_from_lower_floors(app):
    wrong = {}
    for path in _sources(app):
        above = {other for other in _imported_apps(path) - {app} if PRESENT[other] >= PRESENT[app]}
        if above:
            wrong[str(path.relative_to(ROOT))] = sorted(above)
    assert wrong == {}


def test_the_kernel_imports_no_domain_app():
    imports = {
        str(p.relative_to(ROOT)): _imported_apps(p) - {"entractes"} for p in _sources("entractes")
    }
    assert {path: found for path, found in imports.items() if found} == {}


LABEL = re.compile(r"""["'](health|rights|minors|reporting|casefile|exchange|demo)\.[A-Z]""")


@pytest.mark.parametrize("app", ["entractes", "contacts"])
def test_no_model_of_a_higher_app_is_named_below(app):
    """The grep of the layout rule: ``"health.Consultation"`` and the like."""
    hits = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _sources(app)
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if LABEL.search(line)
    ]
    assert hits == []


def test_reporting_holds_neither_the_demo_nor_import_export():
    reporting = ROOT / "reporting"
    assert not (reporting / "demo").exists()
    assert not (reporting / "records").exists()
    commands = {path.stem for path in (reporting / "management" / "commands").glob("*.py")}
    assert commands & {"demo", "import_records", "export_records"} == set()
    readers = [
        str(path.relative_to(ROOT))
        for path in _sources("reporting")
        if "load_workbook" in path.read_text() or "import_records" in path.read_text()
    ]
    assert readers == []


# --- The person's file: every record about a person is declared by its own app -------


def _declared():
    from casefile import registry

    return registry


def test_casefile_lists_every_app_declaring_a_person_module():
    registry = _declared()
    with_module = {app for app in PRESENT if (ROOT / app / "person.py").exists()}
    assert {module.__name__.partition(".")[0] for module in registry.MODULES} == with_module


def test_each_app_declares_only_its_own_models():
    for module in _declared().MODULES:
        app = module.__name__.partition(".")[0]
        for record in module.RECORDS:
            assert record.model._meta.app_label == app, (module.__name__, record.model)
        for kind in module.ARCHIVE:
            assert kind.model._meta.app_label == app, (module.__name__, kind.model)


def test_every_record_about_a_person_is_declared():
    """A model with a key to the person, or to a record about them, is itself declared
    in its app's ``person.py``: a kind forgotten there would escape the history,
    anonymisation, the right of access and the archive."""
    from contacts.models import Person

    declared = {record.model for record in _declared().records()}
    forgotten = []
    for model in apps.get_models():
        if model._meta.app_label not in PRESENT or model in declared:
            continue
        for field in model._meta.get_fields():
            related = getattr(field, "related_model", None)
            forward = field.concrete or (field.many_to_many and not field.auto_created)
            if forward and related is not None and (related is Person or related in declared):
                forgotten.append(f"{model._meta.label}.{field.name}")
    assert forgotten == []


@pytest.mark.django_db
def test_declarations_name_real_fields_and_paths():
    """Every lookup and field a declaration names exists: each builds a query."""
    registry = _declared()
    for record in registry.records():
        model = record.model
        names = [*record.cleared, *record.activity]
        if record.meeting:
            names.append(record.meeting)
        if record.section:
            names += list(record.section.fields)
        for name in names:
            assert isinstance(model._meta.get_field(name), models.Field | models.ForeignObjectRel)
        # The path to the person and the archived-at lookup are valid lookups.
        list(model._base_manager.filter(**{record.to_person: 0}).values("pk")[:1])
        if record.archived:
            list(model._base_manager.filter(**{f"{record.archived}__isnull": True})[:1])
        if record.open is not None:
            list(model._base_manager.filter(record.open)[:1])
    assert {kind.slug for kind in registry.archive_kinds().values()} == set(
        registry.archive_kinds()
    )


def test_the_meetings_are_the_declared_ones():
    from contacts.meetings import meeting_sources

    registry = _declared()
    declared = [(record.model, record.meeting) for record in registry.records() if record.meeting]
    assert sorted(meeting_sources(), key=str) == sorted(declared, key=str)


@pytest.mark.parametrize("folder", ["rights", "minors", "reporting", "exchange"])
def test_tests_of_the_records_build_them_with_factories(folder):
    """Records in these tests come from ``tests/factories.py``, which keeps every
    required field and rule of a kind in one place."""
    made_by_hand = re.compile(r"\.(objects|_default_manager|all_objects)\.(create|bulk_create)\(")
    hits = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "tests" / folder).glob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if made_by_hand.search(line)
    ]
    assert hits == []
