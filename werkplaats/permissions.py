"""Who may do what in a werkplaats; the selectors apply the same rules to their querysets."""

from portal import permissions as portal_permissions
from portal.models import User

from .models import Participation, Werkplaats


def can_create_werkplaats(user: User) -> bool:
    """Trainers (begeleiders) and programme coordinators start werkplaatsen."""
    return portal_permissions.is_trainer(user) or portal_permissions.is_coordinator(user)


def facilitates(user: User, werkplaats: Werkplaats) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    cache = getattr(user, "_facilitated_werkplaats_ids", None)
    if cache is None:
        cache = frozenset(
            Werkplaats.facilitators.through.objects.filter(user_id=user.pk).values_list(
                "werkplaats_id", flat=True
            )
        )
        user._facilitated_werkplaats_ids = cache
    return werkplaats.pk in cache


def can_manage(user: User, werkplaats: Werkplaats) -> bool:
    """Its facilitators and the coordinators of its programme run a werkplaats."""
    if facilitates(user, werkplaats):
        return True
    return werkplaats.programme_id is not None and portal_permissions.coordinates_programme(
        user, werkplaats.programme_id
    )


def participation_of(user: User, werkplaats: Werkplaats) -> Participation | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Participation.objects.filter(werkplaats=werkplaats, user=user).first()


def can_view(user: User, werkplaats: Werkplaats) -> bool:
    return can_manage(user, werkplaats) or participation_of(user, werkplaats) is not None


def can_see_group(user: User, werkplaats: Werkplaats, group_id: int | None) -> bool:
    """Participants see only their own group's writing; managers see every group."""
    if can_manage(user, werkplaats):
        return True
    participation = participation_of(user, werkplaats)
    return participation is not None and group_id is not None and participation.group_id == group_id
