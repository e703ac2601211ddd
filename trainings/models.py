"""Programmes, trainings, their runs and sessions, and what participants do in them."""

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.dates import check_dates_in_range
from portal.models import AnswerLinkModel, Organisation, Programme, TimeStampedModel
from portal.storage import PrivateStorage

from .completion import DEFAULT_MIN_ATTENDANCE_PERCENT


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
    # The completion rule (trainings/completion.py): who meets it gets a certificate.
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("minimale aanwezigheid (%)"),
        default=DEFAULT_MIN_ATTENDANCE_PERCENT,
        validators=[MaxValueValidator(100)],
        help_text=_("Het deel van de bijeenkomsten dat een deelnemer moet bijwonen (0–100)."),
    )
    end_review_required = models.BooleanField(
        _("eindreflectie verplicht"),
        default=True,
        help_text=_(
            "Voor het certificaat moet de deelnemer „wat heb ik geleerd?” in het ontwikkelplan "
            "hebben ingevuld."
        ),
    )
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
            ),
            models.CheckConstraint(
                name="training_min_attendance_is_percentage",
                condition=Q(min_attendance_percent__gte=0, min_attendance_percent__lte=100),
            ),
            models.CheckConstraint(
                name="awareness_training_at_most_20_places",
                condition=~Q(format="bewustwordingssessie") | Q(default_capacity__lte=20),
                violation_error_message=_("Een bewustwordingssessie heeft hoogstens 20 plaatsen."),
            ),
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
        indexes = [
            models.Index(fields=["status", "starts_at"]),
            # The home page's "closing soon": the runs whose enrolment closes next, in order.
            models.Index(fields=["status", "enrolment_closes_at"], name="run_status_closes_idx"),
        ]

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


class ResourceKind(models.TextChoices):
    DOCUMENT = "document", _("Document")
    LINK = "link", _("Link")
    CONTACT = "contact", _("Contactpunt")
    TOOL = "tool", _("Hulpmiddel")


class ResourceStatus(models.TextChoices):
    SUGGESTED = "suggested", _("Voorgesteld")
    PUBLISHED = "published", _("Gepubliceerd")
    REJECTED = "rejected", _("Afgewezen")


class Element(models.TextChoices):
    """The four elements of the bewustwordingssessie a resource can serve."""

    NETWERK = "netwerk", _("Netwerk")
    BEGRIP = "begrip", _("Begrip")
    SIGNAAL = "signaal", _("Signaal")
    OPPAKKEN = "oppakken", _("Oppakken")


