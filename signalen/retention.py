"""The retention rule of signalen, registered by ``SignalenConfig.ready``."""

from django.utils.translation import gettext_lazy as _

from portal import retention

from . import selectors, services


def register_rules() -> None:
    """Register closed signals with the kernel's retention registry."""
    retention.register(
        retention.RetentionRule(
            kind="signalen.signals",
            label=_("Afgesloten signalen"),
            setting="SIGNALEN_RETENTION_MONTHS",
            anchor=_("na het afsluiten van het signaal"),
            effect=_(
                "Vrije tekst, melder en bijlagen worden verwijderd; categorie, organisaties, "
                "data en uitkomst blijven voor de statistiek."
            ),
            action=retention.ANONYMISE,
            due=lambda cutoff: selectors.signals_due_for_anonymisation(cutoff=cutoff),
            destroy=lambda pks: services.signals_anonymise(signal_ids=pks),
        )
    )
