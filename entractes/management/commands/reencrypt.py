"""Rewrite every encrypted value with the newest key (key rotation, step 2)."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from entractes.fields import encrypted_fields_of

BATCH = 500


class Command(BaseCommand):
    help = (
        "Re-chiffre toutes les valeurs chiffrées avec la première clé de "
        "FIELD_ENCRYPTION_KEYS (rotation des clés)."
    )

    def handle(self, *args, **options):
        for model in apps.get_models():
            fields = encrypted_fields_of(model)
            if not fields:
                continue
            size = min(
                [BATCH]
                + [getattr(model._meta.get_field(name), "rotation_batch", BATCH) for name in fields]
            )
            done = 0
            with transaction.atomic():
                rows = model._base_manager.only("pk", *fields).order_by("pk")
                batch = []
                for row in rows.iterator(chunk_size=size):
                    batch.append(row)
                    if len(batch) == size:
                        model._base_manager.bulk_update(batch, fields)
                        done += len(batch)
                        batch = []
                model._base_manager.bulk_update(batch, fields)
                done += len(batch)
            self.stdout.write(f"{model._meta.label}: {done} ligne(s) re-chiffrée(s)")
