"""Beneficiaries (pseudonymous persons), their legal identity apart, and merges."""

from __future__ import annotations

import datetime
import re
import secrets
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models.reference import Language, Product, ProstitutionMode
from entractes.fields import EncryptedCharField, EncryptedDateField
from entractes.models import Archivable

# Readable code alphabet: no 0/O, 1/I/L, 2/Z, 5/S, 8/B that read alike.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6


def generate_code() -> str:
    """A random code such as ``K7M-4QX``: short, readable, derived from nothing."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:3]}-{raw[3:]}"


def generate_codes(count: int, *, taken=(), draw=generate_code) -> list[str]:
    """``count`` new codes, distinct from each other, from ``taken`` and from every
    person's code in the database. One random code among many thousands collides often
    enough (the birthday paradox: one 10 000-person import in five), so each collision
    is drawn again; the unique constraint on ``Person.code`` stays the last guard."""
    taken, codes = set(taken), set()
    while len(codes) < count:
        fresh = {draw() for _ in range(count - len(codes))} - taken - codes
        for start in range(0, len(fresh), 2000):
            chunk = list(fresh)[start : start + 2000]
            fresh -= set(Person.all_objects.filter(code__in=chunk).values_list("code", flat=True))
        codes |= fresh
    return list(codes)


def normalize_code(value: str) -> str:
    return "".join(value.split()).upper()


def code_forms(text: str) -> list[str]:
    """The codes a typed text may be: as typed, and ``K7M4QX`` read as ``K7M-4QX``."""
    code = normalize_code(text)
    forms = [code]
    if len(code) == 6 and all(c in CODE_ALPHABET for c in code):
        forms.append(f"{code[:3]}-{code[3:]}")
    return forms


def search_key(value: str) -> str:
    """Lower case, accents and punctuation removed: 'Hélène-Marie' -> 'helenemarie'."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    return "".join(c for c in decomposed if c.isalnum()).lower()


# The sound of a nickname, in the order the rules apply: spellings of one sound written
# one way (French reading, and the usual transliterations of Arabic and other names).
_SOUND_RULES = [
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"ch(?=[lr])", "k"),  # Christine / Kristine, Chloé / Kloé
        (r"sch|sh", "ch"),
        (r"ph", "f"),
        (r"th", "t"),
        (r"kh", "k"),
        (r"gh", "g"),
        (r"dj", "j"),
        (r"ck|qu|q", "k"),
        (r"c(?=[eiy])", "s"),
        (r"c(?!h)", "k"),
        (r"(?<!c)h", ""),  # silent but in "ch"
        (r"eau|au", "o"),
        (r"ou|oo|w|o", "u"),  # Omar / Oumar, Walid / Oualid, Mohamed / Muhammad
        (r"y", "i"),
        (r"(.)\1+", r"\1"),
        (r"(?<=.)[sx]$", ""),  # silent ends: Agnès / Agnes, Inès / Ines
        (r"(?<=..)e$", ""),
        (r"(?<=.)ed$", "ad"),  # Mohamed / Muhammad, Ahmed / Ahmad
    )
]


