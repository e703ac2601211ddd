"""MFA secrets stored in plain text before encryption at rest are encrypted now.

Needs MFA_ENCRYPTION_KEY when there is anything to encrypt (see ``portal.mfa_crypto``).
"""

from django.db import migrations

from portal import mfa_crypto


def encrypt_secrets(apps, schema_editor):
    Authenticator = apps.get_model("mfa", "Authenticator")
    changed = []
    for authenticator in Authenticator.objects.order_by("pk"):
        data = mfa_crypto.reencrypt_data(authenticator.data)
        if data != authenticator.data:
            authenticator.data = data
            changed.append(authenticator)
    Authenticator.objects.bulk_update(changed, ["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0007_submission_key"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [
        migrations.RunPython(encrypt_secrets, migrations.RunPython.noop),
    ]
