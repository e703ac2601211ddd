"""Settings shared by every mode; each value comes from the environment.

The embedded default needs nothing configured: SQLite, local memory cache and
Celery tasks run in-process. Setting DATABASE_URL and REDIS_URL switches to
PostgreSQL and Redis.
"""

from datetime import date
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Single sign-on per organisation (see the block "Single sign-on" below).
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "portal",
    "trainings",
    "verkenning",
    "werkplaats",
    "signalen",
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost but one, so every answer under /signalen/ leaves with no-store.
    "signalen.middleware.NoStoreMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.middleware.RequireMFAMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portal.context_processors.roles",
            ],
            # Every template writes dates in the named formats of portal.formats.
            "builtins": ["portal.templatetags.portal_formats"],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            # Redis, or process-local memory while Redis is down: login's rate limits and
            # the used TOTP codes live here, and a broker outage must not stop a login.
            "BACKEND": "portal.cache.FallbackRedisCache",
            "LOCATION": env("CACHE_URL", default=REDIS_URL),
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="portal"),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: e-mail login, verified addresses, sign-up restricted by the adapter.
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
ACCOUNT_FORMS = {"signup": "portal.forms.SignupForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Werkend Leren] "
ACCOUNT_RATE_LIMITS = {
    # Ten failed attempts per minute per IP, whatever the account. Failures per account are
    # slowed down per account and address with a growing wait (portal.throttle), never a lock
    # of the account from every address.
    "login_failed": "10/m/ip",
    "login": "30/m/ip",
    "signup": "10/m/ip",
    "reset_password": "10/m/ip,3/m/key",
}
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

MFA_ADAPTER = "portal.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Werkend Leren"
# One period of clock drift either way (RFC 6238, section 5.2): a phone a few seconds off, or a
# code typed as it rolls over, still works. allauth refuses a code that was used before.
MFA_TOTP_TOLERANCE = 1
# TOTP secrets and recovery-code seeds are stored encrypted with this Fernet key (required in
# production); during a rotation the previous keys go in MFA_ENCRYPTION_OLD_KEYS (README).
MFA_ENCRYPTION_KEY = env("MFA_ENCRYPTION_KEY", default="")
MFA_ENCRYPTION_OLD_KEYS = env.list("MFA_ENCRYPTION_OLD_KEYS", default=[])

# --- Single sign-on per organisation (OpenID Connect through allauth.socialaccount) ---------
# The identity providers are portal.IdentityProvider rows kept by the beheerder; the adapter
# serves them to allauth as apps (no SocialApp rows). A person is linked to an existing account
# only by an address the provider asserts as verified; otherwise a new account is made in the
# provider's organisation. TOTP is skipped only when the provider asserts a second factor
# (portal.sso_rules).
SOCIALACCOUNT_ADAPTER = "portal.adapters.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "mandatory"
# The provider's tokens are not kept: the portal needs only who logged in, not API access.
SOCIALACCOUNT_STORE_TOKENS = False
# allauth's provider login URL asks for a POST; the portal starts a login from its own form.
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = env.int("SSO_REQUESTS_TIMEOUT", default=5)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
# One date style per language: portal/formats/<language>/formats.py.
FORMAT_MODULE_PATH = ["portal.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
# django-environ puts a URL's query (``?timeout=30``) under OPTIONS, which Django's mail
# backends never read: turn the ones they know into their settings.
_EMAIL_URL_OPTIONS = EMAIL_CONFIG.pop("OPTIONS", {})
vars().update(EMAIL_CONFIG)
for _option, _value in _EMAIL_URL_OPTIONS.items():
    if _option not in {"TIMEOUT", "SSL_KEYFILE", "SSL_CERTFILE", "USE_LOCALTIME"}:
        raise ImproperlyConfigured(f"EMAIL_URL has an unknown option {_option.lower()!r}.")
    vars()[f"EMAIL_{_option}"] = _value
# Seconds a connect or a command to the mail server may take: a hung server fails the
# attempt (retried later) instead of stopping every mail behind it.
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=_EMAIL_URL_OPTIONS.get("TIMEOUT", 20))
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="Werkend Leren <noreply@werkendleren.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis when configured, otherwise every task runs in-process. Even then Celery
# takes a producer from the broker's pool to serialise a task's arguments, so the in-memory
# broker names its host: without one kombu warns that it falls back to "localhost".
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://localhost/")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL or None)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Portals sharing one Redis database need a queue each.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="celery")
# How often beat runs the reminder dispatcher; a due reminder waits at most this long.
REMINDER_DISPATCH_SECONDS = env.float("REMINDER_DISPATCH_SECONDS", default=120)
# Most reminders one dispatcher run sends (over one SMTP connection); the rest waits.
REMINDER_DISPATCH_LIMIT = env.int("REMINDER_DISPATCH_LIMIT", default=2000)
# A row claimed for sending ("sending") and not finished within this time belongs to a worker
# that died: it is sent again, with the same Message-ID (a rare duplicate beats a lost mail).
REMINDER_CLAIM_LEASE_SECONDS = env.float("REMINDER_CLAIM_LEASE_SECONDS", default=300)
# A failed attempt is retried after REMINDER_RETRY_SECONDS, doubling up to
# REMINDER_RETRY_MAX_SECONDS; once REMINDER_RETRY_HOURS have passed since the first attempt,
# the next failure marks it failed for good (shown on the mail status page, retry by hand).
REMINDER_RETRY_SECONDS = env.float("REMINDER_RETRY_SECONDS", default=60)
REMINDER_RETRY_MAX_SECONDS = env.float("REMINDER_RETRY_MAX_SECONDS", default=3600)
REMINDER_RETRY_HOURS = env.float("REMINDER_RETRY_HOURS", default=24)
# The local hour at which the daily digest goes out to those who chose it for some mails.
REMINDER_DIGEST_HOUR = env.int("REMINDER_DIGEST_HOUR", default=7)
CELERY_BEAT_SCHEDULE = {
    "dispatch-due-reminders": {
        "task": "portal.tasks.dispatch_due_reminders",
        "schedule": REMINDER_DISPATCH_SECONDS,
    },
    # Checks hourly; opens a review only when the last one is ROLE_REVIEW_INTERVAL_DAYS old.
    "open-role-review-when-due": {
        "task": "portal.tasks.open_role_review_if_due",
        "schedule": 60 * 60,
    },
}

# Login records hold IP addresses (personal data): keep them only this long.
LOGIN_EVENT_RETENTION_DAYS = env.int("LOGIN_EVENT_RETENTION_DAYS", default=180)
# Figures counted for a dashboard period that no page asked for in this many days are removed.
FIGURES_SNAPSHOT_RETENTION_DAYS = env.int("FIGURES_SNAPSHOT_RETENTION_DAYS", default=30)
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=14)
# BIO 5.18: the beheerders review who holds the sensitive roles this often; an unanswered
# review reminds them after this many working days.
ROLE_REVIEW_INTERVAL_DAYS = env.int("ROLE_REVIEW_INTERVAL_DAYS", default=365)
ROLE_REVIEW_REMINDER_WORKING_DAYS = env.int("ROLE_REVIEW_REMINDER_WORKING_DAYS", default=5)
# Absolute links in e-mails (sent from workers, which have no request).
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Signalen: deadlines in working days (weekends and Dutch public holidays skipped),
# retention of closed signals, attachment limits. Attachments live outside MEDIA_ROOT
# and are served only through the portal's checked, audited download view.
SIGNALEN_PICKUP_WORKING_DAYS = env.int("SIGNALEN_PICKUP_WORKING_DAYS", default=2)
SIGNALEN_STALE_WORKING_DAYS = env.int("SIGNALEN_STALE_WORKING_DAYS", default=10)
SIGNALEN_RETENTION_MONTHS = env.int("SIGNALEN_RETENTION_MONTHS", default=12)
SIGNALEN_MAX_ATTACHMENTS = env.int("SIGNALEN_MAX_ATTACHMENTS", default=5)
SIGNALEN_MAX_ATTACHMENT_BYTES = env.int("SIGNALEN_MAX_ATTACHMENT_BYTES", default=10 * 1024 * 1024)
SIGNALEN_ATTACHMENT_ROOT = env.path(
    "SIGNALEN_ATTACHMENT_ROOT", default=BASE_DIR / "private" / "signalen"
)
# Werkplaats: an unanswered rugdekking request reminds the manager after this many working
# days and the facilitators after as many again; the manager's answer link expires.
WERKPLAATS_RUGDEKKING_WORKING_DAYS = env.int("WERKPLAATS_RUGDEKKING_WORKING_DAYS", default=5)
WERKPLAATS_RUGDEKKING_LINK_VALID_DAYS = env.int("WERKPLAATS_RUGDEKKING_LINK_VALID_DAYS", default=30)
# Trainings needing a manager's approval: an unanswered request reminds the manager once after
# this many working days; the answer link expires after the second setting.
TRAININGS_APPROVAL_WORKING_DAYS = env.int("TRAININGS_APPROVAL_WORKING_DAYS", default=3)
TRAININGS_APPROVAL_LINK_VALID_DAYS = env.int("TRAININGS_APPROVAL_LINK_VALID_DAYS", default=14)
# Training materials are only handed out by a view that checks who asks.
TRAININGS_MATERIAL_ROOT = env.path(
    "TRAININGS_MATERIAL_ROOT", default=BASE_DIR / "private" / "trainings"
)
# The audit chain (BIO 8.15): an HMAC key the database never holds (required in production;
# dev and test have a fixed, non-secret one), and the chain's head anchored outside the
# database: a line appended to AUDIT_ANCHOR_FILE and a mail to AUDIT_ANCHOR_EMAIL.
AUDIT_HMAC_KEY = env("AUDIT_HMAC_KEY", default="")
AUDIT_ANCHOR_FILE = env.path(
    "AUDIT_ANCHOR_FILE", default=BASE_DIR / "private" / "audit" / "anchors.log"
)
AUDIT_ANCHOR_EMAIL = env.list("AUDIT_ANCHOR_EMAIL", default=[])
AUDIT_ANCHOR_SECONDS = env.float("AUDIT_ANCHOR_SECONDS", default=6 * 60 * 60)
CELERY_BEAT_SCHEDULE["signalen-anchor-audit-chain"] = {
    "task": "signalen.tasks.anchor_audit_chain",
    "schedule": AUDIT_ANCHOR_SECONDS,
}

