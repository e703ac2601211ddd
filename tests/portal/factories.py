import base64
import secrets
from datetime import timedelta

import factory
from allauth.account.internal.flows.login import record_authentication
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.test import RequestFactory
from django.utils import timezone

from portal import services
from portal.models import (
    Discipline,
    LoginEvent,
    Organisation,
    OrganisationEmailDomain,
    Role,
    User,
)

PASSWORD = "een-lang-testwachtwoord"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Gemeente Test {n}")
    kind = Organisation.Kind.GEMEENTE


class EmailDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationEmailDomain

    organisation = factory.SubFactory(OrganisationFactory)
    domain = factory.Sequence(lambda n: f"org{n}.example")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"persoon{n}@test.example")
    full_name = factory.Faker("name", locale="nl_NL")
    organisation = factory.SubFactory(OrganisationFactory)
    discipline = Discipline.SOCIAAL_DOMEIN
    job_title = "Consulent"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


def add_totp(user: User) -> str:
    """Give the user an authenticator app; returns its secret."""
    secret = base64.b32encode(secrets.token_bytes(20)).decode()
    TOTP.activate(user, secret)
    return secret


def force_login_with_mfa(client, user: User) -> None:
    """Log the client in as ``user`` with a session that passed the second factor, as allauth
    records it after a TOTP code (the admin's users need that, not just an authenticator)."""
    client.force_login(user)
    request = RequestFactory().get("/")
    request.session = client.session
    request.user = user
    record_authentication(request, user, "password")
    record_authentication(request, user, "mfa", type="totp")
    request.session.save()


def coordinator(*, with_totp: bool = True, **kwargs) -> User:
    user = UserFactory(**kwargs)
    services.role_assign(user=user, role=Role.COORDINATOR)
    if with_totp:
        add_totp(user)
    return user


def beheerder(*, with_totp: bool = True, **kwargs) -> User:
    user = UserFactory(**kwargs)
    services.role_assign(user=user, role=Role.BEHEERDER)
    if with_totp:
        add_totp(user)
    return user


def trainer(**kwargs) -> User:
    user = UserFactory(**kwargs)
    services.role_assign(user=user, role=Role.TRAINER)
    return user


def contact_person(*, with_totp: bool = True, **kwargs) -> User:
    user = UserFactory(**kwargs)
    services.role_assign(user=user, role=Role.CONTACT_PERSON, organisation=user.organisation)
    if with_totp:
        add_totp(user)
    return user


def findable(user: User, **choices):
    """Give ``user``'s consent to be findable in the netwerk, through the service."""
    return services.network_profile_update(user=user, findable=True, **choices)


class LoginEventFactory(factory.django.DjangoModelFactory):
    """A login record; pass ``days_ago`` to date it back."""

    class Meta:
        model = LoginEvent

    class Params:
        days_ago = 0

    user = factory.SubFactory(UserFactory)
    identifier = factory.SelfAttribute("user.email")
    succeeded = True
    created_at = factory.LazyAttribute(lambda o: timezone.now() - timedelta(days=o.days_ago))
