"""How declared figures are counted: which query counts which figures, and that the
values do not depend on how they are grouped."""

import datetime

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from contacts.models import Contact, ContactMaterial, Material, Service
from entractes.lib.figures import Family, Figure, FigureSet
from tests.factories import ContactFactory, ContactMaterialFactory, PersonFactory

pytestmark = pytest.mark.django_db

DAY = datetime.datetime(2024, 5, 6, 21, 0, tzinfo=datetime.UTC)


def _contacts():
    """Seven contacts: caarud or not, with zero to three services each."""
    services = list(Service.objects.order_by("slug")[:3])
    assert len(services) == 3
    shapes = [
        (True, services),
        (True, services[:2]),
        (True, services[:1]),
        (False, services),
        (False, []),
        (True, []),
        (False, services[1:]),
    ]
    for caarud, offered in shapes:
        contact = ContactFactory(occurred_at=DAY, day=DAY.date(), caarud=caarud)
        contact.services.set(offered)
    return services


def _sql(queries) -> list[str]:
    return [query["sql"] for query in queries.captured_queries]


def test_figures_through_a_many_to_many_relation_are_counted_apart_from_the_others():
    services = _contacts()
    slugs = [s.slug for s in services]
    figure_set = FigureSet(
        Contact.objects.all(),
        (
            Figure("all"),
            Figure("caarud", Q(caarud=True)),
            *(Figure(f"service.{slug}", Q(services__slug=slug)) for slug in slugs),
            Figure("caarud_first", Q(caarud=True, services__slug=slugs[0])),
        ),
    )
    with CaptureQueriesContext(connection) as queries:
        values = figure_set.compute()
    assert values == {
        "all": 7,
        "caarud": 4,
        f"service.{slugs[0]}": 4,
        f"service.{slugs[1]}": 4,
        f"service.{slugs[2]}": 3,
        "caarud_first": 3,
    }
    plain, through = _sql(queries)
    # The contacts' own fields: rows counted, no join that would repeat them.
    assert "DISTINCT" not in plain.upper()
    assert Contact.services.through._meta.db_table not in plain
    # Through the services: the join repeats contacts, so they are counted distinct.
    assert "COUNT(DISTINCT" in through.upper()
    assert Contact.services.through._meta.db_table in through


def test_a_family_is_one_grouped_query_whatever_its_number_of_values():
    services = _contacts()
    slugs = tuple(s.slug for s in services)
    counts = {}
    for values in (slugs[:1], slugs):
        family = Family("service.{}", "services__slug", values, Q(caarud=True))
        figure_set = FigureSet(Contact.objects.all(), (), families=(family,))
        with CaptureQueriesContext(connection) as queries:
            computed = figure_set.compute()
        counts[len(values)] = len(queries.captured_queries)
        assert "GROUP BY" in _sql(queries)[0].upper()
        # The same values as one filtered figure per value.
        one_by_one = FigureSet(Contact.objects.all(), tuple(family.figures())).compute()
        assert computed == one_by_one
    assert counts == {1: 1, 3: 1}
    assert computed == {
        f"service.{slugs[0]}": 3,
        f"service.{slugs[1]}": 2,
        f"service.{slugs[2]}": 1,
    }


def test_families_by_the_same_field_share_one_grouped_query():
    services = _contacts()
    slugs = tuple(s.slug for s in services)
    families = (
        Family("caarud.service.{}", "services__slug", slugs, Q(caarud=True)),
        Family("other.service.{}", "services__slug", slugs, Q(caarud=False)),
        Family("all.service.{}", "services__slug", slugs),
    )
    figure_set = FigureSet(Contact.objects.all(), (), families=families)
    with CaptureQueriesContext(connection) as queries:
        computed = figure_set.compute()
    assert len(queries.captured_queries) == 1
    assert "GROUP BY" in _sql(queries)[0].upper()
    # The same values as each family alone, and as one filtered figure per value.
    alone = {}
    for family in families:
        alone |= FigureSet(Contact.objects.all(), (), families=(family,)).compute()
    one_by_one = FigureSet(Contact.objects.all(), tuple(figure_set.figures)).compute()
    assert computed == alone == one_by_one
    assert [computed[f"{kind}.service.{slugs[0]}"] for kind in ("caarud", "other", "all")] == [
        3,
        1,
        4,
    ]


def test_a_family_whose_filter_repeats_rows_keeps_its_own_query():
    services = _contacts()
    slugs = tuple(s.slug for s in services)
    families = (
        Family("caarud.service.{}", "services__slug", slugs, Q(caarud=True)),
        Family("themed.service.{}", "services__slug", slugs, Q(themes__isnull=True)),
    )
    with CaptureQueriesContext(connection) as queries:
        computed = FigureSet(Contact.objects.all(), (), families=families).compute()
    assert len(queries.captured_queries) == 2
    assert computed[f"themed.service.{slugs[0]}"] == 4


