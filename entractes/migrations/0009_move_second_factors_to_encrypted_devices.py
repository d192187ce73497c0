"""Move django-otp's devices (plain hex keys, plain recovery codes) to the project's
encrypted authenticator devices and hashed recovery codes."""

from django.db import migrations
from django.utils.crypto import salted_hmac

FIELDS = ["user_id", "name", "confirmed", "step", "t0", "digits", "tolerance", "drift", "last_t"]


def forward(apps, schema_editor):
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    StaticDevice = apps.get_model("otp_static", "StaticDevice")
    AuthenticatorDevice = apps.get_model("entractes", "AuthenticatorDevice")
    RecoveryDevice = apps.get_model("entractes", "RecoveryDevice")
    RecoveryCode = apps.get_model("entractes", "RecoveryCode")
    for old in TOTPDevice.objects.all():
        AuthenticatorDevice.objects.create(
            key=old.key, **{name: getattr(old, name) for name in FIELDS}
        )
    TOTPDevice.objects.all().delete()
    for old in StaticDevice.objects.all():
        new = RecoveryDevice.objects.create(
            user_id=old.user_id, name=old.name, confirmed=old.confirmed
        )
        for token in old.token_set.all():
            digest = salted_hmac("entractes.recovery-code", token.token.strip().lower())
            RecoveryCode.objects.create(device=new, code_hash=digest.hexdigest())
    StaticDevice.objects.all().delete()


def backward(apps, schema_editor):
    # Keys go back to django-otp's table; hashed recovery codes cannot be read back
    # (their holders draw new ones after pairing again).
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    AuthenticatorDevice = apps.get_model("entractes", "AuthenticatorDevice")
    for new in AuthenticatorDevice.objects.all():
        TOTPDevice.objects.create(key=new.key, **{name: getattr(new, name) for name in FIELDS})
    AuthenticatorDevice.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("entractes", "0008_account_change_requests_and_encrypted_devices"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(forward, backward)]
