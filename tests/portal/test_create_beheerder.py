"""``manage.py create_beheerder``: the first beheerder on an empty install."""

import subprocess
import sys

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from portal import permissions
from portal.models import RoleChange, User
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Een-sterk-wachtwoord-2026"


def test_it_creates_a_verified_beheerder_and_prints_the_next_step(monkeypatch, capsys):
    monkeypatch.setenv("BEHEERDER_PASSWORD", GOOD_PASSWORD)
    call_command("create_beheerder", "Bea@Gemeente.example", "--name", "Bea Beheer", "--no-input")
    user = User.objects.get(email="bea@gemeente.example")
    assert user.full_name == "Bea Beheer"
    assert user.check_password(GOOD_PASSWORD)
    assert EmailAddress.objects.get(user=user).verified
    assert permissions.is_beheerder(user)
    assert permissions.requires_mfa(user)
    change = RoleChange.objects.get(subject=user)
    assert change.actor is None and change.action == "granted"
    out = capsys.readouterr().out
    assert "/accounts/login/" in out
    assert "TOTP" in out


def test_it_asks_for_the_password_twice(monkeypatch):
    answers = iter(["anders-dan-de-tweede", "iets-heel-anders", GOOD_PASSWORD, GOOD_PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    call_command("create_beheerder", "bea@gemeente.example")
    user = User.objects.get(email="bea@gemeente.example")
    assert user.check_password(GOOD_PASSWORD)
    assert user.full_name == "bea"


def test_a_weak_password_is_refused(monkeypatch):
    monkeypatch.setenv("BEHEERDER_PASSWORD", "12345")
    with pytest.raises(CommandError):
        call_command("create_beheerder", "bea@gemeente.example", "--no-input")
    assert not User.objects.exists()


def test_an_existing_address_is_refused_with_the_way_to_grant_the_role():
    UserFactory(email="bea@gemeente.example")
    with pytest.raises(CommandError, match="--grant"):
        call_command("create_beheerder", "bea@gemeente.example", "--no-input")
    assert not RoleChange.objects.exists()


def test_grant_gives_an_existing_account_the_role():
    user = UserFactory(email="bea@gemeente.example")
    call_command("create_beheerder", "bea@gemeente.example", "--grant")
    assert permissions.is_beheerder(User.objects.get(pk=user.pk))
    with pytest.raises(CommandError, match="heeft deze rol al"):
        call_command("create_beheerder", "bea@gemeente.example", "--grant")


def test_grant_without_an_account_is_refused():
    with pytest.raises(CommandError, match="no account"):
        call_command("create_beheerder", "niemand@gemeente.example", "--grant")


def test_it_works_with_production_settings():
    """The command needs nothing that only dev or test settings provide."""
    env = {
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": "x" * 60,
        "AUDIT_HMAC_KEY": "z" * 40,
        "MFA_ENCRYPTION_KEY": "cHJvZHVjdGlvbi1saWtlLW1mYS1rZXktZm9yLXRlc3Q=",
        "DATABASE_URL": "sqlite:///:memory:",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "create_beheerder", "--help"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "--grant" in result.stdout
