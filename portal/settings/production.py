"""Production: refuses to start without a secret key, serves only over HTTPS."""

import os

os.environ.setdefault("DEBUG", "false")

from cryptography.fernet import Fernet  # noqa: E402
from django.core.exceptions import ImproperlyConfigured  # noqa: E402

from .base import *  # noqa: E402,F403
from .base import AUDIT_HMAC_KEY, MFA_ENCRYPTION_KEY, SECRET_KEY, env  # noqa: E402

if not SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of at least 50 chars.")
# The audit chain's key lives outside the database, so a database role cannot rehash the log.
if not AUDIT_HMAC_KEY or len(AUDIT_HMAC_KEY) < 32 or AUDIT_HMAC_KEY == SECRET_KEY:
    raise ImproperlyConfigured(
        "AUDIT_HMAC_KEY must be set to a random value of at least 32 chars, not SECRET_KEY."
    )
if not MFA_ENCRYPTION_KEY:
    raise ImproperlyConfigured(
        "MFA_ENCRYPTION_KEY must be set: the Fernet key that encrypts the stored TOTP secrets."
    )
try:
    Fernet(MFA_ENCRYPTION_KEY)
except ValueError:
    raise ImproperlyConfigured(
        "MFA_ENCRYPTION_KEY must be a Fernet key: python -c 'from cryptography.fernet import "
        "Fernet; print(Fernet.generate_key().decode())'"
    ) from None
if DEBUG:  # noqa: F405
    raise ImproperlyConfigured("DEBUG must be off in production.")

# Persistent database connections: a gunicorn worker keeps its PostgreSQL connection for up
# to a minute instead of opening one per request; one found broken is replaced before use.
# CONN_MAX_AGE=0 opens one per request again (for example behind PgBouncer in session mode).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_AGE = 60 * 60 * 8
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