def test_a_family_value_without_records_is_zero_and_lists_no_record():
    _contacts()
    family = Family("service.{}", "services__slug", ("no-such-service",))
    figure_set = FigureSet(Contact.objects.all(), (), families=(family,))
    assert figure_set.compute() == {"service.no-such-service": 0}
    assert figure_set.declares("service.no-such-service")
    assert list(figure_set.records("service.no-such-service")) == []


def test_a_family_figure_lists_the_records_it_counts():
    services = _contacts()
    slug = services[2].slug
    family = Family("service.{}", "services__slug", (slug,), Q(caarud=True))
    figure_set = FigureSet(Contact.objects.all(), (), families=(family,))
    listed = figure_set.records(f"service.{slug}")
    assert listed.count() == figure_set.compute()[f"service.{slug}"] == 1
    assert all(c.caarud and c.services.filter(slug=slug).exists() for c in listed)


def test_sums_of_a_family_over_a_foreign_key_are_grouped_and_exact():
    person = PersonFactory()
    first, second = (
        ContactFactory(person=person, occurred_at=DAY, day=DAY.date()) for _ in range(2)
    )
    condoms, syringes = Material.objects.order_by("slug")[:2]
    ContactMaterialFactory(contact=first, material=condoms, quantity=10)
    ContactMaterialFactory(contact=second, material=condoms, quantity=5)
    ContactMaterialFactory(contact=first, material=syringes, quantity=3)
    family = Family(
        "material.{}", "material__slug", (condoms.slug, syringes.slug), Q(), "sum", "quantity"
    )
    values = FigureSet(ContactMaterial.objects.all(), (), families=(family,)).compute()
    assert values == {f"material.{condoms.slug}": 15, f"material.{syringes.slug}": 3}


def test_a_sum_through_a_relation_that_repeats_rows_is_refused():
    _contacts()
    repeated = FigureSet(
        Contact.objects.all(), (Figure("sum", Q(services__isnull=False), "sum", "pk"),)
    )
    with pytest.raises(ValueError):
        repeated.compute()
    family = Family("n.{}", "channel__slug", ("x",), Q(services__isnull=False), "sum", "pk")
    with pytest.raises(ValueError):
        FigureSet(Contact.objects.all(), (), families=(family,)).compute()


def test_a_base_whose_joins_repeat_records_counts_them_distinct():
    services = _contacts()
    # Contacts offered any service: the base's own join repeats a contact per service.
    base = Contact.objects.filter(services__in=services)
    values = FigureSet(base, (Figure("all"), Figure("caarud", Q(caarud=True)))).compute()
    assert values == {"all": 5, "caarud": 3}


def test_a_family_across_one_many_to_many_relation_counts_pairs_without_distinct():
    services = _contacts()
    family = Family("service.{}", "services__slug", tuple(s.slug for s in services))
    with CaptureQueriesContext(connection) as queries:
        values = FigureSet(Contact.objects.all(), (), families=(family,)).compute()
    (sql,) = _sql(queries)
    # Each contact and service are paired once: no DISTINCT needed in a group.
    assert "DISTINCT" not in sql.upper()
    assert list(values.values()) == [4, 4, 3]


def test_figures_of_the_records_ride_along_a_family_that_partitions_them():
    person = PersonFactory()
    condoms, syringes = Material.objects.order_by("slug")[:2]
    for quantity, material in ((10, condoms), (5, condoms), (3, syringes)):
        contact = ContactFactory(person=person, occurred_at=DAY, day=DAY.date())
        ContactMaterialFactory(contact=contact, material=material, quantity=quantity)
    family = Family(
        "material.{}", "material__slug", (condoms.slug, syringes.slug), Q(), "sum", "quantity"
    )
    along = (
        Figure("lines"),
        Figure("big", Q(quantity__gte=5), "sum", "quantity"),
        Figure("condom_lines", Q(material=condoms)),
    )
    figure_set = FigureSet(ContactMaterial.objects.all(), along, families=(family,))
    with CaptureQueriesContext(connection) as queries:
        values = figure_set.compute()
    assert len(queries.captured_queries) == 1
    assert "GROUP BY" in _sql(queries)[0].upper()
    assert values == {
        "lines": 3,
        "big": 15,
        "condom_lines": 2,
        f"material.{condoms.slug}": 15,
        f"material.{syringes.slug}": 3,
    }
    # Over a costly base (with annotations), the family is counted in the base's one
    # pass, one filtered sum per value, rather than by scanning the base again.
    from django.db.models import F

    annotated = FigureSet(
        ContactMaterial.objects.annotate(twice=F("quantity") * 2), along, families=(family,)
    )
    with CaptureQueriesContext(connection) as queries:
        assert annotated.compute() == values
    (sql,) = _sql(queries)
    assert "GROUP BY" not in sql.upper()
