"""Legal identities and clinical text are encrypted in the database, keys outside it."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from contacts.models import LegalIdentity
from health.models import Consultation
from tests.factories import ConsultationFactory, LegalIdentityFactory

pytestmark = pytest.mark.django_db

OLD_KEY = "old-field-encryption-key-0123456789abcdef"
NEW_KEY = "new-field-encryption-key-0123456789abcdef"


def raw_row(model, pk, columns):
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {cols} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()


IDENTITY_COLUMNS = ["last_name", "first_names", "birth_date", "birth_place", "nationality"]


def test_legal_identity_is_stored_encrypted_and_read_in_clear():
    identity = LegalIdentityFactory(
        last_name="MARQUEURNOM", first_names="Marqueurprenom", birth_date="1990-04-02"
    )
    stored = raw_row(LegalIdentity, identity.pk, IDENTITY_COLUMNS)
    for value in stored:
        assert value.startswith("gAAAA"), value  # a Fernet token
    joined = " ".join(stored)
    assert "MARQUEUR" not in joined.upper()
    assert "1990" not in joined
    assert "Lagos" not in joined

    again = LegalIdentity.objects.get(pk=identity.pk)
    assert again.last_name == "MARQUEURNOM"
    assert str(again.birth_date) == "1990-04-02"
    assert again.birth_place == "Lagos"


def test_clinical_notes_are_stored_encrypted_and_blank_stays_blank():
    consultation = ConsultationFactory(
        clinical_note="Marqueur clinique confidentiel", shared_note=""
    )
    clinical, shared = raw_row(Consultation, consultation.pk, ["clinical_note", "shared_note"])
    assert clinical.startswith("gAAAA")
    assert "Marqueur" not in clinical
    assert shared is None
    again = Consultation.objects.get(pk=consultation.pk)
    assert again.clinical_note == "Marqueur clinique confidentiel"
    assert again.shared_note == ""


def test_rotation_new_key_first_then_reencrypt_then_old_key_dropped():
    with override_settings(SALT_KEY=[OLD_KEY]):
        identity = LegalIdentityFactory(last_name="Rotation")
        consultation = ConsultationFactory(clinical_note="Note avant rotation")
        old_token = raw_row(LegalIdentity, identity.pk, ["last_name"])[0]

    # Step 1: the new key first, the old one still there: everything still reads.
    with override_settings(SALT_KEY=[NEW_KEY, OLD_KEY]):
        assert LegalIdentity.objects.get(pk=identity.pk).last_name == "Rotation"
        # Step 2: rewrite every value with the new key.
        call_command("reencrypt", stdout=open("/dev/null", "w"))  # noqa: SIM115
        new_token = raw_row(LegalIdentity, identity.pk, ["last_name"])[0]
        assert new_token != old_token

    # Step 3: the old key is removed; the values still read with the new one alone.
    with override_settings(SALT_KEY=[NEW_KEY]):
        assert LegalIdentity.objects.get(pk=identity.pk).last_name == "Rotation"
        assert Consultation.objects.get(pk=consultation.pk).clinical_note == "Note avant rotation"

    # Without the key, the database alone gives nothing readable.
    with override_settings(SALT_KEY=["some-other-key-0123456789abcdefghij"]):
        assert LegalIdentity.objects.get(pk=identity.pk).last_name != "Rotation"
