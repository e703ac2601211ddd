"""Settings are checked in fresh interpreters: each mode reads the environment at import."""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import django, json
django.setup()
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "eager": s.CELERY_TASK_ALWAYS_EAGER,
    "broker": s.CELERY_BROKER_URL, "tz": s.TIME_ZONE, "lang": s.LANGUAGE_CODE,
    "langs": [code for code, _ in s.LANGUAGES], "cache": s.CACHES["default"]["BACKEND"],
    "demo": "demo" in s.INSTALLED_APPS,
}))
"""
CLEAN_ENV = {
    k: v
    for k, v in os.environ.items()
    if k
    not in {
        "DATABASE_URL",
        "REDIS_URL",
        "CELERY_BROKER_URL",
        "CELERY_TASK_ALWAYS_EAGER",
        "DEBUG",
        "SECRET_KEY",
        "AUDIT_HMAC_KEY",
        "CACHE_URL",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "MFA_ENCRYPTION_KEY",
    }
}


AUDIT_KEY = "c" * 16 + "-production-audit-key-" + "d" * 16


def run(args, settings_module, **env):
    return subprocess.run(
        args,
        cwd=ROOT,
        env={**CLEAN_ENV, "DJANGO_SETTINGS_MODULE": settings_module, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def probe(settings_module, **env) -> dict:
    result = run([sys.executable, "-c", PROBE], settings_module, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_default_mode_needs_nothing_configured_sqlite_and_eager_celery():
    values = probe("portal.settings.dev")
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["eager"] is True
    assert values["broker"] == "memory://localhost/"
    assert values["cache"].endswith("LocMemCache")
    assert values["tz"] == "Europe/Amsterdam"
    assert values["lang"] == "nl"
    assert values["langs"] == ["nl", "en"]


# What an in-process (eager) task does before it runs: take a producer from the broker's pool.
EAGER_PRODUCER = """
import django
django.setup()
from portal.celery import app
with app.producer_or_acquire(None) as producer:
    print(producer.serializer or app.conf.task_serializer)
"""


def test_an_in_process_task_takes_its_producer_without_a_hostname_warning():
    result = run([sys.executable, "-c", EAGER_PRODUCER], "portal.settings.dev")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "json"
    assert result.stderr == ""


def test_database_url_switches_to_postgresql_and_redis_url_to_a_real_broker():
    values = probe(
        "portal.settings.dev",
        DATABASE_URL="postgres://portal:portal@db.example:5432/portaal",
        REDIS_URL="redis://cache.example:6379/0",
    )
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["name"] == "portaal"
    assert values["eager"] is False
    assert values["broker"] == "redis://cache.example:6379/0"
    assert values["cache"].endswith("RedisCache")


def test_production_refuses_to_start_without_a_secret_key():
    result = run([sys.executable, "manage.py", "check"], "portal.settings.production")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_an_audit_key():
    """The audit chain's key comes from the environment, never from a default."""
    result = run(
        [sys.executable, "manage.py", "check"],
        "portal.settings.production",
        SECRET_KEY="a" * 20 + "-production-like-secret-" + "b" * 20,
        MFA_ENCRYPTION_KEY=MFA_KEY,
    )
    assert result.returncode != 0
    assert "AUDIT_HMAC_KEY" in result.stderr


MFA_KEY = "cHJvZHVjdGlvbi1saWtlLW1mYS1rZXktZm9yLXRlc3Q="


def test_production_mode_passes_check_deploy_without_warnings():
    result = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        "portal.settings.production",
        SECRET_KEY="a" * 20 + "-production-like-secret-" + "b" * 20,
        AUDIT_HMAC_KEY=AUDIT_KEY,
        MFA_ENCRYPTION_KEY=MFA_KEY,
        DATABASE_URL="postgres://portal:portal@127.0.0.1:5432/portal",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("key", [None, "not-a-fernet-key"], ids=["missing", "malformed"])
def test_production_refuses_to_start_without_a_valid_mfa_encryption_key(key):
    env = {
        "SECRET_KEY": "a" * 20 + "-production-like-secret-" + "b" * 20,
        "AUDIT_HMAC_KEY": AUDIT_KEY,
    }
    if key is not None:
        env["MFA_ENCRYPTION_KEY"] = key
    result = run([sys.executable, "manage.py", "check"], "portal.settings.production", **env)
    assert result.returncode != 0
    assert "MFA_ENCRYPTION_KEY" in result.stderr


PRODUCTION_PACKAGES = ["portal", "trainings", "verkenning", "werkplaats", "signalen"]


def test_only_the_dev_and_test_settings_install_the_demo(settings):
    assert probe("portal.settings.dev")["demo"] is True
    assert "demo" in settings.INSTALLED_APPS
    production = probe(
        "portal.settings.production",
        SECRET_KEY="a" * 20 + "-production-like-secret-" + "b" * 20,
        AUDIT_HMAC_KEY=AUDIT_KEY,
        MFA_ENCRYPTION_KEY=MFA_KEY,
    )
    assert production["demo"] is False


def test_no_production_module_imports_the_demo():
    offenders = []
    for package in PRODUCTION_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    names = [node.module or ""]
                else:
                    continue
                if any(name == "demo" or name.startswith("demo.") for name in names):
                    offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


MAIL_PROBE = """
import django, json
django.setup()
from django.core.mail import get_connection
connection = get_connection()
print(json.dumps({"timeout": connection.timeout, "host": connection.host}))
"""


def mail_probe(**env) -> dict:
    result = run([sys.executable, "-c", MAIL_PROBE], "portal.settings.production", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


PRODUCTION_ENV = {
    "SECRET_KEY": "s" * 60,
    "ALLOWED_HOSTS": "portal.example",
    "AUDIT_HMAC_KEY": AUDIT_KEY,
    "MFA_ENCRYPTION_KEY": MFA_KEY,
}


def test_the_mail_server_timeout_has_a_default_and_comes_from_email_url_or_email_timeout():
    smtp = "smtp://mail.example:25"
    assert mail_probe(**PRODUCTION_ENV, EMAIL_URL=smtp)["timeout"] == 20
    assert mail_probe(**PRODUCTION_ENV, EMAIL_URL=f"{smtp}?timeout=7") == {
        "timeout": 7,
        "host": "mail.example",
    }
    assert (
        mail_probe(**PRODUCTION_ENV, EMAIL_URL=f"{smtp}?timeout=7", EMAIL_TIMEOUT="3")["timeout"]
        == 3
    )


def test_an_unknown_email_url_option_is_refused():
    result = run(
        [sys.executable, "-c", MAIL_PROBE],
        "portal.settings.production",
        **PRODUCTION_ENV,
        EMAIL_URL="smtp://mail.example:25?timeuot=7",
    )
    assert result.returncode != 0
    assert "unknown option 'timeuot'" in result.stderr
