"""What trainings holds about one person, for "Mijn gegevens" and an approved erasure.

Rule on erasure: what the person wrote about themselves (development plans, reflections,
manager approvals with the manager's answer, the calendar feed) is deleted; enrolments,
attendance and the anonymous evaluation answers stay for the programme's statistics,
pointing at the pseudonym; certificates lose the name and are revoked.
"""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.personal_data import Kind, Section

from .models import (
    Attendance,
    CalendarFeed,
    Certificate,
    DevelopmentPlan,
    Enrolment,
    EvaluationRespondent,
    FollowupRespondent,
    Idea,
    ManagerApproval,
    Reflection,
    Resource,
)

KEPT = _("blijft, wijst naar het pseudoniem")

KINDS = (
    Kind(
        "trainingen_inschrijvingen",
        _("Inschrijvingen"),
        _("Je inschrijvingen voor uitvoeringen van trainingen, met status en data."),
    ),
    Kind(
        "trainingen_aanwezigheid",
        _("Aanwezigheid"),
        _("Per bijeenkomst of je aanwezig was, zoals de trainer het vastlegde."),
    ),
    Kind(
        "trainingen_ontwikkelplannen",
        _("Ontwikkelingsplannen"),
        _("Je persoonlijke ontwikkelingsplannen per training."),
    ),
    Kind("trainingen_reflecties", _("Reflecties"), _("Je reflecties per bijeenkomst.")),
    Kind(
        "trainingen_akkoorden",
        _("Akkoorden leidinggevende"),
        _("Aan wie je akkoord vroeg voor een inschrijving, en het antwoord."),
    ),
    Kind(
        "trainingen_evaluaties",
        _("Ingevulde evaluaties"),
        _(
            "Welke evaluaties en samenwerkingsmeters je invulde. Wat je antwoordde staat er "
            "niet in: antwoorden worden anoniem bewaard, los van wie ze gaf, zodat niemand "
            "(ook het portaal niet) ze aan jou kan koppelen."
        ),
    ),
    Kind(
        "trainingen_certificaten",
        _("Certificaten"),
        _("De deelnamecertificaten die op jouw naam zijn uitgegeven."),
    ),
    Kind("trainingen_ideeen", _("Ideeën"), _("De ideeën voor kennisuitwisseling die je indiende.")),
    Kind(
        "trainingen_bibliotheek",
        _("Voorstellen voor de bibliotheek"),
        _("De middelen die je voor de bibliotheek voorstelde."),
    ),
)

RULES = {
    "trainings.Training.created_by": KEPT,
    "trainings.Run.trainers": KEPT,
    "trainings.Enrolment.participant": _(
        "blijft voor de statistiek; ontwikkelingsplan, reflecties en akkoorden verwijderd"
    ),
    "trainings.Attendance.recorded_by": KEPT,
    "trainings.CalendarFeed.user": _("verwijderd"),
    "trainings.Resource.suggested_by": KEPT,
    "trainings.Resource.curated_by": KEPT,
    "trainings.Idea.proposer": KEPT,
    "trainings.IdeaStatusChange.changed_by": KEPT,
    "trainings.RunMailing.sent_by": KEPT,
    "trainings.EvaluationRespondent.participant": KEPT,
    "trainings.FollowupRespondent.participant": KEPT,
    "trainings.Certificate.issued_by": KEPT,
    "trainings.Certificate.revoked_by": KEPT,
}


def _run_label(run) -> str:
    return f"{run.training.title} ({run.location})"


