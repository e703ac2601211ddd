import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from demo import (
    avg,
    bewustwording,
    certificates,
    evaluations,
    middelen,
    network,
    people,
    programme_dashboard,
    reach,
    signalen,
    trainings,
    verkenning,
    werkplaats,
)
from demo.tasklog import quiet_task_log

# After the people, each app's demo content, in this order: verkenning joins the trainings'
# programme, the programme dashboard's earlier editions follow the trainings they repeat, and
# the netwerk needs the runs people met in.
APP_SEEDERS = [
    trainings.seed,
    evaluations.seed,
    programme_dashboard.seed,
    certificates.seed,
    reach.seed,
    werkplaats.seed,
    verkenning.seed,
    signalen.seed,
    middelen.seed,
    network.seed,
    bewustwording.seed,
    avg.seed,
]


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
            f"app, or run `{manage_py()} demo_totp_code <email>`."
        )


def manage_py() -> str:
    """How to run manage.py from the project directory with this interpreter (the venv's)."""
    python = Path(sys.executable)
    if python.is_relative_to(settings.BASE_DIR):
        python = python.relative_to(settings.BASE_DIR)
    return f"{python} manage.py"
