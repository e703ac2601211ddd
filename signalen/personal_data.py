"""What signalen holds about one person, for "Mijn gegevens" and an approved erasure.

The export holds the signals the person reported with exactly what their own signal page
shows them (``selectors.own_signals_as_reporter_sees_them``): never internal notes, nor who
handled the signal. On erasure the reporter is removed from their signals, as the
retention's anonymisation does; the signal itself stays with the meldpunt that handles it.
What the person did as a contact person keeps pointing at the pseudonym, and the audit
chain keeps its rows (its digests cover the actor's key, which the pseudonym keeps).
"""

from django.utils.translation import gettext_lazy as _

from portal.personal_data import Kind, Section

from . import selectors
from .models import Signal

KEPT = _("blijft, wijst naar het pseudoniem")

KINDS = (
    Kind(
        "signalen_meldingen",
        _("Gemelde signalen"),
        _(
            "De signalen die je meldde, met wat je eigen meldingspagina toont: je melding, je "
            "bijlagen (namen), vragen aan jou, je antwoorden en de terugkoppeling. Interne "
            "notities en wie het signaal behandelde staan er niet in."
        ),
    ),
)

RULES = {
    "signalen.Signal.reporter": _("leeggemaakt, zoals bij het anonimiseren na de bewaartermijn"),
    "signalen.Signal.assignee": KEPT,
    "signalen.SignalEvent.actor": KEPT,
    "signalen.SignalEvent.assignee": KEPT,
    "signalen.AuditEntry.actor": _("blijft (de auditketen), wijst naar het pseudoniem"),
}


def export(user) -> dict[str, list[dict]]:
    """The person's reported signals as they see them, in a constant number of queries."""
    return {
        "signalen_meldingen": [
            {
                "referentie": s.reference,
                "categorie": s.category.name,
                "gemeld_op": s.created_at,
                "wat_je_zag": s.description,
                "waar": s.location,
                "wanneer": s.observed_on,
                "betrokkenen": s.involved,
                "anoniem_voor_doorgestuurde_organisaties": s.reporter_anonymous,
                "bijlagen": [a.original_name for a in s.attachments.all()],
                "verloop": [
                    {"soort": e.get_kind_display(), "tijdstip": e.created_at, "tekst": e.text}
                    for e in s.reporter_events
                ],
            }
            for s in selectors.own_signals_as_reporter_sees_them(user=user)
        ],
    }


def erase(user, *, actor) -> dict[str, int]:
    """Remove the person as reporter of their signals."""
    return {"signalen_meldingen": Signal.objects.filter(reporter=user).update(reporter=None)}


SECTION = Section(app_label="signalen", kinds=KINDS, export=export, erase=erase, rules=RULES)
