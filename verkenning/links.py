"""What verkenning shows on other apps' pages, through the kernel's link registry.

Registered in ``VerkenningConfig.ready``, so werkplaats never imports verkenning.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.links import RelatedLink
from portal.models import User
from trainings.models import Training
from werkplaats.models import Werkplaats

from . import permissions

# Read by the providers below; joined by the page's own query.
WERKPLAATS_ORIGIN_JOIN = "verkenning_design__verkenning"
TRAINING_ORIGIN_JOIN = "verkenning_design__verkenning"


def _origin(user: User, converted) -> list[RelatedLink]:
    """The verkenning whose design became ``converted``, when the user may see it.

    Verkenningen stay hidden from everyone else (their pages answer 404), so participants
    are not told one exists.
    """
    try:
        verkenning = converted.verkenning_design.verkenning
    except ObjectDoesNotExist:
        return []
    if not permissions.can_work_on(user, verkenning):
        return []
    return [
        RelatedLink(
            text=_("Voortgekomen uit verkenning"),
            title=verkenning.title,
            url=reverse("verkenning:detail", args=[verkenning.pk]),
        )
    ]


def werkplaats_origin(user: User, werkplaats: Werkplaats) -> list[RelatedLink]:
    """On a werkplaats page: the verkenning it grew out of."""
    return _origin(user, werkplaats)


def training_origin(user: User, training: Training) -> list[RelatedLink]:
    """On a training's edit page: the verkenning it grew out of."""
    return _origin(user, training)