def sound_key(value: str) -> str:
    """A French-minded phonetic code of a nickname, so that names written differently
    but said alike find each other: Aïcha, Aicha, AISHA -> 'aicha'; Sophia, Sofia ->
    'sufia'; Mohamed, Mohammed, Muhammad -> 'muamad'. Empty for an empty name."""
    key = search_key(value)
    sound = key
    for pattern, replacement in _SOUND_RULES:
        sound = pattern.sub(replacement, sound)
    return sound or key


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def birthday(born: datetime.date, years: int) -> datetime.date:
    """The day a person born on ``born`` turns ``years`` (29 February: 1 March)."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return datetime.date(born.year + years, 3, 1)


class Gender(models.TextChoices):
    FEMALE = "female", _("Femme")
    MALE = "male", _("Homme")
    TRANS_WOMAN = "trans_woman", _("Femme trans")
    TRANS_MAN = "trans_man", _("Homme trans")
    NON_BINARY = "non_binary", _("Non binaire")
    UNKNOWN = "unknown", _("Inconnu")


# Genders a French word about the person agrees with: feminine, masculine; the others
# take the inclusive form (« né·e »).
FEMININE = frozenset({"female", "trans_woman"})
MASCULINE = frozenset({"male", "trans_man"})


def agreeing(gender: str, feminine: str, masculine: str, inclusive: str) -> str:
    """The form of a word that agrees with ``gender``."""
    if gender in FEMININE:
        return feminine
    if gender in MASCULINE:
        return masculine
    return inclusive


class AgeCategory(models.TextChoices):
    MINOR = "minor", _("Mineur·e")
    YOUNG_ADULT = "young_adult", _("Jeune majeur·e (18-20 ans)")
    ADULT = "adult", _("Majeur·e (21 ans et plus)")
    AGE_UNKNOWN = "age_unknown", _("Âge à déterminer")


class ReferralSource(models.TextChoices):
    OUTREACH = "outreach", _("Travail de rue / antenne mobile")
    PEER = "peer", _("Un·e pair·e")
    ONLINE = "online", _("Internet et réseaux sociaux")
    PARTNER = "partner", _("Un partenaire")
    SELF = "self", _("Venu·e d'elle-même / de lui-même")
    OTHER = "other", _("Autre")
    UNKNOWN = "unknown", _("Inconnue")


def age_category_q(category: str, on) -> Q:
    """Persons of an age category on a day: a date, or an expression such as F("first_met")."""
    if category == AgeCategory.AGE_UNKNOWN:
        return Q(turns_18_on__isnull=True)
    bounds = {
        AgeCategory.MINOR: Q(turns_18_on__gt=on),
        AgeCategory.YOUNG_ADULT: Q(turns_18_on__lte=on, turns_21_on__gt=on),
        AgeCategory.ADULT: Q(turns_21_on__lte=on),
    }
    return bounds[category]


def in_active_file_q(path: str = "") -> Q:
    """Records whose person (``path`` to them, "" for persons) is in the active file:
    ``Procedure.objects.filter(in_active_file_q("person"))``."""
    return Q(**{f"{path}__left_file_on__isnull" if path else "left_file_on__isnull": True})


class LeaveReason(models.TextChoices):
    """Why a person left the active file."""

    MOVED = "moved", _("Déménagement, départ")
    CARE_ELSEWHERE = "care_elsewhere", _("Pris·e en charge ailleurs")
    DECEASED = "deceased", _("Décès")
    NO_NEWS = "no_news", _("Sans nouvelles")
    OTHER = "other", _("Autre motif")


class PersonQuerySet(models.QuerySet):
    def current(self):
        """Persons that are neither pointers left by a merge nor archived."""
        return self.filter(merged_into__isnull=True, archived_at__isnull=True)

    def search(self, text: str):
        """By code or nickname, or part of them, ignoring case and accents (a code typed
        without its dash too); a nickname said alike is found too (``sound_key``: Aisha
        finds Aïcha)."""
        text = (text or "").strip()
        if not text:
            return self
        key = search_key(text)
        query = Q(code__icontains=normalize_code(text)) | Q(code__in=code_forms(text))
        if key:
            query |= Q(nickname_key__contains=key)
            sound = sound_key(text)
            # A short sound is only a start (typing goes on); a longer one may be inside.
            query |= (
                Q(nickname_sound__contains=sound)
                if len(sound) >= 3
                else Q(nickname_sound__startswith=sound)
            )
        return self.filter(query)

    def sounding_like(self, text: str):
        """Persons whose whole nickname sounds like ``text`` (none for an empty text)."""
        sound = sound_key(text)
        return self.filter(nickname_sound=sound) if sound else self.none()

    def in_age_category(self, category: str, on: datetime.date):
        """Persons of an age category on a date, computed in the database."""
        return self.filter(age_category_q(category, on))

    def in_active_file(self):
        """Persons in the active file: those the team follows (see ``ActiveFileChange``)."""
        return self.filter(in_active_file_q())

    def out_of_active_file(self):
        """Persons who left the active file (moved, in care elsewhere, deceased...)."""
        return self.filter(left_file_on__isnull=False)


class PersonManager(models.Manager.from_queryset(PersonQuerySet)):
    def get_queryset(self):
        return super().get_queryset().current()


class Person(Archivable):
    """A beneficiary, known by a pseudonym. Never deleted; a merged duplicate stays as
    a pointer to the record it was merged into and is left out of every list and count.
    """

    code = models.CharField(
        _("code"),
        max_length=12,
        unique=True,
        help_text=_("Généré automatiquement si laissé vide."),
    )
    nickname = models.CharField(_("prénom d'usage ou surnom"), max_length=80)
    nickname_key = models.CharField(max_length=80, editable=False, db_index=True)
    # The nickname's sound (``sound_key``): Aïcha, Aicha and Aisha find each other.
    nickname_sound = models.CharField(max_length=80, editable=False, db_index=True, default="")
    gender = models.CharField(_("genre"), max_length=20, choices=Gender.choices)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("année de naissance"), null=True, blank=True)
    age_to_establish = models.BooleanField(_("présumé·e mineur·e, âge à établir"), default=False)
    languages = models.ManyToManyField(
        Language, verbose_name=_("langues parlées"), blank=True, related_name="+"
    )
    country_of_origin = models.CharField(_("pays d'origine"), max_length=80, blank=True)
    sex_work = models.BooleanField(_("travail du sexe"), default=False)
    prostitution_modes = models.ManyToManyField(
        ProstitutionMode, verbose_name=_("modes d'exercice"), blank=True, related_name="+"
    )
    uses_drugs = models.BooleanField(_("usage de drogues"), default=False)
    products = models.ManyToManyField(
        Product, verbose_name=_("produits consommés"), blank=True, related_name="+"
    )
    referral_source = models.CharField(
        _("orientée par"),
        max_length=20,
        choices=ReferralSource.choices,
        default=ReferralSource.UNKNOWN,
    )
    notes = models.TextField(_("notes"), blank=True)
    objects_to_health_sharing = models.BooleanField(
        _("s'oppose au partage des notes de santé"),
        default=False,
        help_text=_(
            "Si coché, aucune note de transmission du pôle santé n'est montrée aux éducateur·rices."
        ),
    )
    # Raised by every edit and by anonymisation (part of what a concurrent edit compares).
    version = models.PositiveIntegerField(default=1, editable=False)
    # Derived from the birth data on save (empty when the age is unknown or to establish),
    # so that age categories on any day are simple date comparisons in the database.
    turns_18_on = models.DateField(null=True, blank=True, editable=False)
    turns_21_on = models.DateField(null=True, blank=True, editable=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("fusionnée dans"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_duplicates",
        editable=False,
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now, editable=False)
    # Set by the retention command: the person's identifying details are gone for good,
    # what the figures count (gender, age, meetings) stays.
    anonymised_at = models.DateTimeField(_("anonymisée le"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créée par"),
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )
    # The active file: empty while the person is followed; else the day and reason they
    # left it. Kept in step with the latest ``ActiveFileChange`` by
    # ``contacts.services.person_leave_file`` / ``person_return_to_file`` only.
    left_file_on = models.DateField(
        _("hors file active depuis le"), null=True, blank=True, editable=False
    )
    left_file_reason = models.CharField(
        _("motif de sortie de la file active"),
        max_length=20,
        choices=LeaveReason.choices,
        blank=True,
        editable=False,
    )

    all_objects = PersonQuerySet.as_manager()
    objects = PersonManager()

    class Meta:
        verbose_name = _("personne")
        verbose_name_plural = _("personnes")
        ordering = ["nickname_key", "code"]
        default_manager_name = "all_objects"
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True) | Q(birth_year__gte=1900),
                name="person_birth_year_plausible",
            ),
            models.CheckConstraint(
                condition=Q(left_file_on__isnull=True, left_file_reason="")
                | (Q(left_file_on__isnull=False) & ~Q(left_file_reason="")),
                name="person_left_file_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nickname} ({self.code})"

    @property
    def in_active_file(self) -> bool:
        return self.left_file_on is None

    def born_in(self) -> str:
        """« née en 1998 », « né en 1998 », « né·e en 1998 » by gender."""
        year = {"year": self.birth_year}
        return agreeing(
            self.gender,
            _("née en %(year)s") % year,
            _("né en %(year)s") % year,
            _("né·e en %(year)s") % year,
        )

    def born_on_label(self) -> str:
        """The heading of a birth date: « Née le », « Né le », « Né·e le »."""
        return str(agreeing(self.gender, _("Née le"), _("Né le"), _("Né·e le")))

    def save(self, *args, **kwargs):
        self.fill_derived()
        super().save(*args, **kwargs)

    def fill_derived(self) -> Person:
        """Set the fields derived from others (also before a ``bulk_create``)."""
        if not self.code:
            self.code = generate_code()
        self.code = normalize_code(self.code)
        self.nickname_key = search_key(self.nickname)
        self.nickname_sound = sound_key(self.nickname)
        if self.birth_date:
            self.birth_year = self.birth_date.year
        born = None if self.age_to_establish else self.birth_day
        self.turns_18_on = birthday(born, 18) if born else None
        self.turns_21_on = birthday(born, 21) if born else None
        return self

    def clean(self):
        today = timezone.localdate()
        errors = {}
        if self.birth_date and self.birth_date > today:
            errors["birth_date"] = _("La date de naissance ne peut pas être dans le futur.")
        if self.birth_year is not None and not 1900 <= self.birth_year <= today.year:
            errors["birth_year"] = _(
                "L'année de naissance doit être comprise entre 1900 et %(year)s."
            ) % {"year": today.year}
        if (
            self.birth_date
            and self.birth_year is not None
            and self.birth_year != self.birth_date.year
            and "birth_year" not in errors
        ):
            errors["birth_year"] = _("L'année ne correspond pas à la date de naissance.")
        # The active file's state, as an import writes it (the pages go through the
        # services, which keep it in step with its history).
        if self.left_file_on and self.left_file_on > today:
            errors["left_file_on"] = _("La date ne peut pas être dans le futur.")
        if self.left_file_on and not self.left_file_reason:
            errors["left_file_reason"] = _("Indiquez le motif de sortie de la file active.")
        if self.left_file_reason and not self.left_file_on:
            errors["left_file_on"] = _("Indiquez la date de sortie de la file active.")
        if errors:
            raise ValidationError(errors)

    @property
    def birth_day(self) -> datetime.date | None:
        """Birth date, or 1 January of the birth year when only the year is known."""
        if self.birth_date:
            return self.birth_date
        if self.birth_year:
            return datetime.date(self.birth_year, 1, 1)
        return None

    def age_on(self, day: datetime.date) -> int | None:
        born = self.birth_day
        if born is None:
            return None
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def age_category_on(self, day: datetime.date) -> str:
        age = None if self.age_to_establish else self.age_on(day)
        if age is None:
            return AgeCategory.AGE_UNKNOWN
        if age < 18:
            return AgeCategory.MINOR
        if age < 21:
            return AgeCategory.YOUNG_ADULT
        return AgeCategory.ADULT

    def get_age_category_display(self) -> str:
        return AgeCategory(self.age_category_on(timezone.localdate())).label


class ActiveFileChange(models.Model):
    """A person leaving the active file, or coming back to it, on a day. The person's
    current state (``Person.left_file_on``) is the latest of these; figures count what
    happened whatever the state."""

    class Kind(models.TextChoices):
        LEFT = "left", _("Sortie de la file active")
        RETURNED = "returned", _("Retour dans la file active")

    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="active_file_changes",
        verbose_name=_("personne"),
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("changement"), max_length=10, choices=Kind.choices)
    reason = models.CharField(_("motif"), max_length=20, choices=LeaveReason.choices, blank=True)
    note = models.CharField(_("précision"), max_length=500, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saisi par"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("saisi le"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("changement de file active")
        verbose_name_plural = _("changements de file active")
        ordering = ["-date", "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="left") & ~Q(reason="")) | Q(kind="returned", reason=""),
                name="active_file_change_reason_when_leaving",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.code} · {self.get_kind_display()} · {self.date.isoformat()}"

    def clean(self):
        errors = {}
        if self.date and self.date > timezone.localdate():
            errors["date"] = _("La date ne peut pas être dans le futur.")
        if self.kind == self.Kind.LEFT and not self.reason:
            errors["reason"] = _("Indiquez le motif de sortie de la file active.")
        if self.kind == self.Kind.RETURNED and self.reason:
            errors["reason"] = _("Un retour dans la file active n'a pas de motif.")
        if errors:
            raise ValidationError(errors)


class LegalIdentity(models.Model):
    """Civil identity, needed for rights procedures and PSP files only.

    Stored apart from the person; never listed or searched; every display is logged.
    """

    person = models.OneToOneField(
        Person, on_delete=models.PROTECT, related_name="legal_identity", verbose_name=_("personne")
    )
    # Encrypted in the database (entractes.fields): the key lives outside it.
    last_name = EncryptedCharField(_("nom"), max_length=120)
    first_names = EncryptedCharField(_("prénoms"), max_length=200)
    birth_date = EncryptedDateField(_("date de naissance"), null=True, blank=True)
    birth_place = EncryptedCharField(_("lieu de naissance"), max_length=120, blank=True)
    nationality = EncryptedCharField(_("nationalité"), max_length=80, blank=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("identité légale")
        verbose_name_plural = _("identités légales")

    def __str__(self) -> str:
        return str(_("Identité légale de %(code)s") % {"code": self.person.code})

    def clean(self):
        if self.birth_date and self.birth_date > timezone.localdate():
            raise ValidationError(
                {"birth_date": _("La date de naissance ne peut pas être dans le futur.")}
            )


class PersonMerge(models.Model):
    """A merge of a duplicate into a kept person, with what moved, so it can be undone."""

    kept = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="merges_received",
        verbose_name=_("conservée"),
    )
    duplicate = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="merges_given", verbose_name=_("doublon")
    )
    merged_at = models.DateTimeField(_("fusionnée le"), default=timezone.now)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    moved = models.JSONField(default=list, editable=False)
    # What the merge changed on the kept person's profile (values before and after,
    # list entries added), so the undo gives it back as it was.
    profile = models.JSONField(default=dict, editable=False)
    undone_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("fusion")
        verbose_name_plural = _("fusions")
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"{self.duplicate.code} -> {self.kept.code}"
