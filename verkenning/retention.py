"""The retention rule of verkenning, registered by ``VerkenningConfig.ready``."""

from django.utils.translation import gettext_lazy as _

from portal import retention

from . import selectors, services


def register_rules() -> None:
    """Register the interview notes with the kernel's retention registry."""
    retention.register(
        retention.RetentionRule(
            kind="verkenning.interview_notes",
            label=_("Gespreksaantekeningen van verkenningen"),
            setting="VERKENNING_NOTES_RETENTION_MONTHS",
            anchor=_("nadat de verkenning is afgerond"),
            effect=_(
                "De aantekeningen en observatieteksten worden verwijderd; met wie en wanneer "
                "is gesproken en de thema's blijven bewaard."
            ),
            action=retention.ANONYMISE,
            due=lambda cutoff: selectors.interviews_due_for_anonymisation(cutoff=cutoff),
            destroy=lambda pks: services.interviews_anonymise(interview_ids=pks),
        )
    )
