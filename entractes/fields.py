"""Encrypted model fields (django-fernet-encrypted-fields), for legal identities,
clinical free text and uploaded documents.

The keys come from the environment (``FIELD_ENCRYPTION_KEYS``, newest first, combined
with ``SECRET_KEY`` and ``SECRET_KEY_FALLBACKS``); the database only ever holds Fernet
tokens. An empty value is stored as NULL and read back as an empty string, so that the
fields behave like Django's own ``blank=True`` text fields. Encrypted columns cannot be
searched or sorted in the database: none of them ever is.
"""

from __future__ import annotations

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from encrypted_fields import fields as encrypted


class _BlankAsEmpty:
    def __init__(self, *args, **kwargs):
        if kwargs.get("blank"):
            kwargs["null"] = True
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        value = super().from_db_value(value, expression, connection)
        return "" if value is None else value


class EncryptedCharField(_BlankAsEmpty, encrypted.EncryptedCharField):
    pass


class EncryptedTextField(_BlankAsEmpty, encrypted.EncryptedTextField):
    pass


class EncryptedDateField(encrypted.EncryptedDateField):
    pass


class EncryptedBinaryField(encrypted.EncryptedFieldMixin, models.BinaryField):
    """Bytes (a scanned document) stored as a Fernet token, with the same keys as the text
    fields; empty bytes are stored empty. A token the keys cannot read is an error, never
    bytes handed on as if they were the document."""

    # Rows rewritten at a time by ``manage.py reencrypt``: each may hold megabytes.
    rotation_batch = 10

    def get_internal_type(self) -> str:
        return "BinaryField"

    def get_prep_value(self, value):
        value = models.BinaryField.get_prep_value(self, value)
        if not value:
            return b""
        return self.f.encrypt(bytes(value))

    def get_db_prep_value(self, value, connection, prepared=False):
        return models.BinaryField.get_db_prep_value(self, value, connection, prepared)

    def from_db_value(self, value, expression, connection):
        if not value:
            return b""
        try:
            return self.f.decrypt(bytes(value))
        except InvalidToken:
            raise InvalidToken(f"{self.model._meta.label}.{self.name}: unreadable token") from None

    def to_python(self, value):
        return models.BinaryField.to_python(self, value)


def encrypted_fields_of(model) -> list[str]:
    """Names of a model's encrypted fields."""
    return [
        f.name for f in model._meta.concrete_fields if isinstance(f, encrypted.EncryptedFieldMixin)
    ]


@receiver(setting_changed)
def _forget_keys(*, setting, **kwargs):
    """Keys are derived once per field; a change of key settings (tests) derives them again."""
    if setting not in {"SALT_KEY", "SECRET_KEY", "SECRET_KEY_FALLBACKS"}:
        return
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, encrypted.EncryptedFieldMixin):
                field.__dict__.pop("keys", None)
                field.__dict__.pop("f", None)
