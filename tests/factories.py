import datetime

import factory
from django.utils import timezone

from contacts.models import Contact, LegalIdentity, Person
from entractes.models import Role, User


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


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    person = factory.SubFactory(PersonFactory)
    author = factory.SubFactory(UserFactory)
    occurred_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=3))


class LegalIdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalIdentity

    person = factory.SubFactory(PersonFactory)
    last_name = "Nomlegal"
    first_names = "Prenomlegal"
    birth_place = "Lagos"
    nationality = "nigériane"
