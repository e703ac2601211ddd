"""Who may work on a verkenning.

Interview notes are personal: only the verkenning's own verkenners and the coordinators
of its programme see anything of it. The selectors mirror ``can_work_on`` so a guessed
id answers 404, never a page.
"""

from portal import permissions as portal_permissions
from portal.models import User

from .models import Verkenning


def can_create_verkenning(user: User) -> bool:
    """Coordinators and trainers start verkenningen; they become its first verkenner."""
    return portal_permissions.is_coordinator(user) or portal_permissions.is_trainer(user)


def is_verkenner(user: User, verkenning: Verkenning) -> bool:
    return verkenning.verkenners.filter(pk=user.pk).exists()


def can_work_on(user: User, verkenning: Verkenning) -> bool:
    """Read the notes and write contacts, interviews and the design."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return portal_permissions.coordinates_programme(user, verkenning.programme_id) or is_verkenner(
        user, verkenning
    )


def can_keep_themes(user: User) -> bool:
    """Coordinators keep the theme list every verkenning shares."""
    return portal_permissions.is_coordinator(user)
