"""The retention rule of werkplaats, registered by ``WerkplaatsConfig.ready``."""

from django.utils.translation import gettext_lazy as _

from portal import retention

from . import selectors


def register_rules() -> None:
    """Register the practice logs with the kernel's retention registry."""
    retention.register(
        retention.RetentionRule(
            kind="werkplaats.practice_logs",
            label=_("Oefenlogboeken"),
            setting="WERKPLAATS_PRACTICE_LOG_RETENTION_MONTHS",
            anchor=_("na de laatste sessie van de werkplaats"),
            effect=_("De oefenlogboeken worden verwijderd."),
            due=lambda cutoff: selectors.practice_logs_due_for_deletion(cutoff=cutoff),
        )
    )
