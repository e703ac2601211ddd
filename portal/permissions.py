"""Who may do what: the single place where roles are read.

Views (through ``role_required``), templates (through the ``roles`` context
processor) and selectors all ask these functions, so one rule cannot drift
between a page, its menu entry and its queryset.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .models import Programme, Role, RoleAssignment

_CACHE_ATTR = "_portal_role_pairs"
_PROGRAMMES_ATTR = "_portal_coordinated_programme_ids"


def _role_pairs(user) -> frozenset[tuple[str, int | None]]:
    """(role, organisation id) pairs of a user, read once per user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = frozenset(
            RoleAssignment.objects.filter(user=user).values_list("role", "organisation_id")
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_roles(user) -> None:
    """Drop the per-object role caches after roles or programme coordinators change."""
    for attr in (_CACHE_ATTR, _PROGRAMMES_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)


def is_coordinator(user) -> bool:
    return any(role == Role.COORDINATOR for role, _ in _role_pairs(user))


def is_trainer(user) -> bool:
    return any(role == Role.TRAINER for role, _ in _role_pairs(user))


def coordinated_programme_ids(user) -> frozenset[int]:
    """The programmes this user coordinates: named coordinator and holding the role.

    Read once per user object; trainings, werkplaatsen and verkenningen all ask it.
    """
    if not is_coordinator(user):
        return frozenset()
    cached = getattr(user, _PROGRAMMES_ATTR, None)
    if cached is None:
        cached = frozenset(
            Programme.coordinators.through.objects.filter(user_id=user.pk).values_list(
                "programme_id", flat=True
            )
        )
        setattr(user, _PROGRAMMES_ATTR, cached)
    return cached


def coordinates_programme(user, programme_id: int | None) -> bool:
    """A coordinator manages what belongs to the programmes they are named coordinator of."""
    return programme_id is not None and programme_id in coordinated_programme_ids(user)


def contact_organisation_ids(user) -> frozenset[int]:
    """The organisations whose signals this user triages."""
    return frozenset(org for role, org in _role_pairs(user) if role == Role.CONTACT_PERSON)


def is_contact_person(user, organisation_id: int | None = None) -> bool:
    ids = contact_organisation_ids(user)
    return bool(ids) if organisation_id is None else organisation_id in ids


def is_beheerder(user) -> bool:
    """The functional administrator: organisations, programmes, roles, invitations in bulk."""
    return any(role == Role.BEHEERDER for role, _ in _role_pairs(user))


def can_administer(user) -> bool:
    """May use the "Beheer" pages and their services."""
    return is_beheerder(user)


def requires_mfa(user) -> bool:
    """Coordinators, contact persons, beheerders, staff and superusers work only with a second
    factor."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        requires_mfa_in_session(user)
        or is_coordinator(user)
        or is_contact_person(user)
        or is_beheerder(user)
    )


def requires_mfa_in_session(user) -> bool:
    """Staff and superusers (the Django admin) must have passed the second factor in the very
    session they use, not merely own one."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_staff or user.is_superuser


def can_invite(user) -> bool:
    return is_coordinator(user) or is_beheerder(user)


def can_view_partners(user) -> bool:
    return is_coordinator(user)


def can_see_mail_status(user) -> bool:
    """The mail status page (failed and re-sent mails, retry): beheerders and superusers."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    return user.is_superuser or is_beheerder(user)


@dataclass(frozen=True)
class Roles:
    """What templates need to know about the current user."""

    is_coordinator: bool
    is_trainer: bool
    is_contact_person: bool
    is_beheerder: bool
    can_invite: bool

    @property
    def any_special(self) -> bool:
        return self.is_coordinator or self.is_trainer or self.is_contact_person or self.is_beheerder


def roles_for(user) -> Roles:
    return Roles(
        is_coordinator=is_coordinator(user),
        is_trainer=is_trainer(user),
        is_contact_person=is_contact_person(user),
        is_beheerder=is_beheerder(user),
        can_invite=can_invite(user),
    )


def role_required(rule: Callable[..., bool]):
    """Let a view through only for logged-in users for whom ``rule(user)`` holds."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not rule(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
