"""What verkenning holds about one person, for "Mijn gegevens" and an approved erasure.

A verkenner's interviews and notes are the verkenning's findings about its contacts (who
have no account), not about the verkenner: on erasure they stay, with the verkenner
pointing at the pseudonym. The export holds the interviews the person held, with their
notes, answers and observations.
"""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from portal.personal_data import Kind, Section

from .models import Interview, Observation, Verkenning

KEPT = _("blijft, wijst naar het pseudoniem")

KINDS = (
    Kind(
        "verkenning_verkenningen",
        _("Verkenningen"),
        _("De verkenningen waarin je verkenner bent."),
    ),
    Kind(
        "verkenning_gesprekken",
        _("Gesprekken"),
        _("De gesprekken die je als verkenner voerde, met je aantekeningen en observaties."),
    ),
)

RULES = {
    "verkenning.Verkenning.verkenners": KEPT,
    "verkenning.Verkenning.created_by": KEPT,
    "verkenning.Interview.verkenner": KEPT,
    "verkenning.TrainingDesign.trainers": KEPT,
}


def export(user) -> dict[str, list[dict]]:
    """The person's verkenning records, in a constant number of queries."""
    interviews = (
        Interview.objects.filter(verkenner=user)
        .select_related("verkenning", "contact")
        .prefetch_related(
            "answers__question",
            Prefetch("observations", queryset=Observation.objects.order_by("pk")),
        )
        .order_by("held_on", "pk")
    )
    return {
        "verkenning_verkenningen": list(
            Verkenning.objects.filter(verkenners=user)
            .order_by("pk")
            .values("title", "purpose", "status", "created_at")
        ),
        "verkenning_gesprekken": [
            {
                "verkenning": i.verkenning.title,
                "gesprekspartner": i.contact.name,
                "datum": i.held_on,
                "minuten": i.duration_minutes,
                "aantekeningen": i.notes,
                "antwoorden": [
                    {"vraag": a.question.text, "aantekeningen": a.notes} for a in i.answers.all()
                ],
                "observaties": [{"soort": o.kind, "tekst": o.text} for o in i.observations.all()],
            }
            for i in interviews
        ],
    }


def erase(user, *, actor) -> dict[str, int]:
    """Nothing to delete: the interviews are the verkenning's; they keep the pseudonym."""
    return {}


SECTION = Section(app_label="verkenning", kinds=KINDS, export=export, erase=erase, rules=RULES)
