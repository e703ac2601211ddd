"""Programmes, trainings, their runs and sessions, and what participants do in them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.dates import check_dates_in_range
from portal.models import AnswerLinkModel, Organisation, Programme, TimeStampedModel
from portal.storage import PrivateStorage


class TrainingFormat(models.TextChoices):
    TRAINING = "training", _("Training")
    AWARENESS = "bewustwordingssessie", _("Bewustwordingssessie")
    ONBOARDING = "inwerkprogramma", _("Inwerkprogramma")
    WERKPLAATS_INTRO = "werkplaats_intro", _("Introductie werkplaats")
    WORKSHOP = "workshop", _("Workshop")


class Training(TimeStampedModel):
    """What a partner offers about its own organisation; runs are its scheduled editions."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programma"), on_delete=models.PROTECT, related_name="trainings"
    )
    title = models.CharField(_("titel"), max_length=200)
    description = models.TextField(_("omschrijving"))
    provider = models.ForeignKey(
        Organisation,
        verbose_name=_("aanbiedende organisatie"),
        on_delete=models.PROTECT,
        related_name="offered_trainings",
    )
    format = models.CharField(
        _("vorm"), max_length=30, choices=TrainingFormat.choices, default=TrainingFormat.TRAINING
    )
    content_goals = models.TextField(_("vakinhoudelijke leerdoelen"), blank=True)
    personal_goals = models.TextField(_("persoonlijke leerdoelen"), blank=True)
    audience_organisations = models.ManyToManyField(
        Organisation,
        verbose_name=_("voor medewerkers van"),
        related_name="+",
        blank=True,
        help_text=_("Leeg: medewerkers van alle partners behalve de aanbiedende organisatie."),
    )
    audience_disciplines = models.JSONField(
        _("voor disciplines"),
        default=list,
        blank=True,
        help_text=_("Leeg: alle disciplines."),
    )
    default_capacity = models.PositiveSmallIntegerField(_("standaard aantal plaatsen"), default=20)
    requires_manager_approval = models.BooleanField(
        _("akkoord van de leidinggevende nodig"),
        default=False,
        help_text=_(
            "Een inschrijving telt pas als de leidinggevende via een link in de e-mail akkoord "
            "geeft."
        ),
    )
    is_archived = models.BooleanField(_("gearchiveerd"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("aangemaakt door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["title"]
        verbose_name = _("training")
        verbose_name_plural = _("trainingen")
        constraints = [
            models.CheckConstraint(
                name="training_capacity_positive", condition=Q(default_capacity__gte=1)
            )
        ]

    def __str__(self) -> str:
        return self.title


def material_upload_to(instance: "Material", filename: str) -> str:
    return f"{instance.training_id}/{filename}"


# Outside MEDIA_ROOT: materials are served only through the checked download view.
private_material_storage = PrivateStorage(setting_name="TRAININGS_MATERIAL_ROOT")


def material_storage() -> PrivateStorage:
    """The field's storage (a callable, so migrations do not depend on the setting)."""
    return private_material_storage


class Material(TimeStampedModel):
    """A file or a link that participants of a training's runs may open."""

    training = models.ForeignKey(
        Training, verbose_name=_("training"), on_delete=models.CASCADE, related_name="materials"
    )
    title = models.CharField(_("titel"), max_length=200)
    file = models.FileField(
        _("bestand"), upload_to=material_upload_to, storage=material_storage, blank=True
    )
    url = models.URLField(_("link"), blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("materiaal")
        verbose_name_plural = _("materialen")
        constraints = [
            models.CheckConstraint(
                name="material_is_file_or_link",
                condition=(Q(file="") & ~Q(url="")) | (~Q(file="") & Q(url="")),
            )
        ]

    def __str__(self) -> str:
        return self.title


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("Concept")
    PUBLISHED = "published", _("Gepubliceerd")
    CANCELLED = "cancelled", _("Geannuleerd")
    COMPLETED = "completed", _("Afgerond")


class Run(TimeStampedModel):
    """One scheduled edition (uitvoering) of a training."""

    training = models.ForeignKey(
        Training, verbose_name=_("training"), on_delete=models.PROTECT, related_name="runs"
    )
    capacity = models.PositiveSmallIntegerField(_("aantal plaatsen"))
    enrolment_opens_at = models.DateTimeField(_("inschrijving open vanaf"))
    enrolment_closes_at = models.DateTimeField(_("inschrijving sluit op"))
    location = models.CharField(_("locatie"), max_length=200)
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("trainers"), related_name="taught_runs", blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RunStatus.choices, default=RunStatus.DRAFT
    )
    cancellation_reason = models.TextField(_("reden van annulering"), blank=True)
    # Set by the first session; kept here so catalogue and calendar sort and filter without joins.
    starts_at = models.DateTimeField(_("begint op"), null=True, blank=True, db_index=True)
    ends_at = models.DateTimeField(_("eindigt op"), null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("uitvoering")
        verbose_name_plural = _("uitvoeringen")
        constraints = [
            models.CheckConstraint(name="run_capacity_positive", condition=Q(capacity__gte=1)),
            models.CheckConstraint(
                name="run_window_in_order",
                condition=Q(enrolment_closes_at__gt=F("enrolment_opens_at")),
            ),
        ]
        indexes = [models.Index(fields=["status", "starts_at"])]

    def __str__(self) -> str:
        if self.starts_at:
            return f"{self.training} ({self.starts_at:%d-%m-%Y})"
        return str(self.training)

    def clean(self) -> None:
        # A service may compute these (scheduling, a design turned into a run).
        check_dates_in_range(
            self, "enrolment_opens_at", "enrolment_closes_at", "starts_at", "ends_at"
        )


class Session(TimeStampedModel):
    """One day or dagdeel of a run."""

    run = models.ForeignKey(
        Run, verbose_name=_("uitvoering"), on_delete=models.CASCADE, related_name="sessions"
    )
    title = models.CharField(_("titel"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("begint om"), db_index=True)
    ends_at = models.DateTimeField(_("eindigt om"))
    location = models.CharField(
        _("zaal of locatie"),
        max_length=200,
        blank=True,
        help_text=_("Leeg: die van de uitvoering."),
    )
    is_cancelled = models.BooleanField(_("vervallen"), default=False)
    # RFC 5545 SEQUENCE: raised whenever time, place or status change, so calendars update.
    sequence = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("bijeenkomst")
        verbose_name_plural = _("bijeenkomsten")
        constraints = [
            models.CheckConstraint(
                name="session_ends_after_start", condition=Q(ends_at__gt=F("starts_at"))
            )
        ]

    def __str__(self) -> str:
        return f"{self.run.training} — {self.starts_at:%d-%m-%Y %H:%M}"

    def clean(self) -> None:
        # A service may compute these (scheduling, a design turned into a run).
        check_dates_in_range(self, "starts_at", "ends_at")

    @property
    def place(self) -> str:
        return self.location or self.run.location


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Ingeschreven")
    WAITLISTED = "waitlisted", _("Op de wachtlijst")
    # Asked for, not yet counted: no place and no waiting-list position until approved.
    PENDING = "pending_approval", _("Wacht op akkoord leidinggevende")
    CANCELLED = "cancelled", _("Afgemeld")


class Enrolment(TimeStampedModel):
    """A participant's place, or place in the queue, in one run."""

    run = models.ForeignKey(
        Run, verbose_name=_("uitvoering"), on_delete=models.CASCADE, related_name="enrolments"
    )
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deelnemer"),
        on_delete=models.CASCADE,
        related_name="enrolments",
    )
    status = models.CharField(_("status"), max_length=20, choices=EnrolmentStatus.choices)
    # The waiting list is strictly first come, first served on this moment.
    requested_at = models.DateTimeField(_("aangevraagd op"))
    enrolled_at = models.DateTimeField(_("ingeschreven op"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("afgemeld op"), null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("inschrijving")
        verbose_name_plural = _("inschrijvingen")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "participant"], name="one_enrolment_per_run_and_participant"
            )
        ]
        indexes = [models.Index(fields=["run", "status", "requested_at"])]

    def __str__(self) -> str:
        return f"{self.participant} — {self.run}"


class EnrolmentEpisode(TimeStampedModel):
    """One stretch of an enrolment: from asking for a place to giving it up.

    Someone who cancels and enrols again reuses their enrolment row (one per run and
    participant), but starts a new episode. The mails about a place (confirmation, waiting
    list, moved up, run cancelled) target the episode rather than the enrolment, so each
    episode gets its own mails, while the reminder table still sends each one at most once.
    Only the newest episode of an enrolment is current; mail planned for an older one is
    skipped.
    """

    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("inschrijving"), on_delete=models.CASCADE, related_name="episodes"
    )
    started_at = models.DateTimeField(_("begonnen op"))

    class Meta:
        ordering = ["enrolment", "pk"]
        verbose_name = _("inschrijvingsperiode")
        verbose_name_plural = _("inschrijvingsperiodes")

    def __str__(self) -> str:
        return f"{self.enrolment} ({self.started_at:%d-%m-%Y %H:%M})"


class ApprovalStatus(models.TextChoices):
    OPEN = "open", _("Wacht op antwoord")
    APPROVED = "approved", _("Akkoord")
    DECLINED = "declined", _("Geen akkoord")


class ManagerApproval(AnswerLinkModel):
    """The manager's yes or no to one episode of an enrolment, answered by a mailed link.

    Only for a training that ``requires_manager_approval``. Until approved the enrolment is
    pending: it holds neither a place nor a waiting-list position.
    """

    episode = models.OneToOneField(
        EnrolmentEpisode,
        verbose_name=_("inschrijvingsperiode"),
        on_delete=models.CASCADE,
        related_name="approval",
    )
    manager_name = models.CharField(_("naam leidinggevende"), max_length=150)
    manager_email = models.EmailField(_("e-mailadres leidinggevende"))
    status = models.CharField(
        _("status"), max_length=20, choices=ApprovalStatus.choices, default=ApprovalStatus.OPEN
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("akkoord leidinggevende")
        verbose_name_plural = _("akkoorden leidinggevenden")
        constraints = [AnswerLinkModel.answered_has_moment("approval_answered_has_moment")]

    def __str__(self) -> str:
        return f"{self.episode} → {self.manager_name}"


class SessionChange(TimeStampedModel):
    """A session moved or called off, as told to everyone holding a place at that moment.

    The mail about a change targets this row, so a session moved twice is mailed about
    twice. ``sequence`` is the session's RFC 5545 SEQUENCE after the change: a change whose
    session has moved on since is superseded, and its unsent mail is skipped.
    """

    session = models.ForeignKey(
        Session, verbose_name=_("bijeenkomst"), on_delete=models.CASCADE, related_name="changes"
    )
    sequence = models.PositiveIntegerField()
    is_cancellation = models.BooleanField(default=False)

    class Meta:
        ordering = ["session", "sequence", "pk"]
        verbose_name = _("wijziging van een bijeenkomst")
        verbose_name_plural = _("wijzigingen van bijeenkomsten")

    def __str__(self) -> str:
        return f"{self.session} #{self.sequence}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Aanwezig")
    ABSENT = "absent", _("Afwezig")
    EXCUSED = "excused", _("Afgemeld met reden")


class Attendance(TimeStampedModel):
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("inschrijving"),
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    session = models.ForeignKey(
        Session, verbose_name=_("bijeenkomst"), on_delete=models.CASCADE, related_name="attendance"
    )
    status = models.CharField(_("aanwezigheid"), max_length=20, choices=AttendanceStatus.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("genoteerd door"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("aanwezigheid")
        verbose_name_plural = _("aanwezigheid")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "session"], name="one_attendance_per_enrolment_and_session"
            )
        ]


class DevelopmentPlan(TimeStampedModel):
    """Persoonlijk ontwikkelingsplan: goals at the start, looked back on at the end."""

    enrolment = models.OneToOneField(
        Enrolment,
        verbose_name=_("inschrijving"),
        on_delete=models.CASCADE,
        related_name="development_plan",
    )
    content_goals = models.TextField(_("wat wil ik vakinhoudelijk leren?"), blank=True)
    personal_goals = models.TextField(_("wat wil ik persoonlijk ontwikkelen?"), blank=True)
    learned = models.TextField(_("wat heb ik geleerd?"), blank=True)
    embedding = models.TextField(_("hoe ga ik dit borgen in mijn werk?"), blank=True)
    needs = models.TextField(_("wat en wie heb ik daarvoor nodig?"), blank=True)

    class Meta:
        verbose_name = _("persoonlijk ontwikkelingsplan")
        verbose_name_plural = _("persoonlijke ontwikkelingsplannen")


class Reflection(TimeStampedModel):
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("inschrijving"),
        on_delete=models.CASCADE,
        related_name="reflections",
    )
    session = models.ForeignKey(
        Session, verbose_name=_("bijeenkomst"), on_delete=models.CASCADE, related_name="reflections"
    )
    struck_me = models.TextField(_("wat viel mij op?"))
    will_apply = models.TextField(
        _("wat ga ik toepassen vóór de volgende bijeenkomst?"), blank=True
    )

    class Meta:
        verbose_name = _("reflectie")
        verbose_name_plural = _("reflecties")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "session"], name="one_reflection_per_enrolment_and_session"
            )
        ]


