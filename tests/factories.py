import datetime

import factory
from django.utils import timezone

from contacts.models import (
    Channel,
    Contact,
    ContactMaterial,
    LegalIdentity,
    Material,
    MediationEvent,
    Person,
    Session,
)
from entractes.models import Role, User
from health.models import Act, Consultation, ConsultationAct, HealthSession, ServiceLine


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("a-long-test-password")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.roles.set(Role.objects.filter(slug__in=extracted))


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    nickname = factory.Sequence(lambda n: f"Surnom{n}")
    gender = "female"
    birth_year = 1990


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    kind = "drop_in"
    date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=3))
    created_by = factory.SubFactory(UserFactory)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    author = factory.SubFactory(UserFactory)
    occurred_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=3))
    channel = factory.LazyFunction(lambda: Channel.objects.get(slug="drop_in"))

    @factory.post_generation
    def material(self, create, extracted, **kwargs):
        """``material={"male_condom": 10}`` adds material lines."""
        for slug, quantity in (extracted or {}).items():
            ContactMaterial.objects.create(
                contact=self, material=Material.objects.get(slug=slug), quantity=quantity
            )


class MediationEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MediationEvent

    author = factory.SubFactory(UserFactory)


class LegalIdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalIdentity

    person = factory.SubFactory(PersonFactory)
    last_name = "Nomlegal"
    first_names = "Prenomlegal"
    birth_place = "Lagos"
    nationality = "nigériane"


class HealthSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HealthSession

    line = factory.LazyFunction(lambda: ServiceLine.objects.get(slug="nurse"))
    date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=2))
    created_by = factory.SubFactory(UserFactory)


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consultation
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    line = factory.LazyFunction(lambda: ServiceLine.objects.get(slug="nurse"))
    at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=2))
    author = factory.SubFactory(UserFactory)

    @factory.post_generation
    def acts(self, create, extracted, **kwargs):
        """``acts=[("trod_hiv", "negative")]`` adds acts with their results."""
        for slug, result in extracted or []:
            ConsultationAct.objects.create(
                consultation=self, act=Act.objects.get(slug=slug), result=result
            )


class ImportJobFactory(factory.django.DjangoModelFactory):
    """An import job, already run unless ``state`` says otherwise."""

    class Meta:
        model = "exchange.ImportJob"

    requested_by = factory.SubFactory(UserFactory)
    filename = "enregistrements.xlsx"
    state = "done"
