import logging
from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from demo import people, signalen, trainings, verkenning, werkplaats

# After the people, each app's demo content; verkenning joins the trainings' programme.
APP_SEEDERS = [trainings.seed, werkplaats.seed, verkenning.seed, signalen.seed]


@contextmanager
def quiet_task_log():
    """Tasks run in-process without a broker; their one-line success logs would bury the logins."""
    logger = logging.getLogger("celery.app.trace")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


class Command(BaseCommand):
    help = "Create or refresh the demo partners, users and content (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even with DEBUG off (demo passwords are public: never on real data).",
        )

    def handle(self, *args, allow_production: bool = False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "Refusing to seed demo accounts with DEBUG off; see --allow-production."
            )
        # Demo content triggers notification mails; they would only bury the printed logins.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
            quiet_task_log(),
        ):
            logins = people.seed()
            for seed in APP_SEEDERS:
                seed()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Log in at /accounts/login/ with:"))
        self.stdout.write(f"  password for every demo account: {people.DEMO_PASSWORD}")
        for login in logins:
            line = f"  {login.email:<42} {login.role:<15} {login.organisation}"
            if login.totp_secret:
                line += f"  (TOTP secret {login.totp_secret})"
            self.stdout.write(line)
        self.stdout.write(
            "Accounts with a TOTP secret need a code at login: add the secret to an authenticator "
            "app, or run `python manage.py demo_totp_code <email>`."
        )