class CalendarFeed(TimeStampedModel):
    """The secret address of a person's iCal feed; resetting it makes the old one stop working."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("agenda-abonnement")
        verbose_name_plural = _("agenda-abonnementen")


class MailingAudience(models.TextChoices):
    ENROLLED = "enrolled", _("Ingeschreven")
    WAITING = "waiting", _("Op de wachtlijst")
    ATTENDED = "attended", _("Ingeschreven en bij minstens één bijeenkomst aanwezig")
    ABSENT = "absent", _("Ingeschreven en bij minstens één bijeenkomst afwezig (zonder reden)")


class RunMailing(TimeStampedModel):
    """A message a coordinator sent to a group of a run's people: who sent what to how many.

    Subject and body are kept as written, with their placeholders; each recipient's mail is
    a reminder targeting this row, rendered for them when it goes out.
    """

    run = models.ForeignKey(
        Run, verbose_name=_("uitvoering"), on_delete=models.CASCADE, related_name="mailings"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verstuurd door"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    audience = models.CharField(_("aan"), max_length=20, choices=MailingAudience.choices)
    subject = models.CharField(_("onderwerp"), max_length=200)
    body = models.TextField(_("bericht"))
    recipient_count = models.PositiveIntegerField(_("aantal ontvangers"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("bericht aan deelnemers")
        verbose_name_plural = _("berichten aan deelnemers")

    def __str__(self) -> str:
        return f"{self.run}: {self.subject}"
