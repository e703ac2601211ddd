"""Who may do what with a signal; mirrored by the querysets in ``selectors``.

Only contact persons of an organisation that has access to a signal (where it
was reported, or an organisation it was forwarded to) see its content. Acting on
it is for the contact persons of the organisation it is with now. Coordinators,
trainers and superusers have no special rights here.
"""

from portal import permissions as portal_permissions

from .models import Signal


def can_report(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_triage(user) -> bool:
    """Has a queue at all: a contact person of at least one organisation."""
    return portal_permissions.is_contact_person(user)


def access_organisation_ids(signal: Signal) -> frozenset[int]:
    """Organisations with access; uses the prefetched ``accesses`` when present."""
    return frozenset(access.organisation_id for access in signal.accesses.all())


def can_view_signal(user, signal: Signal) -> bool:
    ids = portal_permissions.contact_organisation_ids(user)
    return bool(ids & access_organisation_ids(signal))


def can_act_on(user, signal: Signal) -> bool:
    """May change the signal: a contact person of the organisation it is with now."""
    return portal_permissions.is_contact_person(user, signal.organisation_id)


def sees_reporter(user, signal: Signal) -> bool:
    """The reporter's identity: hidden from organisations it was forwarded to, if asked."""
    if signal.is_anonymised:
        return False
    if not signal.reporter_anonymous:
        return can_view_signal(user, signal)
    return portal_permissions.is_contact_person(user, signal.reported_to_id)


def is_reporter(user, signal: Signal) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and signal.reporter_id is not None
        and signal.reporter_id == user.pk
    )