# --- Retention (bewaartermijnen) and the statements ------------------------------------------
# One periodic run destroys what every registered retention rule finds due (portal/retention.py;
# login records and closed signals included) and records counts per kind in the destruction
# register. Periods count from each kind's anchor; see README "Bewaartermijnen".
RETENTION_RUN_SECONDS = env.float("RETENTION_RUN_SECONDS", default=24 * 60 * 60)
CELERY_BEAT_SCHEDULE["retention-run"] = {
    "task": "portal.tasks.retention_run",
    "schedule": RETENTION_RUN_SECONDS,
}
# Months after the run ended (its last session).
TRAININGS_REFLECTION_RETENTION_MONTHS = env.int("TRAININGS_REFLECTION_RETENTION_MONTHS", default=24)
TRAININGS_PLAN_RETENTION_MONTHS = env.int("TRAININGS_PLAN_RETENTION_MONTHS", default=24)
# Open evaluation answers and samenwerkingsmeter outcomes; scores and counts are kept.
TRAININGS_EVALUATION_RETENTION_MONTHS = env.int("TRAININGS_EVALUATION_RETENTION_MONTHS", default=36)
# Months after the werkplaats's last session.
WERKPLAATS_PRACTICE_LOG_RETENTION_MONTHS = env.int(
    "WERKPLAATS_PRACTICE_LOG_RETENTION_MONTHS", default=24
)
# Months after the verkenning was set to "afgerond".
VERKENNING_NOTES_RETENTION_MONTHS = env.int("VERKENNING_NOTES_RETENTION_MONTHS", default=12)

