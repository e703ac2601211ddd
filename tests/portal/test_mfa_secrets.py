"""TOTP secrets and recovery codes are stored encrypted and never shown in the admin."""

import importlib

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from cryptography.fernet import Fernet
from django.apps import apps as django_apps
from django.core.management import call_command
from django.urls import reverse

from demo.totp import current_totp_code
from portal import mfa_crypto
from tests.portal.factories import UserFactory, add_totp, force_login_with_mfa

pytestmark = pytest.mark.django_db


def stored(user, kind=Authenticator.Type.TOTP) -> dict:
    return Authenticator.objects.get(user=user, type=kind).data


def test_the_totp_secret_is_stored_encrypted_and_still_validates():
    user = UserFactory()
    secret = add_totp(user)
    data = stored(user)
    assert secret not in str(data)
    assert data["secret"].startswith(mfa_crypto.PREFIX)
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    assert TOTP(authenticator).validate_code(current_totp_code(secret=secret))


def test_recovery_codes_are_derived_from_an_encrypted_seed():
    user = UserFactory()
    codes = RecoveryCodes.activate(user)
    seed = mfa_crypto.decrypt(stored(user, Authenticator.Type.RECOVERY_CODES)["seed"])
    assert seed not in str(stored(user, Authenticator.Type.RECOVERY_CODES))
    assert len(codes.generate_codes()) > 0


def test_a_secret_stored_in_plain_text_is_refused_not_used():
    with pytest.raises(Exception, match="reencrypt_mfa_secrets"):
        mfa_crypto.decrypt("JBSWY3DPEHPK3PXP")


def test_the_command_encrypts_plain_secrets_and_rotates_to_a_new_key(settings):
    user = UserFactory()
    secret = add_totp(user)
    # A secret from before encryption at rest.
    Authenticator.objects.filter(user=user).update(data={"secret": secret})
    call_command("reencrypt_mfa_secrets")
    first = stored(user)["secret"]
    assert first.startswith(mfa_crypto.PREFIX)
    assert mfa_crypto.decrypt(first) == secret

    old_key = settings.MFA_ENCRYPTION_KEY
    settings.MFA_ENCRYPTION_KEY = Fernet.generate_key().decode()
    settings.MFA_ENCRYPTION_OLD_KEYS = [old_key]
    assert mfa_crypto.decrypt(first) == secret  # still readable during the rotation
    call_command("reencrypt_mfa_secrets")
    settings.MFA_ENCRYPTION_OLD_KEYS = []
    assert mfa_crypto.decrypt(stored(user)["secret"]) == secret


def test_the_admin_shows_no_secret_or_recovery_code(client):
    owner = UserFactory()
    secret = add_totp(owner)
    RecoveryCodes.activate(owner)
    codes = RecoveryCodes(
        Authenticator.objects.get(user=owner, type=Authenticator.Type.RECOVERY_CODES)
    ).generate_codes()
    admin = UserFactory(is_staff=True, is_superuser=True)
    add_totp(admin)
    force_login_with_mfa(client, admin)
    pages = [reverse("admin:mfa_authenticator_changelist")]
    for authenticator in Authenticator.objects.filter(user=owner):
        pages += [
            reverse("admin:mfa_authenticator_change", args=[authenticator.pk]),
            reverse("admin:mfa_authenticator_delete", args=[authenticator.pk]),
        ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        for value in [secret, *codes, *[str(a.data) for a in Authenticator.objects.all()]]:
            assert value not in html, page
        assert mfa_crypto.PREFIX not in html


def test_the_migration_encrypts_secrets_stored_before_encryption_at_rest():
    migration = importlib.import_module("portal.migrations.0008_encrypt_mfa_secrets")
    user = UserFactory()
    secret = add_totp(user)
    Authenticator.objects.filter(user=user).update(data={"secret": secret})
    migration.encrypt_secrets(django_apps, None)
    assert mfa_crypto.decrypt(stored(user)["secret"]) == secret
