"""Werkplaatsen: small mixed groups meeting in sessions weeks apart, practising in between."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.dates import check_dates_in_range
from portal.models import AnswerLinkModel, Organisation, TimeStampedModel


class Werkplaats(TimeStampedModel):
    """A series of sessions on one theme, e.g. "Domeinoverstijgend samenwerken — Gemeente X"."""

    title = models.CharField(_("thema"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisatie"),
        on_delete=models.PROTECT,
        related_name="werkplaatsen",
    )
    programme = models.ForeignKey(
        "portal.Programme",
        verbose_name=_("programma"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="werkplaatsen",
        help_text=_("De coördinatoren van dit programma kunnen de werkplaats ook beheren."),
    )
    description = models.TextField(_("omschrijving"), blank=True)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("begeleiders"),
        related_name="facilitated_werkplaatsen",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("aangemaakt door"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        # The list pages newest first, in keyset pages: for everyone, and per programme.
        indexes = [
            models.Index(fields=["created_at", "id"], name="werkplaats_newest_idx"),
            models.Index(
                fields=["programme", "created_at", "id"], name="werkplaats_prog_newest_idx"
            ),
        ]
        verbose_name = _("werkplaats")
        verbose_name_plural = _("werkplaatsen")

    def __str__(self) -> str:
        return self.title


class Group(TimeStampedModel):
    werkplaats = models.ForeignKey(Werkplaats, on_delete=models.CASCADE, related_name="groups")
    number = models.PositiveSmallIntegerField(_("nummer"))

    class Meta:
        ordering = ["werkplaats", "number"]
        verbose_name = _("groep")
        verbose_name_plural = _("groepen")
        constraints = [
            models.UniqueConstraint(fields=["werkplaats", "number"], name="unique_group_number")
        ]

    def __str__(self) -> str:
        return _("Groep %(number)s") % {"number": self.number}


class Participation(TimeStampedModel):
    """A participant of a werkplaats and the group they are in (none before grouping)."""

    werkplaats = models.ForeignKey(
        Werkplaats, on_delete=models.CASCADE, related_name="participations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deelnemer"),
        on_delete=models.CASCADE,
        related_name="werkplaats_participations",
    )
    group = models.ForeignKey(
        Group,
        verbose_name=_("groep"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="participations",
    )
    # Moved by hand since groups were last made: making groups again undoes that move.
    placed_by_hand = models.BooleanField(_("met de hand ingedeeld"), default=False)

    class Meta:
        ordering = ["user__full_name"]
        verbose_name = _("deelname")
        verbose_name_plural = _("deelnames")
        constraints = [
            models.UniqueConstraint(fields=["werkplaats", "user"], name="unique_participation")
        ]

    def __str__(self) -> str:
        return str(self.user)


class PairingRule(TimeStampedModel):
    """Two participants who must be in the same group, or must not be."""

    class Kind(models.TextChoices):
        TOGETHER = "together", _("Moeten samen")
        APART = "apart", _("Moeten apart")

    werkplaats = models.ForeignKey(
        Werkplaats, on_delete=models.CASCADE, related_name="pairing_rules"
    )
    kind = models.CharField(_("soort"), max_length=10, choices=Kind.choices)
    first = models.ForeignKey(
        Participation, verbose_name=_("deelnemer"), on_delete=models.CASCADE, related_name="+"
    )
    second = models.ForeignKey(
        Participation, verbose_name=_("en deelnemer"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("groepsafspraak")
        verbose_name_plural = _("groepsafspraken")
        constraints = [
            models.CheckConstraint(name="pairing_two_people", condition=~Q(first=F("second"))),
            models.UniqueConstraint(fields=["first", "second"], name="unique_pairing_rule"),
        ]

    def __str__(self) -> str:
        return f"{self.first} / {self.second}: {self.get_kind_display()}"


class SessionLength(models.TextChoices):
    DAGDEEL = "dagdeel", _("Dagdeel")
    DAG = "dag", _("Dag")


class Session(TimeStampedModel):
    """One meeting; the four aims are the frame every session is planned in."""

    werkplaats = models.ForeignKey(Werkplaats, on_delete=models.CASCADE, related_name="sessions")
    length = models.CharField(
        _("duur"), max_length=10, choices=SessionLength.choices, default=SessionLength.DAGDEEL
    )
    starts_at = models.DateTimeField(_("begint om"))
    ends_at = models.DateTimeField(_("eindigt om"))
    location = models.CharField(_("locatie"), max_length=200)
    aim_bewustwording = models.TextField(
        _("bewustwording"), blank=True, help_text=_("Welke verschillende visies zijn er?")
    )
    aim_inzicht = models.TextField(
        _("inzicht"), blank=True, help_text=_("Welke overtuigingen en drijfveren sturen ons?")
    )
    aim_helicopterview = models.TextField(
        _("helicopterview"), blank=True, help_text=_("Welke belangen zijn gemeenschappelijk?")
    )
    aim_vaardigheid = models.TextField(
        _("vaardigheid"), blank=True, help_text=_("Welke technieken oefenen we?")
    )

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("sessie")
        verbose_name_plural = _("sessies")
        constraints = [
            models.CheckConstraint(
                name="werkplaats_session_ends_after_start",
                condition=Q(ends_at__gt=F("starts_at")),
                violation_error_message=_("Het einde ligt vóór of op het begin."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.werkplaats} — {self.starts_at:%d-%m-%Y}"

    def clean(self) -> None:
        # A service may compute these (scheduling, a design turned into a run).
        check_dates_in_range(self, "starts_at", "ends_at")


class PracticeLog(TimeStampedModel):
    """What a participant practised between ``after_session`` and the next session."""

    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="practice_logs"
    )
    after_session = models.ForeignKey(
        Session,
        verbose_name=_("na sessie"),
        on_delete=models.CASCADE,
        related_name="practice_logs",
    )
    tried = models.TextField(_("Wat heb ik geprobeerd?"))
    happened = models.TextField(_("Wat gebeurde er?"))
    bring_next = models.TextField(
        _("Wat breng ik de volgende keer in?"),
        blank=True,
        help_text=_("Een situatieschets om in de groep te bespreken."),
    )

    class Meta:
        ordering = ["participation__user__full_name"]
        verbose_name = _("oefenlogboek")
        verbose_name_plural = _("oefenlogboeken")
        constraints = [
            models.UniqueConstraint(
                fields=["participation", "after_session"], name="one_practice_log_per_interval"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participation} — {self.after_session}"


class CaseSketch(TimeStampedModel):
    """Casuïstiek: a situation brought to a session and discussed in the author's group."""

    session = models.ForeignKey(
        Session, verbose_name=_("sessie"), on_delete=models.CASCADE, related_name="case_sketches"
    )
    group = models.ForeignKey(
        Group, verbose_name=_("groep"), on_delete=models.CASCADE, related_name="case_sketches"
    )
    author = models.ForeignKey(
        Participation,
        verbose_name=_("ingebracht door"),
        on_delete=models.CASCADE,
        related_name="case_sketches",
    )
    title = models.CharField(_("titel"), max_length=200)
    situation = models.TextField(_("situatieschets"))
    discussion = models.TextField(_("besproken in de groep"), blank=True)
    follow_up = models.TextField(_("afgesproken vervolg"), blank=True)

    class Meta:
        ordering = ["session__starts_at", "created_at"]
        verbose_name = _("casus")
        verbose_name_plural = _("casuïstiek")

    def __str__(self) -> str:
        return self.title


