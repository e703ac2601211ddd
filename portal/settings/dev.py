"""The embedded default: runs on a fresh machine with nothing configured."""

import os

os.environ.setdefault("DEBUG", "true")

from .base import *  # noqa: E402,F403
from .base import INSTALLED_APPS, env  # noqa: E402

# Demo seeding (`manage.py seed_demo`) exists in development and tests only, never in production.
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me")
AUDIT_HMAC_KEY = env("AUDIT_HMAC_KEY", default="dev-only-audit-key-not-secret")
# Dev-only key so the demo's second factors work on a fresh machine; production requires one.
MFA_ENCRYPTION_KEY = env(
    "MFA_ENCRYPTION_KEY", default="ZGV2LW9ubHktbWZhLWtleS1ub3Qtc2VjcmV0LTAwMDA="
)