def export(user) -> dict[str, list[dict]]:
    """The person's trainings records, in a constant number of queries."""
    enrolments = list(
        Enrolment.objects.filter(participant=user).select_related("run__training").order_by("pk")
    )
    return {
        "trainingen_inschrijvingen": [
            {
                "training": e.run.training.title,
                "uitvoering": _run_label(e.run),
                "begint_op": e.run.starts_at,
                "status": e.get_status_display(),
                "aangevraagd_op": e.requested_at,
                "ingeschreven_op": e.enrolled_at,
                "afgemeld_op": e.cancelled_at,
            }
            for e in enrolments
        ],
        "trainingen_aanwezigheid": [
            {
                "uitvoering": _run_label(a.enrolment.run),
                "bijeenkomst": a.session.starts_at,
                "aanwezigheid": a.get_status_display(),
            }
            for a in Attendance.objects.filter(enrolment__participant=user)
            .select_related("enrolment__run__training", "session")
            .order_by("session__starts_at", "pk")
        ],
        "trainingen_ontwikkelplannen": [
            {
                "uitvoering": _run_label(p.enrolment.run),
                "vakinhoudelijk": p.content_goals,
                "persoonlijk": p.personal_goals,
                "geleerd": p.learned,
                "borgen": p.embedding,
                "nodig": p.needs,
                "gewijzigd_op": p.updated_at,
            }
            for p in DevelopmentPlan.objects.filter(enrolment__participant=user)
            .select_related("enrolment__run__training")
            .order_by("pk")
        ],
        "trainingen_reflecties": [
            {
                "uitvoering": _run_label(r.enrolment.run),
                "bijeenkomst": r.session.starts_at,
                "wat_viel_op": r.struck_me,
                "wat_ga_ik_toepassen": r.will_apply,
                "geschreven_op": r.created_at,
            }
            for r in Reflection.objects.filter(enrolment__participant=user)
            .select_related("enrolment__run__training", "session")
            .order_by("session__starts_at", "pk")
        ],
        "trainingen_akkoorden": [
            {
                "uitvoering": _run_label(a.episode.enrolment.run),
                "leidinggevende": a.manager_name,
                "e-mailadres_leidinggevende": a.manager_email,
                "status": a.get_status_display(),
                "toelichting": a.answer_comment,
                "beantwoord_op": a.answered_at,
            }
            for a in ManagerApproval.objects.filter(episode__enrolment__participant=user)
            .select_related("episode__enrolment__run__training")
            .order_by("pk")
        ],
        "trainingen_evaluaties": [
            {"soort": str(_("evaluatie")), "uitvoering": _run_label(r.run)}
            for r in EvaluationRespondent.objects.filter(participant=user)
            .select_related("run__training")
            .order_by("pk")
        ]
        + [
            {"soort": str(_("samenwerkingsmeter")), "uitvoering": _run_label(r.run)}
            for r in FollowupRespondent.objects.filter(participant=user)
            .select_related("run__training")
            .order_by("pk")
        ],
        "trainingen_certificaten": [
            {
                "code": c.code,
                "naam": c.participant_name,
                "training": c.training_title,
                "programma": c.programme_name,
                "uitgegeven_op": c.issued_at,
                "ingetrokken_op": c.revoked_at,
            }
            for c in Certificate.objects.filter(enrolment__participant=user).order_by("pk")
        ],
        "trainingen_ideeen": list(
            Idea.objects.filter(proposer=user)
            .order_by("pk")
            .values("title", "form", "content", "status", "created_at")
        ),
        "trainingen_bibliotheek": list(
            Resource.objects.filter(suggested_by=user)
            .order_by("pk")
            .values("kind", "title", "description", "contact_details", "status", "created_at")
        ),
    }


def erase(user, *, actor) -> dict[str, int]:
    """Delete what the person wrote about themselves; keep enrolments for the statistics."""
    mine = Q(enrolment__participant=user)
    counts = {
        "trainingen_ontwikkelplannen": DevelopmentPlan.objects.filter(mine).delete()[0],
        "trainingen_reflecties": Reflection.objects.filter(mine).delete()[0],
        "trainingen_akkoorden": ManagerApproval.objects.filter(
            episode__enrolment__participant=user
        ).delete()[0],
    }
    CalendarFeed.objects.filter(user=user).delete()
    counts["trainingen_certificaten"] = Certificate.objects.filter(mine).update(
        participant_name="—", updated_at=timezone.now()
    )
    Certificate.objects.filter(mine, revoked_at__isnull=True).update(
        revoked_at=timezone.now(),
        revoked_by=actor,
        revocation_reason="AVG-verwijderverzoek",
    )
    return counts


SECTION = Section(app_label="trainings", kinds=KINDS, export=export, erase=erase, rules=RULES)
