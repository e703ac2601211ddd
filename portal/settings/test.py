"""Test settings: the real services, fast hashing, mail kept in memory."""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("DATABASE_URL", "postgres://portal:portal@127.0.0.1:5432/portal")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

from .base import *  # noqa: E402,F403
from .base import INSTALLED_APPS, env  # noqa: E402

# The demo seeding is tested too; production does not install it.
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]

SECRET_KEY = "test-only-key-not-secret-" + "x" * 40
AUDIT_HMAC_KEY = env("AUDIT_HMAC_KEY", default="test-only-audit-key-not-secret")
MFA_ENCRYPTION_KEY = "dGVzdC1vbmx5LW1mYS1rZXktbm90LXNlY3JldC0wMDA="
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
# A worker process started by a test writes its mail here, where the test can count it.
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=None)
# The cache gets its own Redis database: tests clear it, which must not touch the broker's.
CACHES["default"]["LOCATION"] = env(  # noqa: F405
    "CACHE_URL",
    default=REDIS_URL.rsplit("/", 1)[0] + "/14",  # noqa: F405
)
# Tests call tasks in-process unless a test starts a real worker for them.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media" / "test"))  # noqa: F405