class LibraryTheme(TimeStampedModel):
    """A theme resources are tagged with; the list is kept short and curated in the admin."""

    name = models.CharField(_("naam"), max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("thema bibliotheek")
        verbose_name_plural = _("thema's bibliotheek")

    def __str__(self) -> str:
        return self.name


def resource_upload_to(instance: "Resource", filename: str) -> str:
    # Beside the materials (whose folders are training ids), in a folder of its own.
    return f"bibliotheek/{filename}"


class Resource(TimeStampedModel):
    """A document, link, contact point or tool in the library of a programme.

    Anyone suggests one; the programme's coordinators publish, edit or reject it. Only
    published resources are listed; a suggester sees their own suggestions and their status.
    ``search_vector`` is PostgreSQL's full-text index of the resource, written by the service
    that writes the resource (title A, description B, tags C, Dutch configuration); it stays
    empty on SQLite, where the search falls back to a substring match.
    """

    programme = models.ForeignKey(
        Programme, verbose_name=_("programma"), on_delete=models.PROTECT, related_name="resources"
    )
    kind = models.CharField(_("soort"), max_length=20, choices=ResourceKind.choices)
    title = models.CharField(_("titel"), max_length=200)
    description = models.TextField(_("omschrijving"))
    file = models.FileField(
        _("bestand"),
        upload_to=resource_upload_to,
        storage=material_storage,
        blank=True,
        max_length=255,
    )
    url = models.URLField(_("link"), blank=True, max_length=500)
    contact_details = models.TextField(_("contactgegevens"), blank=True)
    organisations = models.ManyToManyField(
        Organisation, verbose_name=_("partners"), related_name="+", blank=True
    )
    themes = models.ManyToManyField(
        LibraryTheme, verbose_name=_("thema's"), related_name="resources", blank=True
    )
    element_netwerk = models.BooleanField(_("netwerk"), default=False)
    element_begrip = models.BooleanField(_("begrip"), default=False)
    element_signaal = models.BooleanField(_("signaal"), default=False)
    element_oppakken = models.BooleanField(_("oppakken"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=ResourceStatus.choices, default=ResourceStatus.SUGGESTED
    )
    suggested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voorgesteld door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggested_resources",
    )
    curated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("beoordeeld door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    curated_at = models.DateTimeField(_("beoordeeld op"), null=True, blank=True)
    rejection_reason = models.TextField(_("reden van afwijzing"), blank=True)
    # The training material this resource was published from (an explicit act of a coordinator).
    material = models.OneToOneField(
        Material,
        verbose_name=_("materiaal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="library_resource",
    )
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("middel")
        verbose_name_plural = _("middelen")
        constraints = [
            models.CheckConstraint(
                name="resource_document_has_file",
                condition=~Q(kind="document") | ~Q(file=""),
            ),
            models.CheckConstraint(
                name="resource_link_has_url", condition=~Q(kind="link") | ~Q(url="")
            ),
            models.CheckConstraint(
                name="resource_contact_has_details",
                condition=~Q(kind="contact") | ~Q(contact_details="") | ~Q(url=""),
            ),
            models.CheckConstraint(
                name="resource_tool_has_file_or_url",
                condition=~Q(kind="tool") | ~Q(file="") | ~Q(url=""),
            ),
        ]
        indexes = [models.Index(fields=["status", "title"])]

    def __str__(self) -> str:
        return self.title

    @property
    def elements(self) -> list[str]:
        return [e for e in Element.values if getattr(self, f"element_{e}")]

    def get_elements_display(self) -> list[str]:
        return [label for value, label in Element.choices if getattr(self, f"element_{value}")]


class IdeaForm(models.TextChoices):
    MEELOOPDAG = "meeloopdag", _("Meeloopdag")
    LUNCHLEZING = "lunchlezing", _("Lunchlezing")
    WERKBEZOEK = "werkbezoek", _("Werkbezoek")
    TRAINING = "training", _("Training")
    OTHER = "anders", _("Anders")


class IdeaStatus(models.TextChoices):
    NEW = "new", _("Nieuw")
    IN_DISCUSSION = "in_discussion", _("In bespreking")
    ADOPTED = "adopted", _("Overgenomen")
    NOT_NOW = "not_now", _("Nu niet")


class Idea(TimeStampedModel):
    """An idea for knowledge exchange, proposed to the coordinators of a programme."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programma"), on_delete=models.PROTECT, related_name="ideas"
    )
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voorgesteld door"),
        on_delete=models.CASCADE,
        related_name="ideas",
    )
    title = models.CharField(_("titel"), max_length=200)
    form = models.CharField(_("vorm"), max_length=20, choices=IdeaForm.choices)
    content = models.TextField(_("inhoud"))
    partners = models.ManyToManyField(
        Organisation, verbose_name=_("betrokken partners"), related_name="+", blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=IdeaStatus.choices, default=IdeaStatus.NEW
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("idee")
        verbose_name_plural = _("ideeën")
        indexes = [models.Index(fields=["programme", "status"])]

    def __str__(self) -> str:
        return self.title


class IdeaStatusChange(TimeStampedModel):
    """One step in an idea's history; the mail to the proposer is about this row."""

    idea = models.ForeignKey(
        Idea, verbose_name=_("idee"), on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(_("van"), max_length=20, choices=IdeaStatus.choices)
    to_status = models.CharField(_("naar"), max_length=20, choices=IdeaStatus.choices)
    comment = models.TextField(_("toelichting"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gewijzigd door"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["idea", "created_at", "pk"]
        verbose_name = _("statuswijziging van een idee")
        verbose_name_plural = _("statuswijzigingen van ideeën")
        constraints = [
            models.CheckConstraint(
                name="idea_change_changes_status", condition=~Q(from_status=F("to_status"))
            )
        ]

    def __str__(self) -> str:
        return f"{self.idea}: {self.from_status} → {self.to_status}"


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


class EvaluationSettings(TimeStampedModel):
    """A programme's choices for evaluations and follow-ups; defaults apply without a row."""

    programme = models.OneToOneField(
        Programme,
        verbose_name=_("programma"),
        on_delete=models.CASCADE,
        related_name="evaluation_settings",
    )
    followup_weeks = models.PositiveSmallIntegerField(
        _("samenwerkingsmeter na (weken)"),
        default=8,
        help_text=_("Zoveel weken na de laatste bijeenkomst krijgen deelnemers de vragen."),
    )
    trainers_see_aggregates = models.BooleanField(
        _("trainers zien de gemiddelden van hun eigen uitvoeringen"),
        default=False,
        help_text=_("Alleen bij minstens 5 antwoorden; open antwoorden zien trainers nooit."),
    )

    class Meta:
        verbose_name = _("evaluatie-instellingen")
        verbose_name_plural = _("evaluatie-instellingen")
        constraints = [
            models.CheckConstraint(
                name="followup_weeks_in_range",
                condition=Q(followup_weeks__gte=1) & Q(followup_weeks__lte=52),
            )
        ]


class QuestionKind(models.TextChoices):
    SCALE = "scale", _("Schaal 1–5")
    OPEN = "open", _("Open vraag")


class EvaluationQuestion(TimeStampedModel):
    """A question of a programme's default evaluation, edited by its coordinators."""

    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programma"),
        on_delete=models.CASCADE,
        related_name="evaluation_questions",
    )
    kind = models.CharField(_("soort"), max_length=10, choices=QuestionKind.choices)
    text = models.CharField(_("vraag"), max_length=300)
    position = models.PositiveSmallIntegerField(_("volgorde"))
    is_active = models.BooleanField(_("in gebruik"), default=True)

    class Meta:
        ordering = ["programme", "position", "pk"]
        verbose_name = _("evaluatievraag")
        verbose_name_plural = _("evaluatievragen")

    def __str__(self) -> str:
        return self.text


class RunQuestion(models.Model):
    """The questions of one run's evaluation, copied when it opens: later edits leave it be."""

    run = models.ForeignKey(
        Run, verbose_name=_("uitvoering"), on_delete=models.CASCADE, related_name="questions"
    )
    kind = models.CharField(_("soort"), max_length=10, choices=QuestionKind.choices)
    text = models.CharField(_("vraag"), max_length=300)
    position = models.PositiveSmallIntegerField(_("volgorde"))

    class Meta:
        ordering = ["run", "position", "pk"]
        verbose_name = _("vraag van een uitvoering")
        verbose_name_plural = _("vragen van uitvoeringen")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "position"], name="one_run_question_per_position"
            )
        ]

    def __str__(self) -> str:
        return self.text


class EvaluationRespondent(models.Model):
    """That a participant answered a run's evaluation; never what they answered."""

    run = models.ForeignKey(
        Run, verbose_name=_("uitvoering"), on_delete=models.CASCADE, related_name="respondents"
    )
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("ingevulde evaluatie")
        verbose_name_plural = _("ingevulde evaluaties")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "participant"], name="one_evaluation_per_run_and_participant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} — {self.run}"


def _random_key():
    return uuid.uuid4()


class EvaluationAnswer(models.Model):
    """One anonymous answer to one question: a score (scale question) or a text (open one)."""

    id = models.UUIDField(primary_key=True, default=_random_key, editable=False)
    question = models.ForeignKey(
        RunQuestion, verbose_name=_("vraag"), on_delete=models.CASCADE, related_name="answers"
    )
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    text = models.TextField(_("antwoord"), blank=True)

    class Meta:
        verbose_name = _("evaluatieantwoord")
        verbose_name_plural = _("evaluatieantwoorden")
        constraints = [
            models.CheckConstraint(
                name="evaluation_answer_is_score_or_text",
                condition=(Q(score__gte=1) & Q(score__lte=5) & Q(text=""))
                | (Q(score__isnull=True) & ~Q(text="")),
            )
        ]

    def __str__(self) -> str:
        return str(self.question)


class FollowupRespondent(models.Model):
    """That a participant answered a run's samenwerkingsmeter; never what they answered."""

    run = models.ForeignKey(
        Run,
        verbose_name=_("uitvoering"),
        on_delete=models.CASCADE,
        related_name="followup_respondents",
    )
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("ingevulde samenwerkingsmeter")
        verbose_name_plural = _("ingevulde samenwerkingsmeters")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "participant"], name="one_followup_per_run_and_participant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} — {self.run}"


