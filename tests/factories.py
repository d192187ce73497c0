import datetime

import factory
from django.utils import timezone

from contacts.models import (
    Action,
    ActiveFileChange,
    Channel,
    Contact,
    ContactMaterial,
    HandoverNote,
    LegalIdentity,
    Material,
    MediationEvent,
    Person,
    PlaceObservation,
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
    # An anonymous contact always carries an estimated gender, "unknown" at least.
    anonymous_gender = factory.LazyAttribute(lambda o: "" if o.person else "unknown")
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


class PlaceObservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlaceObservation

    zone = factory.LazyFunction(lambda: Zone.objects.order_by("position", "pk").first())
    kind = PlaceObservation.Kind.MATERIAL_FOUND
    note = "Seringues usagées au pied de l'escalier."
    author = factory.SubFactory(UserFactory)


class ActiveFileChangeFactory(factory.django.DjangoModelFactory):
    """A change of the active file, with its person's state kept in step (as the
    services do): ``kind="returned"`` for a return (no reason)."""

    class Meta:
        model = ActiveFileChange
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))
    kind = ActiveFileChange.Kind.LEFT
    reason = factory.LazyAttribute(
        lambda o: "moved" if o.kind == ActiveFileChange.Kind.LEFT else ""
    )
    author = factory.SubFactory(UserFactory)

    @factory.post_generation
    def in_step(self, create, extracted, **kwargs):
        if create:
            left = self.kind == ActiveFileChange.Kind.LEFT
            Person.all_objects.filter(pk=self.person_id).update(
                left_file_on=self.date if left else None,
                left_file_reason=self.reason if left else "",
            )
            self.person.refresh_from_db()


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    person = factory.SubFactory(PersonFactory)
    title = "Accompagner au CeGIDD"
    due_on = factory.LazyFunction(timezone.localdate)
    author = factory.SubFactory(UserFactory)


class HandoverNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HandoverNote

    shift = "evening"
    happened = "Soirée calme rue de Béthune, beaucoup de demandes de kits."
    to_watch = "Repasser voir la personne du parking relais."
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
        skip_postgeneration_save = True

    line = factory.LazyFunction(lambda: ServiceLine.objects.get(slug="nurse"))
    date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=2))
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def participants(self, create, extracted, **kwargs):
        if create and extracted:
            self.participants.set(extracted)


class GroupHealthSessionFactory(HealthSessionFactory):
    """A group session (sophrology workshop): ``participants=[...]`` records who came."""

    line = factory.LazyFunction(lambda: ServiceLine.objects.get(slug="sophrology"))
    kind = HealthSession.Kind.WORKSHOP


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


# --- Factories for every other record kind of contacts, health, rights, minors, reporting.
# Reference items look up their slug first, so ``ProductFactory(slug="cannabis")`` (or
# ``product__slug="cannabis"`` from a record's factory) gives the seeded item.

from decimal import Decimal  # noqa: E402

from contacts.models import (  # noqa: E402
    AdSite,
    FollowerSnapshot,
    Language,
    MediationTheme,
    OnlineRoundSite,
    OpeningSlot,
    Partner,
    PersonMerge,
    Product,
    ProstitutionMode,
    Service,
    SessionMaterial,
    SessionService,
    Theme,
    Zone,
)
from exchange.models import ExportJob, ExternalId, ImportJob  # noqa: E402
from health.models import Workshop  # noqa: E402
from minors.models import (  # noqa: E402
    AwarenessSession,
    EducationalMeasure,
    FilePartner,
    MinorFile,
    PartnerExchange,
    ProductUse,
    ReceivedReport,
    Runaway,
    SafeguardingReport,
    SchoolSession,
    TrainingCycle,
)
from reporting.models import (  # noqa: E402
    CheckAcceptance,
    NarrativeBlock,
    Publication,
    ReferenceFigure,
    ReportRender,
)
from rights.models import (  # noqa: E402
    Procedure,
    ProcedureStep,
    ProcedureTheme,
    PSPDocumentKind,
    PSPFile,
)


def _days_ago(days: int):
    return factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=days))


class ReferenceItemFactory(factory.django.DjangoModelFactory):
    """A reference list item; an existing slug gives the existing item."""

    class Meta:
        abstract = True
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"test-item-{n}")
    label = factory.LazyAttribute(lambda o: f"Libellé {o.slug}")


class LanguageFactory(ReferenceItemFactory):
    class Meta:
        model = Language


class ProductFactory(ReferenceItemFactory):
    class Meta:
        model = Product


