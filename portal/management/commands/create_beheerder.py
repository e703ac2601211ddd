import getpass
import os

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from portal import services
from portal.models import User

PASSWORD_VARIABLE = "BEHEERDER_PASSWORD"


class Command(BaseCommand):
    help = (
        "Create a beheerder (functional administrator), e.g. the first one on an empty install. "
        f"Asks for the password, or reads ${PASSWORD_VARIABLE} with --no-input."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="", help="Full name (default: the address's name).")
        parser.add_argument(
            "--grant",
            action="store_true",
            help="The account exists already: give it the beheerder role instead.",
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help=f"Do not prompt; read the password from ${PASSWORD_VARIABLE}.",
        )

    def handle(self, *args, email: str, name: str, grant: bool, interactive: bool, **options):
        email = email.strip().lower()
        existing = User.objects.filter(email__iexact=email).first()
        if existing is not None and not grant:
            raise CommandError(
                f"An account with {email} exists already. To make that account a beheerder, "
                f"run: manage.py create_beheerder {email} --grant"
            )
        if grant and existing is None:
            raise CommandError(f"There is no account with {email}; leave out --grant to create it.")
        password = ""
        if existing is None:
            password = self._password(interactive=interactive, email=email, name=name)
        try:
            user = services.beheerder_bootstrap(
                email=email, full_name=name, password=password, grant_existing=grant
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        action = "now has the beheerder role" if grant else "is created as beheerder"
        self.stdout.write(self.style.SUCCESS(f"{user.email} {action}."))
        self.stdout.write(
            f"Next: log in at {settings.PORTAL_BASE_URL}{reverse('account_login')} "
            "with this address and password. The portal then asks "
            "you to set up an authenticator app (TOTP); after that the 'Beheer' menu is yours: "
            "create organisations, programmes and their coordinators, and invite people. "
            "The README's 'Going live' section walks through it."
        )

    def _password(self, *, interactive: bool, email: str, name: str) -> str:
        if not interactive:
            password = os.environ.get(PASSWORD_VARIABLE, "")
            if not password:
                raise CommandError(f"Set ${PASSWORD_VARIABLE} or leave out --no-input.")
            self._validate(password, email=email, name=name)
            return password
        while True:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                self.stderr.write("The passwords differ; try again.")
                continue
            try:
                self._validate(password, email=email, name=name)
            except CommandError as error:
                self.stderr.write(str(error))
                continue
            return password

    def _validate(self, password: str, *, email: str, name: str) -> None:
        try:
            validate_password(password, User(email=email, full_name=name))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
