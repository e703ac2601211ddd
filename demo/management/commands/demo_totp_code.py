from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.people import demo_totp_secret
from demo.totp import current_totp_code


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo account (development only)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **options):
        if not settings.DEBUG:
            raise CommandError("Only available with DEBUG on.")
        secret = demo_totp_secret(email=email.lower())
        if secret is None:
            raise CommandError(f"{email} is not a demo account with a second factor.")
        self.stdout.write(current_totp_code(secret=secret))