class RugdekkingStatus(models.TextChoices):
    OPEN = "open", _("Wacht op antwoord")
    GRANTED = "granted", _("Rugdekking gegeven")
    NOT_GRANTED = "not_granted", _("Geen rugdekking")


class RugdekkingRequest(AnswerLinkModel):
    """A participant asks a manager for backing on a concrete point; answered by magic link."""

    participation = models.ForeignKey(
        Participation,
        verbose_name=_("aangevraagd door"),
        on_delete=models.CASCADE,
        related_name="rugdekking_requests",
    )
    manager_name = models.CharField(_("naam leidinggevende"), max_length=150)
    manager_email = models.EmailField(_("e-mailadres leidinggevende"))
    point = models.TextField(_("waarvoor vraag je rugdekking?"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RugdekkingStatus.choices,
        default=RugdekkingStatus.OPEN,
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("rugdekkingsverzoek")
        verbose_name_plural = _("rugdekkingsverzoeken")
        constraints = [AnswerLinkModel.answered_has_moment("rugdekking_answered_has_moment")]

    def __str__(self) -> str:
        return f"{self.participation} → {self.manager_name}"


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("Loopt")
    DONE = "done", _("Afgerond")


class OrganisationalAction(TimeStampedModel):
    """A follow-up at organisation level, e.g. "set up a Meldpunt Ondermijning"."""

    werkplaats = models.ForeignKey(
        Werkplaats, on_delete=models.CASCADE, related_name="organisational_actions"
    )
    title = models.CharField(_("actie"), max_length=200)
    owner = models.CharField(_("eigenaar"), max_length=150)
    due_date = models.DateField(_("uiterlijk op"))
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    notes = models.TextField(_("toelichting"), blank=True)

    class Meta:
        ordering = ["due_date", "title"]
        verbose_name = _("organisatieactie")
        verbose_name_plural = _("organisatieacties")

    def __str__(self) -> str:
        return self.title
