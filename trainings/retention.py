"""The retention rules of trainings, registered by ``TrainingsConfig.ready``.

Every period counts from the end of the run (its last session): reflections and plans are
for the participant's learning during and just after it, evaluations for the programme's
reports over the following years.
"""

from django.utils.translation import gettext_lazy as _

from portal import retention

from . import selectors, services


def register_rules() -> None:
    """Register the trainings kinds with the kernel's retention registry."""
    retention.register(
        retention.RetentionRule(
            kind="trainings.reflections",
            label=_("Reflecties op bijeenkomsten"),
            setting="TRAININGS_REFLECTION_RETENTION_MONTHS",
            anchor=_("na het einde van de uitvoering"),
            effect=_("De reflecties worden verwijderd."),
            due=lambda cutoff: selectors.reflections_due_for_deletion(cutoff=cutoff),
        )
    )
    retention.register(
        retention.RetentionRule(
            kind="trainings.plans",
            label=_("Persoonlijke ontwikkelingsplannen"),
            setting="TRAININGS_PLAN_RETENTION_MONTHS",
            anchor=_("na het einde van de uitvoering"),
            effect=_(
                "De tekst van het plan wordt verwijderd; alleen blijft bewaard dat de "
                "terugblik is ingevuld, omdat die meetelt voor afronding en certificaat."
            ),
            action=retention.ANONYMISE,
            due=lambda cutoff: selectors.development_plans_due_for_anonymisation(cutoff=cutoff),
            destroy=lambda pks: services.development_plans_anonymise(plan_ids=pks),
        )
    )
    retention.register(
        retention.RetentionRule(
            kind="trainings.evaluation_texts",
            label=_("Open antwoorden in evaluaties"),
            setting="TRAININGS_EVALUATION_RETENTION_MONTHS",
            anchor=_("na het einde van de uitvoering"),
            effect=_(
                "De open antwoorden worden verwijderd; de (anonieme) scores blijven voor de "
                "statistiek."
            ),
            due=lambda cutoff: selectors.evaluation_texts_due_for_deletion(cutoff=cutoff),
        )
    )
    retention.register(
        retention.RetentionRule(
            kind="trainings.followup_outcomes",
            label=_("Toelichtingen in de samenwerkingsmeter"),
            setting="TRAININGS_EVALUATION_RETENTION_MONTHS",
            anchor=_("na het einde van de uitvoering"),
            effect=_(
                "De toelichting wordt verwijderd; of er contact was en met welke organisaties "
                "blijft voor de statistiek."
            ),
            action=retention.ANONYMISE,
            due=lambda cutoff: selectors.followup_outcomes_due_for_anonymisation(cutoff=cutoff),
            destroy=lambda pks: services.followup_outcomes_anonymise(answer_ids=pks),
        )
    )
