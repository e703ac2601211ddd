"""What werkplaats holds about one person, for "Mijn gegevens" and an approved erasure.

Rule on erasure: what the person wrote (practice logs, case sketches, requests for backing
with the manager's answer) is deleted; the participation itself stays for the werkplaats's
group history, pointing at the pseudonym.
"""

from django.utils.translation import gettext_lazy as _

from portal.personal_data import Kind, Section

from .models import CaseSketch, Participation, PracticeLog, RugdekkingRequest

KEPT = _("blijft, wijst naar het pseudoniem")

KINDS = (
    Kind(
        "werkplaats_deelnames",
        _("Deelnames aan werkplaatsen"),
        _("De werkplaatsen waaraan je meedoet of meedeed, met je groep."),
    ),
    Kind(
        "werkplaats_oefenlogboeken",
        _("Oefenlogboeken"),
        _("Wat je tussen de sessies oefende en wat er gebeurde."),
    ),
    Kind("werkplaats_casuistiek", _("Casuïstiek"), _("De situaties die je in je groep inbracht.")),
    Kind(
        "werkplaats_rugdekking",
        _("Rugdekkingsverzoeken"),
        _("Aan wie je rugdekking vroeg, waarvoor, en het antwoord."),
    ),
)

RULES = {
    "werkplaats.Werkplaats.created_by": KEPT,
    "werkplaats.Werkplaats.facilitators": KEPT,
    "werkplaats.Participation.user": _(
        "blijft voor de groepsgeschiedenis; oefenlogboeken, casuïstiek en rugdekking verwijderd"
    ),
}


def export(user) -> dict[str, list[dict]]:
    """The person's werkplaats records, in a constant number of queries."""
    return {
        "werkplaats_deelnames": [
            {
                "werkplaats": p.werkplaats.title,
                "groep": p.group.number if p.group_id else "",
                "sinds": p.created_at,
            }
            for p in Participation.objects.filter(user=user)
            .select_related("werkplaats", "group")
            .order_by("pk")
        ],
        "werkplaats_oefenlogboeken": [
            {
                "werkplaats": log.participation.werkplaats.title,
                "na_sessie": log.after_session.starts_at,
                "geprobeerd": log.tried,
                "gebeurd": log.happened,
                "volgende_keer": log.bring_next,
                "geschreven_op": log.created_at,
            }
            for log in PracticeLog.objects.filter(participation__user=user)
            .select_related("participation__werkplaats", "after_session")
            .order_by("pk")
        ],
        "werkplaats_casuistiek": [
            {
                "werkplaats": c.author.werkplaats.title,
                "titel": c.title,
                "situatie": c.situation,
                "besproken": c.discussion,
                "vervolg": c.follow_up,
                "ingebracht_op": c.created_at,
            }
            for c in CaseSketch.objects.filter(author__user=user)
            .select_related("author__werkplaats")
            .order_by("pk")
        ],
        "werkplaats_rugdekking": [
            {
                "werkplaats": r.participation.werkplaats.title,
                "leidinggevende": r.manager_name,
                "e-mailadres_leidinggevende": r.manager_email,
                "waarvoor": r.point,
                "status": r.get_status_display(),
                "toelichting": r.answer_comment,
                "beantwoord_op": r.answered_at,
            }
            for r in RugdekkingRequest.objects.filter(participation__user=user)
            .select_related("participation__werkplaats")
            .order_by("pk")
        ],
    }


def erase(user, *, actor) -> dict[str, int]:
    """Delete what the person wrote; keep the participation for the group history."""
    counts = {
        "werkplaats_oefenlogboeken": (
            PracticeLog.objects.filter(participation__user=user).delete()[0]
        ),
        "werkplaats_casuistiek": CaseSketch.objects.filter(author__user=user).delete()[0],
        "werkplaats_rugdekking": RugdekkingRequest.objects.filter(
            participation__user=user
        ).delete()[0],
    }
    return counts


SECTION = Section(app_label="werkplaats", kinds=KINDS, export=export, erase=erase, rules=RULES)