class ProstitutionModeFactory(ReferenceItemFactory):
    class Meta:
        model = ProstitutionMode


class ZoneFactory(ReferenceItemFactory):
    class Meta:
        model = Zone


class ChannelFactory(ReferenceItemFactory):
    class Meta:
        model = Channel

    kind = Channel.Kind.OUTREACH


class MaterialFactory(ReferenceItemFactory):
    class Meta:
        model = Material

    category = Material.Category.OTHER


class ThemeFactory(ReferenceItemFactory):
    class Meta:
        model = Theme


class ServiceFactory(ReferenceItemFactory):
    class Meta:
        model = Service


class AdSiteFactory(ReferenceItemFactory):
    class Meta:
        model = AdSite


class MediationThemeFactory(ReferenceItemFactory):
    class Meta:
        model = MediationTheme


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partenaire {n}")
    kind = Partner.Kind.ASSOCIATION


class OpeningSlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningSlot

    kind = "drop_in"
    weekday = 0
    start = datetime.time(14)
    end = datetime.time(18)


class PersonMergeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonMerge

    kept = factory.SubFactory(PersonFactory)
    duplicate = factory.SubFactory(PersonFactory)
    merged_by = factory.SubFactory(UserFactory)


class ContactMaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactMaterial

    contact = factory.SubFactory(ContactFactory)
    material = factory.SubFactory(MaterialFactory)
    quantity = 1


class SessionServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionService

    session = factory.SubFactory(SessionFactory)
    service = factory.LazyFunction(lambda: Service.objects.order_by("position").first())
    count = 4


class SessionMaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionMaterial

    session = factory.SubFactory(SessionFactory)
    material = factory.SubFactory(MaterialFactory)
    quantity = 1


class OnlineRoundSiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OnlineRoundSite

    session = factory.SubFactory(SessionFactory, kind="online_round")
    site = factory.SubFactory(AdSiteFactory)


class FollowerSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowerSnapshot

    channel = factory.SubFactory(ChannelFactory, kind=Channel.Kind.SOCIAL_NETWORK)
    followers = 100
    author = factory.SubFactory(UserFactory)


class ServiceLineFactory(ReferenceItemFactory):
    class Meta:
        model = ServiceLine


class ActFactory(ReferenceItemFactory):
    class Meta:
        model = Act


class ConsultationActFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsultationAct

    consultation = factory.SubFactory(ConsultationFactory)
    act = factory.SubFactory(ActFactory)


class WorkshopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workshop

    title = factory.Sequence(lambda n: f"Atelier {n}")
    created_by = factory.SubFactory(UserFactory)


class ProcedureThemeFactory(ReferenceItemFactory):
    class Meta:
        model = ProcedureTheme


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure

    person = factory.SubFactory(PersonFactory)
    theme = factory.SubFactory(ProcedureThemeFactory)
    request = "Demande"
    worker = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("worker")
    opened_on = factory.LazyFunction(timezone.localdate)
    status_on = factory.SelfAttribute("opened_on")


class ProcedureStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcedureStep

    procedure = factory.SubFactory(ProcedureFactory)
    note = "Étape"
    author = factory.SelfAttribute("procedure.worker")


class PSPDocumentKindFactory(ReferenceItemFactory):
    class Meta:
        model = PSPDocumentKind


class PSPFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PSPFile
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    kind = PSPFile.Kind.FIRST_REQUEST
    worker = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("worker")

    @factory.post_generation
    def documents(self, create, extracted, **kwargs):
        """``documents=PSPDocumentKind.objects.all()`` gathers documents."""
        if create and extracted is not None:
            self.documents.set(extracted)


class MinorFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MinorFile

    person = factory.SubFactory(
        PersonFactory, birth_year=factory.LazyFunction(lambda: timezone.localdate().year - 16)
    )
    worker = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("worker")
    first_meeting_place = MinorFile.Place.OUTREACH
    close_reason = factory.LazyAttribute(lambda o: "lost_touch" if o.closed_on else "")
    closed_on = None


class EducationalMeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EducationalMeasure

    file = factory.SubFactory(MinorFileFactory)
    kind = EducationalMeasure.Kind.ASE
    start = factory.SelfAttribute("file.opened_on")


class RunawayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Runaway

    file = factory.SubFactory(MinorFileFactory)
    start = factory.SelfAttribute("file.opened_on")


class ProductUseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductUse

    file = factory.SubFactory(MinorFileFactory)
    product = factory.SubFactory(ProductFactory)
    start = factory.SelfAttribute("file.opened_on")


class FilePartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FilePartner

    file = factory.SubFactory(MinorFileFactory)
    partner = factory.SubFactory(PartnerFactory)


class PartnerExchangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerExchange

    file = factory.SubFactory(MinorFileFactory)
    partner = factory.SubFactory(PartnerFactory)
    note = "Échange"
    author = factory.SelfAttribute("file.worker")


class SafeguardingReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SafeguardingReport

    file = factory.SubFactory(MinorFileFactory)
    kind = SafeguardingReport.Kind.INFORMATION
    to_whom = "CRIP"
    grounds = "Motifs"
    author = factory.SelfAttribute("file.worker")


class ReceivedReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReceivedReport

    description = "Situation"
    author = factory.SubFactory(UserFactory)


class TrainingCycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingCycle

    title = factory.Sequence(lambda n: f"Formation {n}")
    start_date = _days_ago(30)
    end_date = _days_ago(20)
    days = Decimal("2")
    trainees = 10
    created_by = factory.SubFactory(UserFactory)


class AwarenessSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AwarenessSession

    host = factory.Sequence(lambda n: f"Structure {n}")
    date = _days_ago(10)
    created_by = factory.SubFactory(UserFactory)


class SchoolSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolSession

    school = factory.Sequence(lambda n: f"Collège {n}")
    date = _days_ago(10)
    pupils = 20
    created_by = factory.SubFactory(UserFactory)


class ReferenceFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferenceFigure

    key = "attendance.contacts"
    year = factory.Sequence(lambda n: 2000 + n % 20)
    value = Decimal("1")
    source = "Rapport d'activité"
    created_by = factory.SubFactory(UserFactory)


class NarrativeBlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NarrativeBlock

    year = factory.LazyFunction(lambda: timezone.localdate().year - 1)
    kind = NarrativeBlock.Kind.EDITORIAL
    body = "Texte"
    updated_by = factory.SubFactory(UserFactory)


class CheckAcceptanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckAcceptance

    year = factory.LazyFunction(lambda: timezone.localdate().year - 1)
    code = factory.Sequence(lambda n: f"check-{n}")
    note = "Justification"
    accepted_by = factory.SubFactory(UserFactory)


class PublicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Publication

    year = factory.LazyFunction(lambda: timezone.localdate().year - 1)
    version = factory.Sequence(lambda n: n + 1)
    figures = factory.LazyFunction(lambda: {"attendance.contacts": 1})
    narrative = factory.LazyFunction(lambda: [{"kind": "editorial", "body": "Texte"}])
    published_by = factory.SubFactory(UserFactory)


class ReportRenderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportRender

    year = factory.LazyFunction(lambda: timezone.localdate().year - 1)
    requested_by = factory.SubFactory(UserFactory)


class ExternalIdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExternalId

    kind = "person"
    external_id = factory.Sequence(lambda n: f"EXT-{n}")
    object_id = factory.Sequence(lambda n: n + 1)


class ImportJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportJob

    requested_by = factory.SubFactory(UserFactory)
    filename = "import.xlsx"


class ExportJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExportJob

    requested_by = factory.SubFactory(UserFactory)
    what = "figures"
    fmt = "csv"
    year = 2023


# --- Documents (casefile) ---------------------------------------------------------------

from casefile.models import Document, DocumentContent  # noqa: E402

# The smallest file of each kind the upload accepts (a PDF is recognised by its header).
TINY_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def tiny_png() -> bytes:
    """A valid 1 x 1 PNG, written here rather than stored."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
        + chunk(b"IEND", b"")
    )


def _document_person(document):
    owner = document.procedure or document.psp_file
    return owner.person if owner is not None else PersonFactory()


class DocumentFactory(factory.django.DjangoModelFactory):
    """A document and its (encrypted) content; ``procedure=`` or ``psp_file=`` attaches it
    to one of a person's files, ``content=`` gives its bytes."""

    class Meta:
        model = Document
        skip_postgeneration_save = True

    class Params:
        content = TINY_PDF

    procedure = None
    psp_file = None
    person = factory.LazyAttribute(_document_person)
    title = "Attestation d'hébergement"
    original_name = "attestation.pdf"
    content_type = Document.Type.PDF
    size = factory.LazyAttribute(lambda o: len(o.content))
    uploaded_by = factory.SubFactory(UserFactory)
    stored = factory.RelatedFactory(
        "tests.factories.DocumentContentFactory",
        factory_related_name="document",
        content=factory.SelfAttribute("..content"),
    )


class DocumentContentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DocumentContent

    document = factory.SubFactory(DocumentFactory, stored=None)
    content = TINY_PDF