class FollowupAnswer(models.Model):
    """One anonymous samenwerkingsmeter: contact with another partner since the run, and with
    which organisations (never a person's name)."""

    id = models.UUIDField(primary_key=True, default=_random_key, editable=False)
    run = models.ForeignKey(
        Run, verbose_name=_("uitvoering"), on_delete=models.CASCADE, related_name="followups"
    )
    contacted = models.BooleanField(_("contact gehad met een andere partner"))
    organisations = models.ManyToManyField(
        Organisation,
        verbose_name=_("organisaties"),
        related_name="+",
        blank=True,
        through="FollowupContact",
    )
    outcome = models.TextField(_("wat heeft het opgeleverd?"), blank=True)

    class Meta:
        verbose_name = _("samenwerkingsmeter")
        verbose_name_plural = _("samenwerkingsmeters")

    def __str__(self) -> str:
        return str(self.run)


class FollowupContact(models.Model):
    """An organisation named in a samenwerkingsmeter (a random key: rows keep no order)."""

    id = models.UUIDField(primary_key=True, default=_random_key, editable=False)
    answer = models.ForeignKey(FollowupAnswer, on_delete=models.CASCADE, related_name="contacts")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("genoemde organisatie")
        verbose_name_plural = _("genoemde organisaties")
        constraints = [
            models.UniqueConstraint(
                fields=["answer", "organisation"], name="one_contact_per_answer_and_organisation"
            )
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class Certificate(TimeStampedModel):
    """A certificate of participation: a snapshot of what it says, checkable by its code.

    Issued when the participant first downloads it after completing the run. What it states
    is copied here, so a later change of name, title or dates does not change a certificate
    already handed out. A revoked certificate stays, so its code answers "ingetrokken"; a
    coordinator may issue a new one (with a new code) for the same enrolment.
    """

    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("inschrijving"),
        on_delete=models.CASCADE,
        related_name="certificates",
    )
    # Stored without dashes, upper case (trainings/codes.py).
    code = models.CharField(_("verificatiecode"), max_length=10, unique=True)
    participant_name = models.CharField(_("naam deelnemer"), max_length=150)
    training_title = models.CharField(_("training"), max_length=200)
    programme_name = models.CharField(_("programma"), max_length=200)
    issuer_name = models.CharField(_("uitgegeven door"), max_length=200)
    run_starts_on = models.DateField(_("eerste bijeenkomst"))
    run_ends_on = models.DateField(_("laatste bijeenkomst"))
    issued_at = models.DateTimeField(_("uitgegeven op"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uitgegeven door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("ingetrokken op"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ingetrokken door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revocation_reason = models.TextField(_("reden van intrekking"), blank=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("certificaat")
        verbose_name_plural = _("certificaten")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(revoked_at__isnull=True),
                name="one_valid_certificate_per_enrolment",
            ),
            models.CheckConstraint(
                name="certificate_revoked_with_reason",
                condition=(Q(revoked_at__isnull=True) & Q(revocation_reason=""))
                | (Q(revoked_at__isnull=False) & ~Q(revocation_reason="")),
            ),
            models.CheckConstraint(
                name="certificate_dates_in_order", condition=Q(run_ends_on__gte=F("run_starts_on"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.participant_name}, {self.training_title}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


# A bewustwordingssessie is held with at most 20 participants (seed 003).
AWARENESS_MAX_PLACES = 20


class AwarenessStep(models.TextChoices):
    """The four elements of a bewustwordingssessie, in the order the room goes through them."""

    NETWERK = "netwerk", _("Netwerk")
    BEGRIP = "begrip", _("Begrip")
    SIGNAAL = "signaal", _("Signaal")
    OPPAKKEN = "oppakken", _("Oppakken")


class ExampleTheme(models.TextChoices):
    """How the trainer groups the room's HKIN examples; trainings keeps its own short list."""

    VASTGOED = "vastgoed", _("Vastgoed en huur")
    HORECA = "horeca", _("Horeca en winkels")
    GELD = "geld", _("Geld en witwassen")
    ZORG = "zorg", _("Zorg, uitkeringen en schulden")
    VERGUNNINGEN = "vergunningen", _("Vergunningen en bedrijven")
    MENSEN = "mensen", _("Uitbuiting en mensenhandel")
    DRUGS = "drugs", _("Drugs")
    OVERIG = "overig", _("Overig")


class AwarenessRoom(models.Model):
    """Where the room of one session of a bewustwordingssessie is: its current element.

    Made when the trainer first moves the room on; until then the room is at "netwerk".
    """

    session = models.OneToOneField(
        Session,
        verbose_name=_("bijeenkomst"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="awareness_room",
    )
    step = models.CharField(
        _("element"), max_length=20, choices=AwarenessStep.choices, default=AwarenessStep.NETWERK
    )

    class Meta:
        verbose_name = _("sessieverloop")
        verbose_name_plural = _("sessieverlopen")

    def __str__(self) -> str:
        return f"{self.session} — {self.get_step_display()}"


DEFINITION_MAX_LENGTH = 1000

EXAMPLE_MAX_LENGTH = 500


class AwarenessDefinition(TimeStampedModel):
    """One small group's own definition of ondermijning, as the trainer wrote it down."""

    session = models.ForeignKey(
        Session,
        verbose_name=_("bijeenkomst"),
        on_delete=models.CASCADE,
        related_name="awareness_definitions",
    )
    group = models.CharField(_("groep"), max_length=60)
    text = models.TextField(_("definitie"), max_length=DEFINITION_MAX_LENGTH)

    class Meta:
        ordering = ["session", "pk"]
        verbose_name = _("definitie van ondermijning")
        verbose_name_plural = _("definities van ondermijning")
        constraints = [
            models.UniqueConstraint(fields=["session", "group"], name="one_definition_per_group"),
            models.CheckConstraint(name="definition_not_empty", condition=~Q(text="")),
        ]

    def __str__(self) -> str:
        return f"{self.session} — {self.group}"


class AwarenessExample(models.Model):
    """An HKIN example a participant named during the session, anonymously.

    Deliberately without author, enrolment or time (not even ``created_at``): nothing in
    the database, a log line's moment included, ties an example to whoever typed it. The
    one-time key of the form that sent it keeps a double click from storing it twice.
    """

    session = models.ForeignKey(
        Session,
        verbose_name=_("bijeenkomst"),
        on_delete=models.CASCADE,
        related_name="awareness_examples",
    )
    text = models.TextField(_("voorbeeld"), max_length=EXAMPLE_MAX_LENGTH)
    theme = models.CharField(_("thema"), max_length=20, choices=ExampleTheme.choices, blank=True)
    submission_key = models.CharField(max_length=64)

    class Meta:
        ordering = ["session", "pk"]
        verbose_name = _("HKIN-voorbeeld")
        verbose_name_plural = _("HKIN-voorbeelden")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "submission_key"], name="one_example_per_submission"
            ),
            models.CheckConstraint(name="example_not_empty", condition=~Q(text="")),
        ]

    def __str__(self) -> str:
        return f"{self.session} — {self.pk}"