# The privacy statement (AVG art. 13/14): the controller and whom to contact.
PRIVACY_CONTROLLER_NAME = env(
    "PRIVACY_CONTROLLER_NAME",
    default="Programmabureau Werkend Leren, namens de samenwerkende partners",
)
PRIVACY_CONTACT_EMAIL = env("PRIVACY_CONTACT_EMAIL", default="privacy@werkendleren.example")
PRIVACY_DPO_EMAIL = env("PRIVACY_DPO_EMAIL", default="fg@werkendleren.example")
# The accessibility statement (Besluit digitale toegankelijkheid overheid): the contact for
# problems, how soon they get an answer, and the statement's dates (ISO, e.g. 2026-11-30).
ACCESSIBILITY_CONTACT_EMAIL = env(
    "ACCESSIBILITY_CONTACT_EMAIL", default="toegankelijkheid@werkendleren.example"
)
ACCESSIBILITY_RESPONSE_WORKING_DAYS = env.int("ACCESSIBILITY_RESPONSE_WORKING_DAYS", default=5)
ACCESSIBILITY_STATEMENT_DATE = date.fromisoformat(
    env("ACCESSIBILITY_STATEMENT_DATE", default="2026-11-30")
)
ACCESSIBILITY_LAST_TEST_DATE = date.fromisoformat(
    env("ACCESSIBILITY_LAST_TEST_DATE", default="2026-11-30")
)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# --- AVG: requests to erase one's data ------------------------------------------------------
# A beheerder decides on a request within this many days (AVG art. 12(3): one month), and
# is reminded this many days before the deadline while it is still undecided.
AVG_DELETION_DEADLINE_DAYS = env.int("AVG_DELETION_DEADLINE_DAYS", default=30)
AVG_DELETION_REMINDER_DAYS_BEFORE = env.int("AVG_DELETION_REMINDER_DAYS_BEFORE", default=7)
